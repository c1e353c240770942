"""Catalogue import benchmark: 10,000 products x 5 variants from one CSV into PostgreSQL.

Not part of the test suite. Target (issue 14): the whole import, check and write, in <= 60 s.
It also re-imports the same file (must change nothing) and checks a file with 50 bad rows (must
report all 50 and write nothing). Uses the database named by BENCH_IMPORT_DATABASE_URL, migrates
it, and removes the products it imported before and after; without it, it uses a database of its own,
`cartwheel_import_bench` on the local PostgreSQL, recreated empty at each run.

    .venv/bin/python bench/catalog_import_bench.py [--products 10000] [--keep]
"""

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
OWN_DATABASE = "cartwheel_import_bench"
if os.environ.get("BENCH_IMPORT_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_IMPORT_DATABASE_URL"]
else:
    from bench.common.harness import database_recreate, database_url  # noqa: E402

    database_recreate(OWN_DATABASE)
    os.environ["DATABASE_URL"] = database_url(OWN_DATABASE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# the search indexing that follows the commit is timed on its own below, not queued to a worker
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

SIZES = ["xs", "s", "m", "l", "xl"]
HEADER = ["product_slug", "product_name", "product_type", "category", "sku_prefix", "base_price", "description",
          "live", "attr:bench-material", "sku", "option:bench-size", "price", "stock", "weight"]


def make_csv(products: int, *, bad_rows: int = 0) -> bytes:
    out = io.StringIO()
    out.write(",".join(HEADER) + "\n")
    row_index = 0
    for p in range(products):
        for size in SIZES:
            price = "" if size in ("s", "m") else f"{20 + p % 7}.50"
            stock = str((p * 7 + len(size)) % 40)
            if row_index < bad_rows * 100 and row_index % 100 == 0:
                stock = "minus-one"  # one bad row in every hundred, bad_rows of them
            out.write(f"bench-{p},Bench product {p},bench-tee,bench-cat-{p % 20},BT{p},19.99,"
                      f"<p>Product {p}</p>,yes,Cotton,BT{p}-{size.upper()},{size},{price},{stock},0.{200 + p % 99}\n")
            row_index += 1
    return out.getvalue().encode()


def setup_catalogue():
    from commerce.catalog.models import Attribute, AttributeValue, ProductType, ProductTypeAttribute

    size, _ = Attribute.objects.get_or_create(slug="bench-size", defaults={"name": "Bench size"})
    for i, s in enumerate(SIZES):
        AttributeValue.objects.get_or_create(attribute=size, slug=s, defaults={"name": s.upper(), "code": s.upper(),
                                                                                 "sort_order": i})
    material, _ = Attribute.objects.get_or_create(slug="bench-material", defaults={"name": "Bench material",
                                                                                   "type": Attribute.Type.TEXT})
    ptype, created = ProductType.objects.get_or_create(slug="bench-tee", defaults={"name": "Bench tee"})
    if created:
        ProductTypeAttribute.objects.create(product_type=ptype, attribute=size, role="variant")
        ProductTypeAttribute.objects.create(product_type=ptype, attribute=material, role="product")


def cleanup():
    from commerce.catalog.models import Category, Product, ProductVariant

    ProductVariant.objects.filter(product__slug__startswith="bench-").delete()
    Product.objects.filter(slug__startswith="bench-").delete()
    Category.objects.filter(slug__startswith="bench-cat-").delete()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="leave the imported products in the database")
    args = parser.parse_args()

    import django

    django.setup()
    from unittest import mock

    from django.core.management import call_command
    from django.db import connection

    from commerce.catalog.models import Product, ProductVariant
    from commerce.imports.engine import catalog_import_apply, catalog_import_plan, catalog_search_index

    call_command("migrate", verbosity=0)
    setup_catalogue()
    if os.environ.get("BENCH_IMPORT_DATABASE_URL"):
        cleanup()
    data = make_csv(args.products)
    rows = args.products * len(SIZES)
    print(f"{connection.vendor}: {rows} rows, {len(data) / 1e6:.1f} MB CSV")

    started = time.perf_counter()
    plan = catalog_import_plan(io.BytesIO(data), fmt="csv")
    checked = time.perf_counter()
    assert not plan.errors, plan.errors[:5]
    with mock.patch("commerce.imports.tasks.catalog_search_index_task.delay"):  # timed separately below
        result = catalog_import_apply(plan)
    done = time.perf_counter()
    assert result.products_created == args.products and result.variants_created == rows, result
    assert ProductVariant.objects.filter(product__slug__startswith="bench-").count() == rows
    first = {"check_s": round(checked - started, 2), "write_s": round(done - checked, 2),
             "total_s": round(done - started, 2), **result.as_dict()}
    print("first import:", first)
    started = time.perf_counter()
    catalog_search_index(product_ids=list(Product.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)))
    first["search_index_after_commit_s"] = round(time.perf_counter() - started, 2)
    print(f"search indexing after the commit (a Celery task in production): {first['search_index_after_commit_s']} s")

    started = time.perf_counter()
    again = catalog_import_apply(catalog_import_plan(io.BytesIO(data), fmt="csv"))
    reimport = {"total_s": round(time.perf_counter() - started, 2), **again.as_dict()}
    assert (again.products_updated, again.variants_updated, again.variants_created) == (0, 0, 0), again
    print("re-import of the same file:", reimport)

    # the same catalogue with 50 bad rows: every one reported, nothing written (the imported products
    # stay as they are; deleting 10,000 products first would spend minutes re-indexing them)
    stock_before = sorted(ProductVariant.objects.filter(product__slug__startswith="bench-").values_list("sku", "stock_on_hand"))
    bad = make_csv(args.products, bad_rows=50)
    started = time.perf_counter()
    bad_plan = catalog_import_plan(io.BytesIO(bad), fmt="csv")
    bad_s = round(time.perf_counter() - started, 2)
    assert len(bad_plan.errors) == 50 and len({e.row for e in bad_plan.errors}) == 50, len(bad_plan.errors)
    assert stock_before == sorted(ProductVariant.objects.filter(product__slug__startswith="bench-")
                                  .values_list("sku", "stock_on_hand"))
    print(f"file with 50 bad rows: {len(bad_plan.errors)} problems reported in {bad_s} s, nothing written")

    if not args.keep and os.environ.get("BENCH_IMPORT_DATABASE_URL"):
        cleanup()  # someone else's database: leave it as it was (our own is recreated at each run)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "catalog_import.json").write_text(json.dumps(
        {"rows": rows, "first_import": first, "reimport": reimport, "bad_rows_check_s": bad_s}, indent=2))
    verdict = "PASS" if first["total_s"] <= 60 else "FAIL"
    print(f"{verdict}: {rows} rows imported in {first['total_s']} s (target <= 60 s)")


if __name__ == "__main__":
    main()
