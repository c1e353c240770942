import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from commerce.catalog.models import Category, Product, ProductAttributeValue, ProductVariant
from commerce.catalog.tests.factories import CategoryFactory, clothing_type
from commerce.imports.engine import catalog_import_apply, catalog_import_plan
from commerce.imports.export import catalog_export
from commerce.imports.fileformat import write_rows
from commerce.imports.models import CatalogImport

pytestmark = pytest.mark.django_db

HEADER = ["product_slug", "product_name", "product_type", "category", "base_price", "attr:material", "sku",
          "option:size", "option:color", "price", "stock", "weight", "low_stock_threshold"]


def tee_rows(n_products=3, sizes=("s", "m"), colors=("red",)):
    rows = []
    for p in range(n_products):
        for size in sizes:
            for color in colors:
                rows.append({"product_slug": f"tee-{p}", "product_name": f"Tee {p}", "product_type": "clothing",
                             "category": "shirts", "base_price": "15.00", "attr:material": "Cotton",
                             "sku": f"TEE{p}-{size}-{color}".upper(), "option:size": size, "option:color": color,
                             "price": "" if size == "s" else "17.50", "stock": "4", "weight": "0.250",
                             "low_stock_threshold": ""})
    return rows


def run(data: bytes, fmt="csv"):
    plan = catalog_import_plan(io.BytesIO(data), fmt=fmt)
    assert plan.errors == [], plan.errors
    return catalog_import_apply(plan)


@pytest.fixture
def clothing(db):
    ptype = clothing_type()
    CategoryFactory(slug="shirts", name="Shirts")
    return ptype


def test_import_creates_products_variants_and_values_and_reimport_changes_nothing(clothing):
    data = write_rows(HEADER, tee_rows(), fmt="csv")
    result = run(data)
    assert (result.products_created, result.variants_created) == (3, 6)
    variant = ProductVariant.objects.get(sku="TEE0-M-RED")
    assert variant.price == Decimal("17.50") and variant.stock_on_hand == 4 and variant.weight == Decimal("0.250")
    assert sorted(v.slug for v in variant.attribute_values.all()) == ["m", "red"]
    assert ProductVariant.objects.get(sku="TEE0-S-RED").price is None  # empty: the base price applies
    assert ProductAttributeValue.objects.get(product__slug="tee-0").value_text == "Cotton"
    before = list(ProductVariant.objects.order_by("pk").values_list("pk", "updated_at"))
    again = run(data)
    assert again.as_dict() == {"products_created": 0, "products_updated": 0, "variants_created": 0,
                               "variants_updated": 0, "categories_created": 0, "unchanged_rows": 6}
    assert list(ProductVariant.objects.order_by("pk").values_list("pk", "updated_at")) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_is_a_round_trip_that_changes_nothing(clothing, fmt):
    run(write_rows(HEADER, tee_rows(), fmt="csv"))
    ProductVariant.objects.filter(sku="TEE1-S-RED").update(low_stock_threshold=3, is_active=False)
    exported = catalog_export(fmt=fmt)
    result = run(exported, fmt=fmt)
    assert (result.products_updated, result.variants_updated, result.variants_created) == (0, 0, 0)
    assert catalog_export(fmt="csv") == catalog_export(fmt="csv")
    # and into an empty shop: the same catalogue comes out
    csv_before = catalog_export(fmt="csv")
    ProductVariant.objects.all().delete()
    Product.objects.all().delete()
    run(exported, fmt=fmt)
    assert catalog_export(fmt="csv") == csv_before


def test_update_by_sku_changes_only_what_differs(clothing):
    run(write_rows(HEADER, tee_rows(), fmt="csv"))
    rows = tee_rows()
    rows[0]["stock"] = "9"
    rows[1]["price"] = "19.00"
    result = run(write_rows(HEADER, rows, fmt="csv"))
    assert (result.variants_updated, result.products_updated, result.unchanged_rows) == (2, 0, 4)
    assert ProductVariant.objects.get(sku=rows[0]["sku"]).stock_on_hand == 9


def test_a_file_with_50_bad_rows_reports_all_50_and_writes_nothing(clothing):
    rows = tee_rows(n_products=40, sizes=("s", "m", "l"))  # 120 rows
    bad_columns = ["price", "stock", "option:size", "product_type", "weight"]
    bad_values = ["abc", "-1", "xxl", "no-such-type", "heavy"]
    for i in range(50):
        row = rows[i * 2]
        row[bad_columns[i % 5]] = bad_values[i % 5]
    plan = catalog_import_plan(io.BytesIO(write_rows(HEADER, rows, fmt="csv")), fmt="csv")
    assert len(plan.errors) >= 50
    reported_rows = {e.row for e in plan.errors}
    assert reported_rows == {i * 2 + 2 for i in range(50)}  # header is row 1
    assert {(e.row, e.column) for e in plan.errors} >= {(i * 2 + 2, bad_columns[i % 5]) for i in range(50)}
    with pytest.raises(ValueError):
        catalog_import_apply(plan)
    assert not Product.objects.exists() and not ProductVariant.objects.exists()
    assert not Category.objects.exclude(slug="shirts").exists()


def test_problems_name_row_and_column(clothing):
    rows = tee_rows(n_products=1)
    rows[1]["sku"] = rows[0]["sku"]
    rows.append({"product_slug": "bad slug!", "sku": "X1"})
    plan = catalog_import_plan(io.BytesIO(write_rows([*HEADER, "colour"], rows, fmt="csv")), fmt="csv")
    assert {(e.row, e.column) for e in plan.errors} == {(1, "colour")}
    plan = catalog_import_plan(io.BytesIO(write_rows(HEADER, rows, fmt="csv")), fmt="csv")
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert messages[(3, "sku")] == f"SKU {rows[0]['sku']} is already on row 2."
    assert (4, "product_slug") in messages


def test_stock_cannot_go_below_what_orders_hold(clothing):
    run(write_rows(HEADER, tee_rows(n_products=1), fmt="csv"))
    ProductVariant.objects.filter(sku="TEE0-S-RED").update(stock_allocated=3)
    rows = tee_rows(n_products=1)
    rows[0]["stock"] = "2"
    plan = catalog_import_plan(io.BytesIO(write_rows(HEADER, rows, fmt="csv")), fmt="csv")
    assert [(e.row, e.column) for e in plan.errors] == [(2, "stock")]


def test_management_command_imports_with_dry_run_first(clothing, tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(write_rows(HEADER, tee_rows(), fmt="csv"))
    out = io.StringIO()
    call_command("catalog_import", str(path), "--dry-run", stdout=out, verbosity=0)
    assert "Nothing was written" in out.getvalue() and not Product.objects.exists()
    call_command("catalog_import", str(path), stdout=out, verbosity=0)
    assert Product.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(write_rows(HEADER, [{**tee_rows()[0], "price": "x"}], fmt="csv"))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("catalog_import", str(bad), stdout=out, stderr=io.StringIO(), verbosity=0)


def test_admin_upload_runs_the_import_and_offers_the_report(clothing, admin_client, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("catalogue.csv", write_rows(HEADER, tee_rows(), fmt="csv"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("catalog_import:index"), {"file": upload, "dry_run": ""})
    record = CatalogImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("catalog_import:detail", args=[record.pk])
    assert record.status == "done" and record.result["variants_created"] == 6
    page = admin_client.get(response.url)
    assert page.status_code == 200 and b"data-import-progress" in page.content and b"Variants created" in page.content
    status = admin_client.get(reverse("catalog_import:status", args=[record.pk])).json()
    assert status["finished"] and status["done"] == status["total"] > 0
    report = admin_client.get(reverse("catalog_import:report", args=[record.pk]))
    assert report["Content-Type"] == "text/csv" and b"variants_created,6" in report.content
    export = admin_client.get(reverse("catalog_import:export", args=["xlsx"]))
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_admin_dry_run_with_problems_lists_them(clothing, admin_client, django_capture_on_commit_callbacks):
    rows = tee_rows()
    rows[2]["price"] = "cheap"
    upload = SimpleUploadedFile("c.csv", write_rows(HEADER, rows, fmt="csv"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("catalog_import:index"), {"file": upload, "dry_run": "on"})
    response = admin_client.get(response.url)
    assert b"1 problem" in response.content and b"cheap" in response.content
    assert CatalogImport.objects.get().status == "refused" and not Product.objects.exists()
    bad_name = SimpleUploadedFile("c.txt", b"x")
    response = admin_client.post(reverse("catalog_import:index"), {"file": bad_name})
    assert b"Upload a .csv or .xlsx file." in response.content


def test_an_import_announces_created_and_updated_products_to_webhook_endpoints(clothing):
    from commerce.webhooks import events
    from commerce.webhooks.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(name="ERP", url="https://erp.example.com/hook",
                                   events=[events.PRODUCT_CREATED, events.PRODUCT_UPDATED])
    run(write_rows(HEADER, tee_rows(n_products=2), fmt="csv"))
    created = WebhookDelivery.objects.filter(event=events.PRODUCT_CREATED)
    assert sorted(d.payload["data"]["product"]["slug"] for d in created) == ["tee-0", "tee-1"]
    assert not WebhookDelivery.objects.filter(event=events.PRODUCT_UPDATED).exists()

    rows = tee_rows(n_products=2)
    rows[0]["stock"] = "9"  # a variant of tee-0 changes
    run(write_rows(HEADER, rows, fmt="csv"))
    (updated,) = WebhookDelivery.objects.filter(event=events.PRODUCT_UPDATED)
    assert updated.payload["data"]["product"]["slug"] == "tee-0"
    assert any(v["stock_available"] == 9 for v in updated.payload["data"]["product"]["variants"])

    run(write_rows(HEADER, rows, fmt="csv"))  # nothing changed: nothing announced
    assert WebhookDelivery.objects.count() == 3
