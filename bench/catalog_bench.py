"""Catalogue API benchmark: 10,000 products x 5 variants on PostgreSQL, served by gunicorn, driven by wrk.

Not part of the test suite. `make bench-catalog` runs it; see bench/README.md for what it measures
and the latest figures. It creates and drops its own database (`cartwheel_bench`), uses Redis db 14
with a key prefix of its own for the cached run, and writes results to bench/results/.

    .venv/bin/python bench/catalog_bench.py [--seconds 10] [--worker-classes sync,gthread] [--keep-db]
"""

import argparse
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common.harness import (  # noqa: E402
    RESULTS_DIR,
    LoadResult,
    cpu_seconds,
    database_backend_pids,
    database_backends_renice,
    database_drop,
    database_recreate,
    database_url,
    fetch,
    gunicorn_running,
    manage,
    wait_until_idle,
    wrk_available,
    wrk_run,
)

DB_NAME = "cartwheel_bench"
PRODUCTS = 10_000
SIZES = [("XS", "xs"), ("S", "s"), ("M", "m"), ("L", "l"), ("XL", "xl")]  # 5 variants per product
COLORS = ["Red", "Blue", "Black", "White", "Green", "Grey"]
IMAGES = 20
PORT = 8765
FLOOR_PATH = "/bench/floor/"
LIST_PATH = "/api/v1/products/"
LIST_FILTERED_PAGE_200 = "/api/v1/products/?in_stock=true&page=200"

TARGETS = {  # from issue 2
    "list_uncached_rps": 450, "list_uncached_floor_ratio": 0.15,
    "list_cached_rps": 2000, "list_cached_floor_ratio": 0.6,
    "detail_rps": 400, "p99_over_p50": 4.0, "worker_rss_mb": 150,
}


def base_env(media_root: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url(DB_NAME),
        CONN_MAX_AGE="600",  # persistent connections, as production should run
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",  # loopback HTTP, no TLS proxy in front
        MEDIA_ROOT=str(media_root),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        CACHE_KEY_PREFIX=f"cartwheel-bench-{os.getpid()}-{int(time.time())}",
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_ALWAYS_EAGER="true",
        # production runs beat, which publishes scheduled content; eager Celery would otherwise turn
        # on the request-path check meant for `make run` (commerce/marketing/campaigns.py)
        SCHEDULED_PUBLISHING_ON_REQUESTS="false",
    )
    env.pop("SENTRY_DSN", None)
    return env


def seed(env: dict) -> list[str]:
    """Bulk-insert the catalogue; returns the product slugs. About 20 s."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection, transaction
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from commerce.catalog.models import (
        Attribute,
        AttributeValue,
        Category,
        Product,
        ProductAttributeValue,
        ProductImage,
        ProductType,
        ProductTypeAttribute,
        ProductVariant,
    )

    rng = random.Random(42)
    started = time.monotonic()
    with transaction.atomic():
        size = Attribute.objects.create(name="Size", slug="size", sort_order=1)
        color = Attribute.objects.create(name="Color", slug="color", sort_order=2)
        sizes = [
            AttributeValue.objects.create(attribute=size, name=n, slug=s, code=n, sort_order=i)
            for i, (n, s) in enumerate(SIZES)
        ]
        colors = [
            AttributeValue.objects.create(attribute=color, name=c, slug=c.lower(), code=c.upper()[:5], sort_order=i)
            for i, c in enumerate(COLORS)
        ]
        ptype = ProductType.objects.create(name="Clothing", slug="clothing")
        ProductTypeAttribute.objects.create(product_type=ptype, attribute=size, role="variant", sort_order=0)
        ProductTypeAttribute.objects.create(product_type=ptype, attribute=color, role="product", sort_order=1)

        leaves = []
        for r in range(5):
            root = Category.objects.create(name=f"Department {r}", slug=f"dept-{r}", sort_order=r)
            leaves += [
                Category.objects.create(name=f"Aisle {r}.{c}", slug=f"aisle-{r}-{c}", parent=root, sort_order=c)
                for c in range(4)
            ]
        Image = get_image_model()
        images = [
            Image.objects.create(
                title=f"bench {i}", file=get_test_image_file(f"bench{i}.png", colour=(i * 12, 90, 200), size=(800, 800))
            )
            for i in range(IMAGES)
        ]

        products = Product.objects.bulk_create(
            [
                Product(
                    product_type=ptype,
                    category=leaves[n % len(leaves)],
                    name=f"Bench tee {n:05}",
                    slug=f"bench-tee-{n:05}",
                    sku_code=f"B{n}",
                    description=f"<p>A {COLORS[n % len(COLORS)].lower()} cotton tee, model {n}.</p>",
                    base_price=Decimal(rng.randrange(500, 9000)) / 100,
                    live=True,
                )
                for n in range(PRODUCTS)
            ],
            batch_size=2000,
        )
        ProductAttributeValue.objects.bulk_create(
            [ProductAttributeValue(product=p, attribute=color, value=colors[i % len(colors)]) for i, p in enumerate(products)],
            batch_size=5000,
        )
        ProductImage.objects.bulk_create(
            [ProductImage(product=p, image=images[i % IMAGES], alt_text=p.name) for i, p in enumerate(products)],
            batch_size=5000,
        )
        variants = []
        for i, product in enumerate(products):
            sold_out = i % 5 == 0  # a fifth of the shop is sold out
            for sort, value in enumerate(sizes):
                on_hand = 0 if sold_out else rng.randrange(0, 30)
                variants.append(
                    ProductVariant(
                        product=product,
                        sku=f"{product.sku_code}-{value.code}",
                        combination_key=str(value.pk),
                        price=None if sort < 3 else product.base_price + Decimal("2.00") * sort,
                        stock_on_hand=on_hand,
                        stock_allocated=min(on_hand, rng.randrange(0, 3)),
                        sort_order=sort,
                    )
                )
        ProductVariant.objects.bulk_create(variants, batch_size=5000)
        through = ProductVariant.attribute_values.through
        through.objects.bulk_create(
            [through(productvariant_id=v.pk, attributevalue_id=int(v.combination_key)) for v in variants],
            batch_size=10000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    print(f"seeded {len(products)} products, {len(variants)} variants in {time.monotonic() - started:.1f} s")
    return [p.slug for p in products]


def warm(base_url: str, paths: list[str]) -> None:
    """One request per path before measuring: renditions get generated, caches and connections open."""
    for path in paths:
        status, body = fetch(base_url + path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:300]!r}")


def measure_server(
    *, env: dict, cache: str, worker_class: str, seconds: int, detail_paths: list[str], niceness: int
) -> dict:
    env = {**env, "BENCH_CACHE": cache}
    threads = 4 if worker_class == "gthread" else 1
    with gunicorn_running(env=env, port=PORT, workers=2, worker_class=worker_class, threads=threads,
                          niceness=niceness, ready_path=FLOOR_PATH) as server:
        base = server.base_url
        # the cached run warms every detail path it will request, so that it measures hits
        warm(base, [FLOOR_PATH, LIST_PATH, LIST_FILTERED_PAGE_200, *detail_paths[: 50 if cache == "none" else None]])
        # every worker thread opens its persistent database connection now, so that the per-run CPU
        # accounting (and the renice) sees all of them
        wrk_run("warm-up", base + LIST_PATH, seconds=2)
        # and every worker sees every detail path several times: the rendition URLs are memoised per
        # process and catalogue version, so a cold worker's first visits measure the warm-up, not the
        # steady state a shop runs in between two catalogue edits
        wrk_run("warm-up details", base, paths=detail_paths, seconds=3)
        if niceness:
            database_backends_renice(DB_NAME, niceness)
        load_before = os.getloadavg()[0]

        cpu_ms: dict[str, dict[str, float]] = {}

        def run(name: str, url: str, **kwargs) -> LoadResult:
            # CPU spent per request by the app workers and by PostgreSQL: unlike req/s, barely moved by
            # other work on the machine, so it says what the code costs
            workers, backends = server.worker_pids(), database_backend_pids(DB_NAME)
            wait_until_idle(workers + backends)  # the previous run's backlog is not this run's latency
            app_before, db_before = cpu_seconds(workers), cpu_seconds(backends)
            result = wrk_run(name, url, seconds=seconds, niceness=niceness, **kwargs)
            requests = max(result.requests, 1)
            cpu_ms[name] = {
                "app": round((cpu_seconds(workers) - app_before) * 1000 / requests, 3),
                "db": round((cpu_seconds(backends) - db_before) * 1000 / requests, 3),
            }
            return result

        runs = {"floor": run("floor", base + FLOOR_PATH)}
        if cache == "none":
            runs["list_page_1_uncached"] = run("list page 1 (uncached)", base + LIST_PATH)
            runs["list_page_200_filtered_uncached"] = run(
                "list page 200, in_stock=true (uncached)", base + LIST_FILTERED_PAGE_200
            )
            runs["detail_uncached"] = run("detail (uncached)", base, paths=detail_paths)
        else:
            runs["list_page_1_cached"] = run("list page 1 (cached)", base + LIST_PATH)
            runs["list_page_200_filtered_cached"] = run("list page 200, in_stock=true (cached)", base + LIST_FILTERED_PAGE_200)
            runs["detail_cached"] = run("detail (cached)", base, paths=detail_paths)
        rss = server.worker_peak_rss_mb()
    return {"worker_class": worker_class, "threads": threads, "cache": cache,
            "runs": {k: {**v.as_dict(), "cpu_ms_per_request": cpu_ms[v.name]} for k, v in runs.items()},
            "worker_peak_rss_mb": list(rss.values()),
            # other work on the machine skews every figure: record how busy it was
            "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
            "niceness": niceness}


def report(results: list[dict]) -> str:
    lines = [
        "| server | run | req/s | p50 ms | p99 ms | p99/p50 | x floor | errors | CPU ms/req app + db |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        floor = result["runs"]["floor"]["rps"]
        server = f"{result['worker_class']} x2" + (f" ({result['threads']} threads)" if result["threads"] > 1 else "")
        server += ", Redis" if result["cache"] == "redis" else ", no cache"
        if result["niceness"]:
            server += f", nice {result['niceness']}"
        for run in result["runs"].values():
            ratio = run["p99_ms"] / run["p50_ms"] if run["p50_ms"] else 0
            lines.append(
                f"| {server} | {run['name']} | {run['rps']:.0f} | {run['p50_ms']:.2f} | {run['p99_ms']:.2f} "
                f"| {ratio:.1f} | {run['rps'] / floor:.2f} | {run['errors']} "
                f"| {run['cpu_ms_per_request']['app']:.2f} + {run['cpu_ms_per_request']['db']:.2f} |"
            )
        lines.append(f"| {server} | peak RSS per worker (MB) | {', '.join(map(str, result['worker_peak_rss_mb']))} | | | | | | |")
        load = result["load_average_1min"]
        lines.append(f"| {server} | machine load average (1 min) before/after | {load['before']} / {load['after']} | | | | | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="duration of each measured run")
    parser.add_argument("--worker-classes", default="sync,gthread", help="gunicorn worker classes to measure")
    parser.add_argument("--keep-db", action="store_true", help="leave cartwheel_bench in place afterwards")
    parser.add_argument("--seed-only", action="store_true", help="create and seed cartwheel_bench, then stop")
    parser.add_argument("--reuse-db", action="store_true", help="measure an already seeded cartwheel_bench")
    parser.add_argument(
        "--niceness", type=int, default=0,
        help="run gunicorn, wrk and the bench's PostgreSQL backends at this niceness (e.g. -10 as root on a "
        "machine busy with other work); recorded with the results",
    )
    args = parser.parse_args()
    if not wrk_available():
        raise SystemExit("wrk not found: apt-get install wrk")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    env = base_env(RESULTS_DIR / ("media-reused" if args.reuse_db or args.seed_only else f"media-{stamp}"))
    if not args.reuse_db:
        database_recreate(DB_NAME)
    try:
        if args.reuse_db:
            slugs = [f"bench-tee-{n:05}" for n in range(PRODUCTS)]
        else:
            manage("migrate", "--noinput", "-v0", env=env)
            slugs = seed(env)
        if args.seed_only:
            return
        detail_paths = [f"/api/v1/products/{slug}/" for slug in random.Random(7).sample(slugs, 500)]
        results = []
        for worker_class in args.worker_classes.split(","):
            for cache in ("none", "redis"):
                print(f"measuring {worker_class}, cache={cache} ...", flush=True)
                results.append(measure_server(env=env, cache=cache, worker_class=worker_class,
                                              seconds=args.seconds, detail_paths=detail_paths,
                                              niceness=args.niceness))
    finally:
        if not (args.keep_db or args.seed_only or args.reuse_db):
            database_drop(DB_NAME)

    table = report(results)
    print(table)
    (RESULTS_DIR / f"catalog-{stamp}.json").write_text(json.dumps({"targets": TARGETS, "results": results}, indent=2))
    (RESULTS_DIR / f"catalog-{stamp}.md").write_text(table + "\n")
    print(f"written to {RESULTS_DIR}/catalog-{stamp}.json and .md")


if __name__ == "__main__":
    main()
