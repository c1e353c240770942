"""Demo content: the home page (replacing Wagtail's welcome page as the site root), the shop,
about, terms, privacy and contact pages, a hero banner, settings and menus. Idempotent.

Called by the catalogue's `seed_demo` command after the products exist, so the home page's
product grids have something to show.
"""

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from cms_pages.models import (
    Banner,
    ContactFormField,
    ContactPage,
    HomePage,
    NavigationSettings,
    ShopPage,
    ShopSettings,
    StandardPage,
)

HOME_BODY = [
    {
        "type": "hero",
        "value": {
            "heading": "Everyday clothes, made to last",
            "text": "Soft tees, warm hoodies and the bits that go with them. Free delivery on bigger orders.",
            "image": None,
            "button_label": "Shop the collection",
            "button_url": "/shop/",
        },
    },
    {"type": "banner_slot", "value": {"placement": "home-strip", "limit": 3}},
    {"type": "category_tiles", "value": {"heading": "Shop by category", "categories": []}},
    {"type": "product_grid", "value": {"heading": "New in", "source": "new", "category": "", "attribute_value": "", "limit": 8}},
    {"type": "product_grid", "value": {"heading": "On sale", "source": "on_sale", "category": "", "attribute_value": "", "limit": 4}},
    {
        "type": "call_to_action",
        "value": {
            "heading": "Questions about sizes or delivery?",
            "text": "Write to us, we answer within a working day.",
            "link": {"label": "Contact us", "page": None, "url": "/contact/"},
        },
    },
]

LEGAL = {
    "about": ("About us", "Cartwheel is a small shop with a short supply chain.", "<p>We design in small batches and ship from our own warehouse.</p>"),
    "terms": ("Terms of sale", "The rules of buying from us.", "<p>Orders are paid cash on delivery. You can return unworn items within 30 days.</p>"),
    "privacy": ("Privacy", "What we keep about you and why.", "<p>We keep your order details to deliver and support your orders, and nothing more.</p>"),
}


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    return page


def _home_page() -> HomePage:
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.get_first_root_node()
    # Wagtail's welcome page holds the slug "home" and the default Site: move both aside first.
    welcome = Page.objects.filter(depth=2, slug="home").exclude(content_type__model="homepage").first()
    if welcome is not None:
        welcome.slug = "wagtail-welcome"
        welcome.save()
    home = root.add_child(instance=HomePage(title="Home", slug="home", body=HOME_BODY, seo_title="Cartwheel shop"))
    _publish(home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Cartwheel")
    else:
        site.root_page = home
        site.site_name = site.site_name or "Cartwheel"
        site.save()
    if welcome is not None and not welcome.get_children().exists():
        welcome.delete()
    return home


def _child(parent: Page, model, slug: str, **fields) -> Page:
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing
    page = parent.add_child(instance=model(slug=slug, **fields))
    return _publish(page)


@transaction.atomic
def seed_pages() -> HomePage:
    home = _home_page()
    _child(home, ShopPage, "shop", title="Shop", intro="<p>Everything we make, in one place.</p>",
           search_description="Browse the whole Cartwheel catalogue.")
    for slug, (title, intro, body) in LEGAL.items():
        _child(home, StandardPage, slug, title=title, intro=intro, body=[{"type": "rich_text", "value": body}],
               show_in_menus=slug == "about")
    contact = ContactPage.objects.child_of(home).filter(slug="contact").first()
    if contact is None:
        contact = home.add_child(instance=ContactPage(
            title="Contact us", slug="contact", to_address=settings.SHOP_STAFF_EMAIL,
            subject="Message from the shop's contact form",
            intro="<p>Questions about an order, sizes or delivery? Write to us.</p>",
        ))
        for order, (label, field_type, required) in enumerate([
            ("Your name", "singleline", True),
            ("Email", "email", True),
            ("Order number", "singleline", False),
            ("Message", "multiline", True),
        ]):
            ContactFormField.objects.create(page=contact, sort_order=order, label=label, field_type=field_type,
                                            required=required)
        _publish(contact)

    site = Site.objects.get(root_page=home)
    shop_settings = ShopSettings.for_site(site)
    if not shop_settings.contact_email:
        shop_settings.contact_email = settings.SHOP_STAFF_EMAIL
        shop_settings.contact_phone = "+1 555 0100"
        shop_settings.address = "1 Market Street\nSpringfield"
        shop_settings.instagram_url = "https://instagram.com/cartwheel"
        shop_settings.save()
    navigation = NavigationSettings.for_site(site)
    if not navigation.header_links:
        # the header shows "Shop all" and the category menu itself; these are the extra links
        navigation.header_links = [
            {"type": "link", "value": {"label": "About", "page": None, "url": "/about/"}},
            {"type": "link", "value": {"label": "Contact", "page": None, "url": "/contact/"}},
        ]
        navigation.footer_links = [
            {"type": "link", "value": {"label": label, "page": None, "url": f"/{slug}/"}}
            for slug, label in [("about", "About us"), ("terms", "Terms of sale"), ("privacy", "Privacy"),
                                ("contact", "Contact")]
        ]
        navigation.save()
    if not Banner.objects.filter(title="Autumn layers are in").exists():
        banner = Banner.objects.create(
            title="Autumn layers are in", placement=Banner.Placement.HOME_STRIP,
            text="Hoodies and long sleeves for cooler days.", link_url="/shop/", link_label="Shop now", live=False,
        )
        banner.save_revision().publish()
    from demo.promotions import DEMO_COUPON_CODE

    coupon_title = f"10% off with code {DEMO_COUPON_CODE}"
    if not Banner.objects.filter(title=coupon_title).exists():
        banner = Banner.objects.create(
            title=coupon_title, placement=Banner.Placement.HOME_STRIP,
            text=f"New here? Enter {DEMO_COUPON_CODE} in your cart for 10% off your order.",
            link_url="/shop/", link_label="Start shopping", live=False,
        )
        banner.save_revision().publish()
    return home
