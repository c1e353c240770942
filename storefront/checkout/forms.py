"""The site's checkout form: a guest's details, or a customer's saved or new address."""

import re

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from commerce.accounts.models import Address
from commerce.orders.checkout import ShippingAddress
from commerce.orders.payments import payment_providers
from commerce.orders.pricing import shipping_methods_available

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "country")
NEW_ADDRESS = ""


class CheckoutForm(forms.Form):
    saved_address = forms.ChoiceField(label="Ship to", required=False, widget=forms.RadioSelect)
    email = forms.EmailField()
    phone = PhoneNumberField(help_text="With country code, e.g. +12025550143")
    full_name = forms.CharField(max_length=200, required=False)
    line1 = forms.CharField(label="Address line 1", max_length=255, required=False)
    line2 = forms.CharField(label="Address line 2", max_length=255, required=False)
    city = forms.CharField(max_length=120, required=False)
    region = forms.CharField(label="State / region", max_length=120, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.CharField(max_length=2, initial="US", required=False, help_text="Two-letter code, e.g. US")
    shipping_method = forms.ChoiceField(widget=forms.RadioSelect)
    payment_method = forms.ChoiceField(widget=forms.RadioSelect, initial="cod")
    note = forms.CharField(label="Note for us", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        self.fields["shipping_method"].choices = [
            (m.code, f"{m.name} — {m.price} ({m.min_days}-{m.max_days} days)")
            for m in shipping_methods_available(country="")
        ]
        if self.fields["shipping_method"].choices:
            self.fields["shipping_method"].initial = self.fields["shipping_method"].choices[0][0]
        self.fields["payment_method"].choices = [(p.code, p.label) for p in payment_providers()]
        self.addresses = {str(a.pk): a for a in Address.objects.filter(user=self.user)} if self.user else {}
        if self.addresses:
            self.fields["saved_address"].choices = [
                (pk, f"{a.full_name}, {a.line1}, {a.city} {a.country}") for pk, a in self.addresses.items()
            ] + [(NEW_ADDRESS, "A new address")]
            default = next((pk for pk, a in self.addresses.items() if a.is_default), next(iter(self.addresses)))
            self.fields["saved_address"].initial = default
        else:
            del self.fields["saved_address"]
        if self.user:
            self.fields["email"].initial = self.user.email
            self.fields["phone"].required = False  # the saved address's or the account's phone serves
            if self.user.phone:
                self.fields["phone"].initial = self.user.phone

    def clean_country(self):
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            raise forms.ValidationError("Use a two-letter country code.")
        return country

    def clean(self):
        data = super().clean()
        if data.get("saved_address"):
            if data["saved_address"] not in self.addresses:
                self.add_error("saved_address", "Choose one of your addresses.")
            return data
        for name in ("full_name", "line1", "city", "country"):
            if not data.get(name):
                self.add_error(name, "This field is required.")
        return data

    def destination_country(self) -> str:
        """The country to price shipping and tax for, from what the form holds so far."""
        data = getattr(self, "cleaned_data", {}) or {}
        saved = self.addresses.get(str(data.get("saved_address") or self["saved_address"].value() or "")) if \
            "saved_address" in self.fields else None
        if saved is not None:
            return saved.country
        return (data.get("country") or self["country"].value() or "").upper()

    def order_kwargs(self) -> dict:
        """Keyword arguments for order_place from a valid form."""
        data = self.cleaned_data
        saved = data.get("saved_address")
        return {
            "shipping_method_code": data["shipping_method"],
            "payment_method": data["payment_method"],
            "email": data["email"],
            "phone": str(data.get("phone") or ""),
            "address_id": int(saved) if saved else None,
            "address": None if saved else ShippingAddress(**{f: data.get(f) or "" for f in ADDRESS_FIELDS}),
            "customer_note": data.get("note", ""),
        }
