"""Catalogue v2 benchmark (issue 11): facets and search uncached, and cached reads under order traffic.

Not part of the test suite. Seeds the 10,000 x 5 catalogue of catalog_bench.py (plus the search index),
serves it with gunicorn (2 sync workers, production settings) and drives it with wrk:

- no cache: the floor, `GET /api/v1/products/?facets=true` (list page 1 with facets) and `?q=` over a
  few search words;
- Redis, **mixed traffic**: cached list page 1 and 500 details for `--seconds` with no orders, then the
  same reads while Python threads place guest checkouts at `--orders-per-s` on products of list page 1.
  A sampler reads one ordered product's page every 50 ms and compares its `available` with the
  database's value polled a second earlier (stock only goes down during the run, so an answer above
  it is staler than 1 s). It also reports whether any untouched detail can have been recomputed (the
  catalogue version and those products' scope counters unchanged), and oversell.

    .venv/bin/python bench/catalog_v2_bench.py [--db NAME] [--port 8766] [--seconds 10] [--orders-per-s 45]
"""

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import catalog_bench  # noqa: E402
from bench.checkout_bench import GUEST_BODY  # noqa: E402
from bench.common.harness import (  # noqa: E402
    RESULTS_DIR,
    database_drop,
    database_recreate,
    database_url,
    fetch,
    gunicorn_running,
    manage,
    wrk_available,
    wrk_run,
)

FLOOR_PATH = "/bench/floor/"
FACETS_PATH = "/api/v1/products/?facets=true"
SEARCH_PATHS = [f"/api/v1/products/?q={q}" for q in ("red", "black+tee", "aisle", "department+3", "tee+00042")]
PAGE_1_SLUGS = [f"bench-tee-{n:05}" for n in range(20)]  # ordered by name: list page 1
TARGETS = {
    "facets_uncached_rps": 250, "facets_floor_ratio": 0.08, "facets_extra_queries": 2,
    "mixed_read_ratio": 0.9, "mixed_p99_ratio": 2.0, "orders_per_s": 40, "stale_reads": 0, "oversell": 0,
    "search_uncached_rps": 150,
}


def prepare_orders(count: int) -> tuple[list[str], dict[int, int]]:
    """`count` guest carts, each one unit of a variant of a list-page-1 product, with stock for all."""
    import uuid

    from commerce.cart.models import Cart, CartLine
    from commerce.catalog.models import ProductVariant
    from commerce.orders.models import ShippingMethod

    ShippingMethod.objects.get_or_create(code="standard", defaults={"name": "Standard", "price": "5.00"})
    variants = list(ProductVariant.objects.filter(product__slug__in=PAGE_1_SLUGS, is_active=True).order_by("pk"))
    ProductVariant.objects.filter(pk__in=[v.pk for v in variants]).update(stock_on_hand=10_000, stock_allocated=0)
    carts = Cart.objects.bulk_create([Cart(token=uuid.uuid4()) for _ in range(count)])
    CartLine.objects.bulk_create([CartLine(cart=c, variant=variants[i % len(variants)], quantity=1) for i, c in enumerate(carts)])
    return [str(c.token) for c in carts], {v.pk: v.product_id for v in variants}


def drive_orders(port: int, tokens: list[str], rate: float, seconds: float, results: dict) -> None:
    """Guest checkouts at `rate` per second (paced, 8 threads) for `seconds`."""
    body = json.dumps(GUEST_BODY)
    lock, statuses, queue = threading.Lock(), {}, list(tokens)
    start = time.monotonic()

    def worker(offset: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = offset
        while True:
            due = start + n / rate
            if due - start > seconds:
                return
            time.sleep(max(0.0, due - time.monotonic()))
            with lock:
                if not queue:
                    return
                token = queue.pop()
            try:
                conn.request("POST", "/api/v1/checkout/", body=body,
                             headers={"Content-Type": "application/json", "X-Cart-Token": token})
                status = conn.getresponse()
                status.read()
                code = status.status
            except Exception:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                code = "error"
            with lock:
                statuses[code] = statuses.get(code, 0) + 1
            n += 8

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    results.update(statuses=statuses, orders_per_s=round(statuses.get(201, 0) / elapsed, 1))


def sample_staleness(port: int, slug: str, variant_id: int, seconds: float, results: dict) -> None:
    """Read the product's page every 50 ms; poll the database beside it; count answers staler than 1 s."""
    from django.db import connection

    from commerce.catalog.models import ProductVariant

    polls, reads = [], []  # (time, available)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = ProductVariant.objects.filter(pk=variant_id).values_list("stock_on_hand", "stock_allocated").get()
        polls.append((time.monotonic(), v[0] - v[1]))
        t = time.monotonic()
        conn.request("GET", f"/api/v1/products/{slug}/")
        answer = json.loads(conn.getresponse().read())
        reads.append((t, next(x["available"] for x in answer["variants"] if x["id"] == variant_id)))
        time.sleep(0.05)
    connection.close()
    stale = 0
    for t, available in reads:
        earlier = [a for pt, a in polls if pt <= t - 1.0]
        if earlier and available > earlier[-1]:
            stale += 1
    results.update(samples=len(reads), stale_over_1s=stale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="cartwheel_bench_v2")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--orders-per-s", type=float, default=45)
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if not wrk_available():
        raise SystemExit("wrk not found: apt-get install wrk")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    env = catalog_bench.base_env(RESULTS_DIR / "media-v2")
    env.update(DATABASE_URL=database_url(args.db), THROTTLE_CHECKOUT="1000000/min", EMAIL_URL="dummymail://")
    if os.environ.get("BENCH_CACHE_KEY_PREFIX"):  # a shared Redis: keep to the prefix you were given
        env["CACHE_KEY_PREFIX"] = f"{os.environ['BENCH_CACHE_KEY_PREFIX']}-{os.getpid()}"
    if not args.reuse_db:
        database_recreate(args.db)
        manage("migrate", "--noinput", "-v0", env=env)
        catalog_bench.seed(env)
        started = time.monotonic()
        manage("update_index", "-v0", env=env)
        print(f"search index built in {time.monotonic() - started:.1f} s", flush=True)
    else:
        os.environ.update(env)
        import django

        django.setup()
    results: dict = {"targets": TARGETS, "load_average_1min_start": os.getloadavg()[0]}
    try:
        with gunicorn_running(env={**env, "BENCH_CACHE": "none"}, port=args.port, workers=2, worker_class="sync",
                              threads=1, niceness=0, ready_path=FLOOR_PATH) as server:
            base = server.base_url
            for path in (FACETS_PATH, *SEARCH_PATHS):
                status, body = fetch(base + path)
                assert status == 200, (path, body[:300])
            runs = {
                "floor": wrk_run("floor", base + FLOOR_PATH, seconds=args.seconds),
                "list_page_1_facets_uncached": wrk_run("list page 1 + facets (uncached)", base + FACETS_PATH, seconds=args.seconds),
                "search_uncached": wrk_run("search q= (uncached)", base, paths=SEARCH_PATHS, seconds=args.seconds),
            }
            results["uncached"] = {k: v.as_dict() for k, v in runs.items()}

        slugs = [f"bench-tee-{n:05}" for n in random.Random(7).sample(range(catalog_bench.PRODUCTS), 500)]
        untouched = [s for s in slugs if s not in PAGE_1_SLUGS]
        read_paths = ["/api/v1/products/", *[f"/api/v1/products/{s}/" for s in slugs]]
        tokens, variant_products = prepare_orders(int(args.orders_per_s * args.seconds * 1.3) + 50)
        from commerce.catalog.cache import _stored_scope, catalog_version
        from commerce.catalog.models import Product, ProductVariant

        with gunicorn_running(env=env, port=args.port, workers=2, worker_class="sync", threads=1, niceness=0,
                              ready_path=FLOOR_PATH) as server:
            base = server.base_url
            for path in read_paths:
                fetch(base + path)
            wrk_run("warm-up", base, paths=read_paths, seconds=3)
            alone = wrk_run("cached reads, no orders", base, paths=read_paths, seconds=args.seconds)
            version_before = catalog_version()
            from django.utils import timezone

            orders_started_at = timezone.now()
            allocated_before = dict(ProductVariant.objects.filter(pk__in=variant_products).values_list("pk", "stock_allocated"))
            orders, sampler = {}, {}
            watched_variant = next(iter(variant_products))
            watched_slug = Product.objects.get(pk=variant_products[watched_variant]).slug
            threads = [
                threading.Thread(target=drive_orders, args=(args.port, tokens, args.orders_per_s, args.seconds + 1, orders)),
                threading.Thread(target=sample_staleness, args=(args.port, watched_slug, watched_variant, args.seconds, sampler)),
            ]
            for t in threads:
                t.start()
            time.sleep(0.5)
            mixed = wrk_run("cached reads, with orders", base, paths=read_paths, seconds=args.seconds)
            for t in threads:
                t.join()
            time.sleep(1)
            untouched_ids = list(Product.objects.filter(slug__in=untouched).values_list("pk", flat=True))
            rows = ProductVariant.objects.filter(pk__in=variant_products).values_list("pk", "stock_on_hand", "stock_allocated")
            from django.db.models import Sum

            from commerce.orders.models import OrderLine

            ordered = dict(  # this run's orders only (a --reuse-db run starts with the last run's)
                OrderLine.objects.filter(variant_id__in=variant_products, order__created_at__gte=orders_started_at)
                .values("variant_id").annotate(n=Sum("quantity")).values_list("variant_id", "n")
            )
            results["mixed"] = {
                "reads_alone": alone.as_dict(),
                "reads_with_orders": mixed.as_dict(),
                "read_ratio": round(mixed.rps / alone.rps, 3),
                "p99_ratio": round(mixed.p99_ms / alone.p99_ms, 3) if alone.p99_ms else None,
                "orders": orders,
                "staleness": sampler,
                "catalogue_version_unchanged": catalog_version() == version_before,
                "untouched_details_with_a_bumped_scope": sum(
                    1 for pk in untouched_ids if _stored_scope(version_before, f"product:{pk}") > 0
                ),
                "oversell": sum(1 for _, on_hand, allocated in rows if allocated > on_hand),
                "allocations_match_orders": all(
                    allocated == allocated_before[pk] + ordered.get(pk, 0) for pk, _, allocated in rows
                ),
            }
    finally:
        if not (args.keep_db or args.reuse_db):
            from django.db import connections

            connections.close_all()
            database_drop(args.db)
    results["load_average_1min_end"] = os.getloadavg()[0]
    out = RESULTS_DIR / f"catalog-v2-{stamp}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
