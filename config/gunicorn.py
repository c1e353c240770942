"""gunicorn settings for the web role (`gunicorn -c python:config.gunicorn config.wsgi`).

Shutdown drains instead of dropping: on SIGTERM the master first marks the process not-ready
(`/readyz` answers 503 from the drain file) and keeps serving for `DRAIN_SECONDS`, so the balancer or
Kubernetes stops routing here; then gunicorn's graceful stop lets every worker finish its request
(up to `graceful_timeout`) and exits. The grace periods line up:
nginx proxy_read_timeout 25 s < gunicorn timeout/graceful 30 s < DRAIN_SECONDS + 30 s < orchestrator
grace 45 s (compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
"""

import os
import tempfile
import time

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers (threads=1) behind nginx, which buffers slow clients: on the 2-core benches they met
# every latency target where threaded workers showed long tails (bench/README.md). 2 x cores + 1.
workers = int(os.environ.get("GUNICORN_WORKERS", "5"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# heartbeat files on tmpfs, as gunicorn advises for containers (a disk-backed /tmp can stall them)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
max_requests = 2000
max_requests_jitter = 200
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# X-Forwarded-Proto is honoured only from the trusted proxies (the app reads the client address
# itself, from TRUSTED_PROXIES)
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
DRAIN_SECONDS = float(os.environ.get("DRAIN_SECONDS", "5"))


def on_starting(server):
    # the workers inherit this variable; commerce.core.health reads the file it names
    path = os.environ.get("CARTWHEEL_DRAIN_FILE") or os.path.join(
        tempfile.gettempdir(), f"cartwheel-draining-{os.getpid()}")
    os.environ["CARTWHEEL_DRAIN_FILE"] = path
    if os.path.exists(path):
        os.unlink(path)


def when_ready(server):
    graceful_stop = server.handle_term

    def drain_then_stop():
        path = os.environ["CARTWHEEL_DRAIN_FILE"]
        with open(path, "w") as marker:
            marker.write(str(os.getpid()))
        server.log.info("SIGTERM: not ready; serving for %.1f s more before the graceful stop", DRAIN_SECONDS)
        time.sleep(DRAIN_SECONDS)
        graceful_stop()  # raises StopIteration: gunicorn's own graceful halt

    server.handle_term = drain_then_stop


def on_exit(server):
    path = os.environ.get("CARTWHEEL_DRAIN_FILE")
    if path and os.path.exists(path):
        os.unlink(path)
