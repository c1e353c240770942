"""Storefront benchmark: the rendered shop's pages on the 10,000 x 5 catalogue, production settings,
2 sync gunicorn workers, uncached (every cache read misses), with the floor measured in the same run.

Not part of the test suite. Uses the catalogue bench's seed (bench/catalog_bench.py). Measures:
`/shop/` (listing with facets and counts), `/shop/?size=m` (a single-facet page) and product pages
(500 random slugs), each for --seconds with wrk. Writes bench/results/storefront-<stamp>.{json,md}.

    .venv/bin/python bench/storefront_bench.py [--seconds 10] [--db cw_h4] [--port 8465] [--keep-db]
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.catalog_bench import PRODUCTS, base_env, seed, warm  # noqa: E402
from bench.common.harness import (  # noqa: E402
    RESULTS_DIR,
    cpu_seconds,
    database_backend_pids,
    database_drop,
    database_recreate,
    database_url,
    gunicorn_running,
    manage,
    wait_until_idle,
    wrk_available,
    wrk_run,
)

FLOOR_PATH = "/bench/floor/"
SHOP = "/shop/"
SHOP_SIZE_M = "/shop/?size=m"
TARGETS = {"shop_rps": 150, "shop_size_m_rps": 150, "product_rps": 300, "product_queries": 8}  # issue 12


def renditions_make() -> None:
    """Every picture's renditions before serving (in this process, set up by seed()): encoding AVIF
    on a first request takes longer than a request may wait; a live shop makes them once."""
    from wagtail.images import get_image_model

    from storefront.catalogue.images import CARD, GALLERY, THUMB, pictures

    ids = list(get_image_model().objects.values_list("id", flat=True))
    for spec in (CARD, GALLERY, THUMB):
        pictures(image_ids=ids, spec=spec)
    from django.db import connection

    connection.close()


def measure(*, env: dict, port: int, seconds: int, db: str, product_paths: list[str]) -> dict:
    env = {**env, "BENCH_CACHE": "none"}
    with gunicorn_running(env=env, port=port, workers=2, worker_class="sync", threads=1, niceness=0,
                          ready_path=FLOOR_PATH, start_timeout_s=180) as server:
        base = server.base_url
        warm(base, [FLOOR_PATH, SHOP, SHOP_SIZE_M, *product_paths[:50]])
        wrk_run("warm-up", base + SHOP, seconds=2)
        wrk_run("warm-up products", base, paths=product_paths, seconds=3)  # renditions memoised per worker
        load_before = os.getloadavg()[0]
        runs, cpu_ms = {}, {}

        def run(key: str, name: str, url: str, **kwargs) -> None:
            workers, backends = server.worker_pids(), database_backend_pids(db)
            wait_until_idle(workers + backends)
            app_before, db_before = cpu_seconds(workers), cpu_seconds(backends)
            result = wrk_run(name, url, seconds=seconds, **kwargs)
            requests = max(result.requests, 1)
            cpu_ms[key] = {
                "app": round((cpu_seconds(workers) - app_before) * 1000 / requests, 3),
                "db": round((cpu_seconds(backends) - db_before) * 1000 / requests, 3),
            }
            runs[key] = result

        run("floor", "floor", base + FLOOR_PATH)
        run("shop", "/shop/ with facets (uncached)", base + SHOP)
        run("shop_size_m", "/shop/?size=m (uncached)", base + SHOP_SIZE_M)
        run("product", "product page (uncached)", base, paths=product_paths)
        rss = server.worker_peak_rss_mb()
    return {
        "runs": {k: {**v.as_dict(), "cpu_ms_per_request": cpu_ms[k]} for k, v in runs.items()},
        "worker_peak_rss_mb": list(rss.values()),
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }


def product_page_queries(env: dict, slug: str) -> int:
    """Queries of one warm product page request, counted in-process with the same settings."""
    os.environ.update({**env, "BENCH_CACHE": "none"})
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(f"/shop/product/{slug}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/shop/product/{slug}/")
    assert response.status_code == 200, response.status_code
    return len(queries)


def report(result: dict, queries: int) -> str:
    floor = result["runs"]["floor"]["rps"]
    lines = ["| run | req/s | p50 ms | p99 ms | x floor | errors | CPU ms/req app + db |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for run in result["runs"].values():
        lines.append(
            f"| {run['name']} | {run['rps']:.0f} | {run['p50_ms']:.2f} | {run['p99_ms']:.2f} | {run['rps'] / floor:.2f} "
            f"| {run['errors']} | {run['cpu_ms_per_request']['app']:.2f} + {run['cpu_ms_per_request']['db']:.2f} |"
        )
    load = result["load_average_1min"]
    lines.append(f"| product page queries | {queries} | | | | | |")
    lines.append(f"| peak RSS per worker (MB) | {', '.join(map(str, result['worker_peak_rss_mb']))} | | | | | |")
    lines.append(f"| machine load average (1 min) before/after | {load['before']} / {load['after']} | | | | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--db", default="cartwheel_storefront_bench", help="database to create, seed and drop")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if not wrk_available():
        raise SystemExit("wrk not found: apt-get install wrk")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    env = {**base_env(RESULTS_DIR / f"media-storefront-{stamp}"), "DATABASE_URL": database_url(args.db),
           "REDIS_URL": args.redis_url}
    database_recreate(args.db)
    try:
        manage("migrate", "--noinput", "-v0", env=env)
        # production settings serve hashed static files from a manifest, as deployed
        manage("collectstatic", "--noinput", "-v0", env=env)
        slugs = seed(env)
        renditions_make()
        product_paths = [f"/shop/product/{slug}/" for slug in random.Random(7).sample(slugs, 500)]
        result = measure(env=env, port=args.port, seconds=args.seconds, db=args.db, product_paths=product_paths)
        queries = product_page_queries(env, slugs[0])
    finally:
        if not args.keep_db:
            database_drop(args.db)
    table = report(result, queries)
    print(table)
    (RESULTS_DIR / f"storefront-{stamp}.json").write_text(
        json.dumps({"targets": TARGETS, "products": PRODUCTS, "product_page_queries": queries, **result}, indent=2)
    )
    (RESULTS_DIR / f"storefront-{stamp}.md").write_text(table + "\n")
    print(f"written to {RESULTS_DIR}/storefront-{stamp}.json and .md")


if __name__ == "__main__":
    main()
