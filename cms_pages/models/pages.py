from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms_pages.blocks import HomeStreamBlock, StandardStreamBlock


class SocialImageMixin(models.Model):
    """An image for OpenGraph/Twitter cards, chosen on the Promote tab."""

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared; 1200x630 works best",
    )

    class Meta:
        abstract = True


SEO_PANELS = [
    MultiFieldPanel(
        [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description"), FieldPanel("social_image")],
        heading="For search engines and sharing",
    ),
    FieldPanel("show_in_menus"),
]


class HomePage(SocialImageMixin, Page):  # noqa: DJ008 - Page.__str__ gives the title
    body = StreamField(HomeStreamBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    promote_panels = SEO_PANELS
    search_fields = Page.search_fields + [index.SearchField("body")]
    api_fields = [APIField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms_pages.ShopPage", "cms_pages.StandardPage", "cms_pages.ContactPage"]
    template = "cms_pages/home_page.html"

    class Meta:
        verbose_name = "home page"


class StandardPage(SocialImageMixin, Page):  # noqa: DJ008 - Page.__str__ gives the title
    """About, terms, privacy: a title, an introduction and a body."""

    intro = models.TextField(blank=True)
    body = StreamField(StandardStreamBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    promote_panels = SEO_PANELS
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    api_fields = [APIField("intro"), APIField("body")]

    parent_page_types = ["cms_pages.HomePage", "cms_pages.StandardPage"]
    subpage_types = ["cms_pages.StandardPage"]
    template = "cms_pages/standard_page.html"

    class Meta:
        verbose_name = "standard page"


class ContactFormField(AbstractFormField):
    page = ParentalKey("ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactPage(SocialImageMixin, AbstractEmailForm):  # noqa: DJ008 - Page.__str__ gives the title
    """Wagtail's form builder with a honeypot, a per-IP throttle and email through Celery.

    Serving and submission handling live in cms_pages.contact so that this model keeps to fields.
    """

    intro = RichTextField(blank=True)
    thank_you_text = RichTextField(blank=True, default="<p>Thank you, we will get back to you soon.</p>")

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading="Email the submissions to",
        ),
    ]
    promote_panels = SEO_PANELS
    api_fields = [APIField("intro"), APIField("thank_you_text")]

    parent_page_types = ["cms_pages.HomePage"]
    subpage_types = []
    template = "cms_pages/contact_page.html"
    landing_page_template = "cms_pages/contact_page_landing.html"

    class Meta:
        verbose_name = "contact page"

    def get_form_class(self):
        from cms_pages.contact import with_honeypot

        return with_honeypot(super().get_form_class())

    def serve(self, request, *args, **kwargs):
        from cms_pages.contact import contact_page_serve

        return contact_page_serve(page=self, request=request)

    def process_form_submission(self, form):
        from cms_pages.contact import contact_submission_create

        return contact_submission_create(page=self, form=form)


class ShopPage(RoutablePageMixin, SocialImageMixin, Page):  # noqa: DJ008 - Page.__str__ gives the title
    """The catalogue. Editors place it (once) under the home page and write its intro and SEO;
    its routes serve the listing, the categories and the products through the catalogue's views."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    promote_panels = SEO_PANELS
    api_fields = [APIField("intro")]

    parent_page_types = ["cms_pages.HomePage"]
    subpage_types = []
    max_count = 1
    template = "cms_pages/shop_page.html"

    class Meta:
        verbose_name = "shop page"

    @path("")
    def listing(self, request):
        from storefront.catalogue import shop_routes

        return shop_routes.listing(request, shop_page=self)

    @path("category/<slug:slug>/")
    def category(self, request, slug):
        from storefront.catalogue import shop_routes

        return shop_routes.category(request, shop_page=self, slug=slug)

    @path("product/<slug:slug>/")
    def product(self, request, slug):
        from storefront.catalogue import shop_routes

        return shop_routes.product(request, shop_page=self, slug=slug)

    def get_sitemap_urls(self, request=None):
        from cms_pages.selectors import shop_sitemap_entries

        urls = super().get_sitemap_urls(request)
        site = self.get_site()
        if site is None:
            return urls
        return urls + shop_sitemap_entries(root_url=site.root_url)
