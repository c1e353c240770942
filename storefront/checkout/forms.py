"""The site's checkout form: a guest's details, or a customer's saved or new address."""

from django import forms
from django_countries import countries
from phonenumber_field.formfields import PhoneNumberField

from commerce.accounts.models import Address
from commerce.core.money import format_money
from commerce.orders.checkout import ShippingAddress
from commerce.orders.payments import payment_providers
from commerce.orders.pricing import shipping_methods_available

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "country")
NEW_ADDRESS = ""
DEFAULT_COUNTRY = "US"

# WCAG 1.3.5: every field that collects the shopper's own details says what it is
AUTOCOMPLETE = {
    "email": "email",
    "phone": "tel",
    "full_name": "shipping name",
    "line1": "shipping address-line1",
    "line2": "shipping address-line2",
    "city": "shipping address-level2",
    "region": "shipping address-level1",
    "postal_code": "shipping postal-code",
    "country": "shipping country",
}


def _method_label(method) -> str:
    days = f"{method.min_days}–{method.max_days} days" if method.min_days != method.max_days else f"{method.min_days} days"
    return f"{method.name} — {format_money(method.price)} ({days})"


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
    # ISO 3166-1 from django-countries (kept up to date with the standard, names translated)
    country = forms.ChoiceField(choices=[("", "Choose a country")] + list(countries), initial=DEFAULT_COUNTRY, required=False)
    shipping_method = forms.ChoiceField(widget=forms.RadioSelect)
    payment_method = forms.ChoiceField(widget=forms.RadioSelect, initial="cod")
    note = forms.CharField(label="Note for us", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get("country"):  # "fr" and "FR" are the same country
            self.data = self.data.copy()
            self.data["country"] = self.data["country"].strip().upper()
        self.user = user if user is not None and user.is_authenticated else None
        for name, token in AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token
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
        # only the methods that ship to the destination are offered: changing the country and
        # pressing "Update" (or, with JavaScript, just changing it) re-offers them
        methods = shipping_methods_available(country=self.destination_country())
        self.fields["shipping_method"].choices = [(m.code, _method_label(m)) for m in methods]
        self.fields["shipping_method"].initial = methods[0].code if methods else None
        if self.is_bound and methods and self.data.get("shipping_method") not in {m.code for m in methods}:
            # the previous choice does not ship here: preselect the first one that does
            self.data = self.data.copy()
            self.data["shipping_method"] = methods[0].code
            self.shipping_reset = True
        else:
            self.shipping_reset = False

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").upper()

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
        country = (data.get("country") or self["country"].value() or "").upper()
        return country if country in countries else ""

    def link_errors(self) -> None:
        """Tie each field to its error message (aria-describedby, aria-invalid), for the error summary."""
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [self.error_id(name)]
            if bound.help_text:
                described.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs.update({"aria-describedby": " ".join(described), "aria-invalid": "true"})

    def error_id(self, name: str) -> str:
        return f"{self[name].auto_id}-error"

    def error_summary(self) -> list[dict]:
        """[{label, message, href}] for the summary at the top of the form, in field order."""
        items = [{"label": "", "message": message, "href": ""} for message in self.non_field_errors()]
        for name in self.fields:
            bound = self[name]
            for message in bound.errors:
                target = bound.auto_id
                if isinstance(bound.field.widget, forms.RadioSelect):
                    target = f"{bound.auto_id}_0"
                items.append({"label": bound.label, "message": message, "href": f"#{target}"})
        return items

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
