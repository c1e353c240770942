import pytest

from demo.pages import seed_pages


@pytest.mark.django_db
def test_wagtail_pages_api_serves_live_pages(client):
    seed_pages()
    response = client.get("/api/v1/cms/pages/", {"type": "cms_pages.StandardPage", "fields": "intro"})
    assert response.status_code == 200
    titles = {item["title"] for item in response.json()["items"]}
    assert titles == {"About us", "Terms of sale", "Privacy"}


@pytest.mark.django_db
def test_wagtail_pages_api_hides_unpublished_pages(client):
    from cms_pages.models import StandardPage

    seed_pages()
    StandardPage.objects.get(slug="privacy").unpublish()
    response = client.get("/api/v1/cms/pages/", {"type": "cms_pages.StandardPage"})
    assert "Privacy" not in {item["title"] for item in response.json()["items"]}


@pytest.mark.django_db
def test_wagtail_images_and_documents_api_are_mounted(client):
    assert client.get("/api/v1/cms/images/").status_code == 200
    assert client.get("/api/v1/cms/documents/").status_code == 200


def test_openapi_schema_leaves_out_wagtail_api_but_documents_banners():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not [p for p in schema["paths"] if p.startswith("/api/v1/cms/")]
    assert "/api/v1/banners/" in schema["paths"]


@pytest.mark.django_db
def test_cms_pages_link_to_the_storefront_origin_not_the_admins(client, settings):
    seed_pages()
    settings.STOREFRONT_URL = "https://shop.example.com"
    about = next(item for item in client.get("/api/v1/cms/pages/", {"type": "cms_pages.StandardPage"}).json()["items"]
                 if item["title"] == "About us")
    assert about["meta"]["html_url"] == "https://shop.example.com/about/"
    detail = client.get(f"/api/v1/cms/pages/{about['id']}/").json()
    assert detail["meta"]["html_url"] == "https://shop.example.com/about/"
    assert detail["meta"]["parent"]["meta"]["html_url"] == "https://shop.example.com/"
    settings.STOREFRONT_URL = ""  # storefront links off
    assert client.get(f"/api/v1/cms/pages/{about['id']}/").json()["meta"]["html_url"] is None
