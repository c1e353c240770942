import pytest

from demo.pages import seed_pages


@pytest.fixture
def home(db):
    """The seeded page tree: home (site root) with shop, about, terms, privacy and contact."""
    return seed_pages()
