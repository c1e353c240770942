"""factory-boy factories for accounts; other apps' tests import them."""

import factory

from commerce.accounts.models import Address, User

PASSWORD = "Correct-Horse-Battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = "Ada"
    last_name = "Lovelace"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    full_name = "Ada Lovelace"
    phone = "+14155550123"
    line1 = factory.Sequence(lambda n: f"{n} Market Street")
    city = "San Francisco"
    region = "CA"
    postal_code = "94103"
    country = "US"
