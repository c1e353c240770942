# The domain app's fixtures (customer, variant, ...), shared with the tests that moved here from it.
from commerce.cart.tests.conftest import *  # noqa: F403
