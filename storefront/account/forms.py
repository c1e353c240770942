"""Site forms. They validate input and hand it to accounts.services; no rules of their own."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField

from commerce.accounts import services
from commerce.accounts.models import Address


def _apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class RegisterForm(forms.Form):
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    phone = PhoneNumberField(required=False, help_text="With country code, e.g. +1 415 555 0123")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        return cleaned

    def save(self):
        """Create the account through the service; None (with form errors) if the service refuses."""
        data = self.cleaned_data
        try:
            return services.user_register(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"] or "",
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "password" in exc.error_dict:
                exc = ValidationError({"password1": exc.error_dict.pop("password"), **exc.error_dict})
            _apply_service_errors(self, exc)
            return None


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    phone = PhoneNumberField(required=False, help_text="With country code, e.g. +1 415 555 0123")


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ServiceSetPasswordForm(auth_forms.SetPasswordForm):
    """Django's reset-confirm form, saving through user_password_set so old refresh tokens die too."""

    def save(self, commit=True):
        services.user_password_set(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class ServicePasswordChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        services.user_password_set(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class AddressForm(forms.ModelForm):
    phone = PhoneNumberField(help_text="With country code, e.g. +1 415 555 0123")

    class Meta:
        model = Address
        fields = list(services.ADDRESS_FIELDS) + ["is_default"]
        labels = {"is_default": "Use as my default address"}
