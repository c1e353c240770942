"""`manage.py seed_demo`: a believable demo shop. Idempotent: a second run creates and changes nothing.

The work is a list of small steps (STEPS) so other areas (pages, coupons, reviews...) can add theirs.
"""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from demo import catalog as seed


def _step_catalogue(command: "Command") -> str:
    progress = (lambda items: tqdm(items, desc="Products", unit="product", file=command.stderr._out)) if command.verbosity else iter
    result = seed.seed_catalogue(progress=progress)
    return f"{result['products_created']} products created"


def _step_shipping(command: "Command") -> str:
    seed.seed_shipping_and_tax()
    return "shipping methods and tax rate ready"


def _step_admin(command: "Command") -> str:
    created = seed.seed_demo_admin()
    state = "created" if created else "already there"
    return f"demo admin {seed.DEMO_ADMIN_EMAIL} {state}"


def _step_coupon(command: "Command") -> str:
    from demo.promotions import seed_demo_coupon

    coupon = seed_demo_coupon()
    return f"demo coupon {coupon.code} ready"


def _step_pages(command: "Command") -> str:
    from demo.pages import seed_pages  # after the catalogue: the home page's grids show its products

    home = seed_pages()
    return f"home page, shop, about, terms, privacy and contact pages ready at {home.url}"


STEPS = [
    ("catalogue", _step_catalogue),
    ("shipping and tax", _step_shipping),
    ("demo admin", _step_admin),
    ("coupon", _step_coupon),  # before the pages: the home banner announces it
    ("pages", _step_pages),
]


class Command(BaseCommand):
    help = "Load the demo shop: catalogue with pictures and variants, shipping, tax and a demo admin."

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        for name, step in STEPS:
            message = step(self)
            if self.verbosity:
                self.stdout.write(f"{name}: {message}")
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(f"Demo shop ready in {time.monotonic() - started:.1f} s."))
