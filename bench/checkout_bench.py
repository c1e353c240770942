"""Checkout benchmark: orders/s through POST /api/v1/checkout/ on PostgreSQL, served by gunicorn.

Not part of the test suite; `make bench-checkout` runs it and bench/README.md ("Checkout") holds the
latest figures. It recreates its own database (`cartwheel_bench_checkout`), seeds one anonymous cart
per order to place, then drives gunicorn on 127.0.0.1 with `wrk` (a C client, so the load generator
does not eat the 2-core machine the server runs on):

- distinct: 8 clients, each buying its own SKU (no row contention);
- hot:      50 clients all buying the same SKU (every checkout queues on one variant row);
- sell-out: 50 clients race for a hot SKU with less stock than demand (a Python client, since the
            run must stop when the carts run out) -> exactly `stock` orders, the rest clean 409s.

For every run it reports orders/s, p50/p99 latency, the HTTP statuses, 5xx count, oversell and the
invariant `initial stock = final stock + units ordered` checked in the database afterwards. The
checkout throttle is lifted (THROTTLE_CHECKOUT) so that it does not distort the figures.

    .venv/bin/python bench/checkout_bench.py [--seconds 10] [--workers 5] [--worker-class sync|gthread] [--threads 4]
                                             [--niceness -10] [--no-idempotency-key]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import suppress
from decimal import Decimal
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common.harness import (  # noqa: E402
    RESULTS_DIR,
    Gunicorn,
    cpu_seconds,
    database_backend_pids,
    database_backends_renice,
    database_recreate,
    database_url,
    manage,
)

DB_NAME = "cartwheel_bench_checkout"
PORT = 8793  # not 8765/8766: the catalogue bench and manual runs use those
CHECKOUT_PATH = "/api/v1/checkout/"
READY_PATH = "/api/v1/shipping-methods/"
TARGETS = {"distinct_orders_per_s": 150, "hot_orders_per_s": 100, "oversell": 0, "server_errors": 0}
GUEST_BODY = {
    "email": "bench@example.com",
    "phone": "+12025550143",
    "shipping_address": {"full_name": "Bench Buyer", "line1": "1 Load Street", "city": "Springfield",
                         "postal_code": "12345", "country": "US"},
    "shipping_method": "standard",
    "payment_method": "cod",
}


def base_env() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url(DB_NAME),
        CONN_MAX_AGE="600",  # persistent connections, as production should run
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",  # loopback HTTP, no TLS proxy in front
        REDIS_URL=os.environ.get("BENCH_CHECKOUT_REDIS_URL", "redis://127.0.0.1:6379/3"),
        CACHE_KEY_PREFIX=f"cartwheel-bench-checkout-{os.getpid()}",
        # "order placed" emails are queued to Redis as in production; no worker drains them here
        CELERY_BROKER_URL=os.environ.get("BENCH_CHECKOUT_REDIS_URL", "redis://127.0.0.1:6379/3"),
        CELERY_TASK_ALWAYS_EAGER="false",
        THROTTLE_CHECKOUT="1000000/min",
        EMAIL_URL="dummymail://",
    )
    env.pop("SENTRY_DSN", None)
    return env


# --- seeding (in this process, through the ORM) ---------------------------------------------------


def django_setup(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def seed_shipping() -> None:
    from commerce.orders.models import ShippingMethod

    ShippingMethod.objects.get_or_create(code="standard", defaults={"name": "Standard", "price": Decimal("5.00")})


def seed_skus(prefix: str, *, count: int, stock: int) -> list:
    from commerce.catalog.models import Product, ProductType, ProductVariant

    ptype, _ = ProductType.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    variants = []
    for i in range(count):
        product = Product.objects.create(product_type=ptype, name=f"{prefix} product {i}", slug=f"{prefix}-{i}",
                                         sku_code=f"{prefix[:4].upper()}{i}", base_price=Decimal("19.90"),
                                         live=True)
        variants.append(ProductVariant.objects.create(product=product, sku=f"{prefix.upper()}-{i}",
                                                      combination_key="", stock_on_hand=stock))
    return variants


def seed_carts(variant, *, count: int) -> list[str]:
    """`count` anonymous carts holding one unit of `variant`; returns their tokens."""
    from commerce.cart.models import Cart, CartLine

    carts = Cart.objects.bulk_create([Cart(token=uuid.uuid4()) for _ in range(count)], batch_size=2000)
    CartLine.objects.bulk_create([CartLine(cart=c, variant=variant, quantity=1) for c in carts], batch_size=2000)
    return [str(c.token) for c in carts]


def wait_until_quiet(variants, *, settle_s: float = 2.0, timeout_s: float = 60.0) -> None:
    """wrk stops counting at the deadline, but requests already queued in gunicorn still commit."""
    from commerce.orders.models import OrderLine

    ids = [v.pk for v in variants]
    last, stable_since, deadline = -1, time.monotonic(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        count = OrderLine.objects.filter(variant_id__in=ids).count()
        if count != last:
            last, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since >= settle_s:
            return
        time.sleep(0.2)


def stock_audit(variants, initial_available: dict[int, int]) -> dict:
    """Oversell and the invariant initial = final + ordered, per SKU, from ONE statement (one snapshot)."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Coalesce

    from commerce.catalog.models import ProductVariant

    wait_until_quiet(variants)
    rows = (
        ProductVariant.objects.filter(pk__in=[v.pk for v in variants])
        .annotate(ordered=Coalesce(Sum("order_lines__quantity"), 0), orders=Count("order_lines__order", distinct=True))
        .order_by("pk")
    )
    audit = {"orders": 0, "skus": []}
    for v in rows:
        final = v.stock_on_hand - v.stock_allocated
        audit["orders"] += v.orders
        audit["skus"].append({
            "sku": v.sku, "initial": initial_available[v.pk], "final": final, "ordered": v.ordered,
            "allocated": v.stock_allocated, "invariant_holds": initial_available[v.pk] == final + v.ordered,
            "oversell": max(0, v.ordered - initial_available[v.pk]),
        })
    audit["oversell"] = sum(s["oversell"] for s in audit["skus"])
    audit["invariant_holds"] = all(s["invariant_holds"] for s in audit["skus"])
    audit["negative_stock"] = any(s["final"] < 0 for s in audit["skus"])
    return audit


# --- load with wrk ------------------------------------------------------------------------------

WRK_SCRIPT = r"""
local body = [[%(body)s]]
local use_key = %(use_key)s
local prefix = "%(prefix)s"
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(prefix .. tid .. ".txt") do tokens[#tokens + 1] = line end
  i = 0
  s201, s409, s4xx, s5xx, sother = 0, 0, 0, 0, 0
end

function request()
  i = i + 1
  local token = tokens[(i - 1) %% #tokens + 1]
  local headers = {["Content-Type"] = "application/json", ["X-Cart-Token"] = token}
  if use_key then headers["Idempotency-Key"] = token end
  return wrk.format("POST", "%(path)s", headers, body)
end

function response(status, headers, body)
  if status == 201 then s201 = s201 + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local t = {0, 0, 0, 0, 0}
  for _, thread in ipairs(threads) do
    t[1] = t[1] + thread:get("s201"); t[2] = t[2] + thread:get("s409"); t[3] = t[3] + thread:get("s4xx")
    t[4] = t[4] + thread:get("s5xx"); t[5] = t[5] + thread:get("sother")
  end
  io.write(string.format("STATUSES %%d %%d %%d %%d %%d\n", t[1], t[2], t[3], t[4], t[5]))
  io.write(string.format("LATENCY %%f %%f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk_checkout(*, base_url: str, tokens_per_thread: list[list[str]], connections: int, seconds: int,
                 use_key: bool, workdir: Path) -> dict:
    prefix = str(workdir / f"tokens-{connections}-")
    for tid, tokens in enumerate(tokens_per_thread):
        Path(f"{prefix}{tid}.txt").write_text("\n".join(tokens) + "\n")
    script = workdir / f"checkout-{connections}.lua"
    script.write_text(WRK_SCRIPT % {"body": json.dumps(GUEST_BODY), "use_key": "true" if use_key else "false",
                                    "prefix": prefix, "path": CHECKOUT_PATH})
    threads = len(tokens_per_thread)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
           base_url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    s201, s409, s4xx, s5xx, sother = map(int, re.search(r"STATUSES (\d+) (\d+) (\d+) (\d+) (\d+)", out).groups())
    p50, p99 = map(float, re.search(r"LATENCY ([\d.]+) ([\d.]+)", out).groups())
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    duration = float(re.search(r"requests in ([\d.]+)s", out).group(1))
    return {
        "duration_s": duration, "orders_per_s": round(s201 / duration, 1),
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
        "statuses": {"201": s201, "409": s409, "other_4xx": s4xx, "5xx": s5xx, "other": sother},
        "socket_errors": sum(int(x) for x in socket.groups()) if socket else 0,
    }


# --- the sell-out race with a Python client -------------------------------------------------------


def python_race(*, port: int, tokens: list[str], clients: int) -> dict:
    """Every token checked out exactly once by `clients` keep-alive threads."""
    body = json.dumps(GUEST_BODY).encode()
    lock = threading.Lock()
    queue = list(tokens)
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    def client():
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                token = queue.pop()
            started = time.perf_counter()
            conn.request("POST", CHECKOUT_PATH, body=body, headers={
                "Content-Type": "application/json", "X-Cart-Token": token, "Idempotency-Key": token})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
                latencies.append(elapsed)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.perf_counter() - started
    latencies.sort()
    return {
        "duration_s": round(duration, 2), "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(latencies[len(latencies) // 2], 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "5xx": sum(v for k, v in statuses.items() if k >= 500),
    }


# --- main ---------------------------------------------------------------------------------------


class PatientGunicorn(Gunicorn):
    """The harness's gunicorn, with a start-up deadline that survives a busy shared machine."""

    def start(self, *, ready_path: str, timeout: float = 180) -> None:
        cmd = [
            str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--worker-class", self.worker_class, "--threads", str(self.threads),
            "--worker-tmp-dir", "/dev/shm", "--backlog", "256", "--log-level", "warning",
            "--timeout", "60",
        ]
        self.process = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parents[1], env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            try:
                conn = HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", ready_path)
                ok = conn.getresponse().status == 200
                conn.close()
                if ok and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s")


def redis_purge_bench_queue(env: dict) -> None:
    """Drop the queued "order placed" emails: no worker consumes the bench's queue."""
    import redis

    redis.Redis.from_url(env["CELERY_BROKER_URL"]).delete("celery")  # Celery's default queue, in our db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    # 5 sync workers by default, as production runs them (docker/entrypoint.sh: 2 x cores + 1, behind
    # nginx); `--worker-class gthread --workers 3 --threads 4` measures threaded workers.
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per gthread worker (default 4; sync workers have one: gunicorn would "
                        "turn sync workers with more threads into gthread)")
    parser.add_argument("--no-idempotency-key", action="store_true", help="send no Idempotency-Key header")
    parser.add_argument(
        "--niceness", type=int, default=0,
        help="run this script, gunicorn, wrk and the bench's PostgreSQL backends at this niceness (e.g. -10 as "
        "root on a machine shared with other work, whose load otherwise decides the figures)",
    )
    parser.add_argument("--skip-migrate", action="store_true", help="reuse the database as it is (faster reruns)")
    args = parser.parse_args()
    if args.threads is None:
        args.threads = 4 if args.worker_class == "gthread" else 1
    use_key = not args.no_idempotency_key
    env = base_env()
    if args.niceness:
        os.nice(args.niceness)  # inherited by gunicorn and wrk
        # With the kernel's autogroup scheduling, CPU is shared per session first; nice alone only
        # reorders processes inside this session. Weight the whole session too (our processes only).
        with suppress(OSError):
            Path("/proc/self/autogroup").write_text(str(args.niceness))

    if not args.skip_migrate:
        database_recreate(DB_NAME)
        manage("migrate", "--noinput", "-v", "0", env=env)
    django_setup(env)
    seed_shipping()

    carts_per_client = 400 * args.seconds // 10 + 200  # far more than a client can place in the run
    run_id = uuid.uuid4().hex[:6]
    distinct = seed_skus(f"d{run_id}", count=8, stock=100_000)
    hot = seed_skus(f"h{run_id}", count=1, stock=100_000)
    sellout_stock, sellout_carts = 200, 600
    sellout = seed_skus(f"s{run_id}", count=1, stock=sellout_stock)
    warm = seed_skus(f"w{run_id}", count=1, stock=1_000)
    distinct_tokens = [seed_carts(v, count=carts_per_client * 2) for v in distinct]
    hot_tokens = seed_carts(hot[0], count=carts_per_client * 10)
    sellout_tokens = seed_carts(sellout[0], count=sellout_carts)
    warm_tokens = seed_carts(warm[0], count=200)
    initial = {v.pk: v.stock_on_hand - v.stock_allocated for v in [*distinct, *hot, *sellout]}

    results = {"load_average_before": os.getloadavg(), "config": {"workers": args.workers, "worker_class": args.worker_class,
                          "threads": args.threads, "seconds": args.seconds,
                          "idempotency_key": use_key, "cpus": os.cpu_count(),
                          "niceness": args.niceness}}
    server = PatientGunicorn(env=env, port=PORT, workers=args.workers, worker_class=args.worker_class,
                             threads=args.threads)
    server.start(ready_path=READY_PATH)
    try:
        workdir = Path(tempfile.mkdtemp(prefix="checkout-bench-"))
        # warm every worker (imports, connections, templates) before measuring
        # (each gthread thread holds its own database connection, so one client per thread at least)
        python_race(port=PORT, tokens=warm_tokens, clients=args.workers * max(args.threads, 2))
        if args.niceness:  # every worker holds its persistent connection by now
            database_backends_renice(DB_NAME, args.niceness)

        def measured(name, variants, **wrk_kwargs):
            """One wrk run plus its audit and the CPU the server side spent per committed order."""
            from django.db import connection

            with connection.cursor() as cursor:  # the audit's own backend is not the server's
                cursor.execute("SELECT pg_backend_pid()")
                own_backend = cursor.fetchone()[0]
            pids = server.worker_pids(), [p for p in database_backend_pids(DB_NAME) if p != own_backend]
            before = cpu_seconds(pids[0]), cpu_seconds(pids[1])
            result = wrk_checkout(base_url=server.base_url, use_key=use_key, workdir=workdir, seconds=args.seconds,
                                  **wrk_kwargs)
            result["audit"] = stock_audit(variants, initial)
            orders = max(result["audit"]["orders"], 1)
            result["cpu_ms_per_order"] = {
                "gunicorn_workers": round((cpu_seconds(pids[0]) - before[0]) * 1000 / orders, 2),
                "postgres_backends": round((cpu_seconds(pids[1]) - before[1]) * 1000 / orders, 2),
            }
            results[name] = result

        measured("distinct", distinct, tokens_per_thread=distinct_tokens, connections=8)
        # 50 connections over 5 wrk threads, each thread with its own slice of the hot SKU's carts
        measured("hot", hot, tokens_per_thread=[hot_tokens[i::5] for i in range(5)], connections=50)
        results["sellout"] = python_race(port=PORT, tokens=sellout_tokens, clients=50)
        results["sellout"]["audit"] = stock_audit(sellout, initial)
        results["load_average_after"] = os.getloadavg()
    finally:
        server.stop()
    redis_purge_bench_queue(env)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"checkout-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(report(results))
    print(f"\nraw results: {out.relative_to(RESULTS_DIR.parents[1])}")


def report(results: dict) -> str:
    rows = ["| run | orders/s | p50 ms | p99 ms | 201 | 409 | 5xx | oversell | initial = final + ordered "
            "| CPU ms/order (gunicorn + PostgreSQL) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for name in ("distinct", "hot", "sellout"):
        r = results[name]
        s = r["statuses"]
        orders_per_s = r.get("orders_per_s") or round(s.get("201", 0) / r["duration_s"], 1)
        server_errors = s.get("5xx", r.get("5xx", 0))
        rows.append(
            f"| {name} | {orders_per_s} | {r['p50_ms']} | {r['p99_ms']} | {s.get('201', 0)} | {s.get('409', 0)} | "
            f"{server_errors} | {r['audit']['oversell']} | {'yes' if r['audit']['invariant_holds'] else 'NO'} | "
            + (f"{r['cpu_ms_per_order']['gunicorn_workers']} + {r['cpu_ms_per_order']['postgres_backends']} |"
               if "cpu_ms_per_order" in r else "- |")
        )
    cfg = results["config"]
    rows.append(f"\ngunicorn {cfg['workers']} {cfg['worker_class']} workers x {cfg.get('threads', 1)} threads, "
                f"{cfg['cpus']} CPUs, "
                f"{cfg['seconds']} s per wrk run, Idempotency-Key sent: {cfg['idempotency_key']}, "
                f"niceness {cfg['niceness']}. "
                f"Targets: {TARGETS}. Machine load average before/after: "
                f"{[round(x, 1) for x in results['load_average_before']]} / "
                f"{[round(x, 1) for x in results['load_average_after']]}")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
