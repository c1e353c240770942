import pytest
from django.urls import reverse
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from cms_pages.models import ContactPage, HomePage, ShopPage, StandardPage
from demo.pages import seed_pages


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_page_only_at_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(StandardPage, HomePage)

    def test_shop_standard_contact_pages_under_home(self):
        self.assertAllowedSubpageTypes(HomePage, {ShopPage, StandardPage, ContactPage})
        self.assertCanCreateAt(HomePage, ShopPage)
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreateAt(HomePage, ContactPage)
        self.assertCanNotCreateAt(Page, ShopPage)

    def test_standard_page_nests_only_standard_pages(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        self.assertAllowedSubpageTypes(ContactPage, set())
        self.assertAllowedSubpageTypes(ShopPage, set())


class SeededPagesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = seed_pages()

    def test_seed_pages_replaces_welcome_page_as_site_root(self):
        site = Site.objects.get(is_default_site=True)
        self.assertEqual(site.root_page.specific, self.home)
        self.assertFalse(Page.objects.filter(slug="wagtail-welcome").exists())

    def test_seed_pages_is_idempotent(self):
        seed_pages()
        self.assertEqual(HomePage.objects.count(), 1)
        self.assertEqual(ShopPage.objects.count(), 1)
        self.assertEqual(StandardPage.objects.count(), 3)

    def test_home_page_renders_blocks_and_settings(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Everyday clothes, made to last")
        self.assertContains(response, "Autumn layers are in")  # the seeded home-strip banner
        self.assertContains(response, 'rel="canonical" href="http://localhost/"')
        self.assertContains(response, "Terms of sale")  # footer menu from NavigationSettings

    def test_standard_page_renders(self):
        about = StandardPage.objects.get(slug="about")
        self.assertPageIsRenderable(about)
        response = self.client.get(about.url)
        self.assertContains(response, "<h1>About us</h1>", html=True)

    def test_pages_open_in_the_admin_editor(self):
        self.login()
        for page in [self.home, StandardPage.objects.get(slug="about"), ContactPage.objects.get(), ShopPage.objects.get()]:
            response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
            self.assertEqual(response.status_code, 200, page)


@pytest.mark.django_db
def test_robots_txt_points_to_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Disallow: /admin/" in response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


@pytest.mark.django_db
def test_404_page_in_site_style(client, home):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()
    assert 'class="skip-link"' in response.content.decode()


def test_server_error_renders_without_request_context(rf):
    from storefront.search.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
