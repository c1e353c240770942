"""Processes that tests manage themselves: a private redis-server they may stop and start, a Celery
worker subprocess they may kill, and an SMTP sink that records every message a worker transmits.

Never the shared Redis on 6379: these start their own, on a port of this project's test range, in a
temporary directory, without persistence (a stop loses its data, as a crashed cache would).
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from email import message_from_bytes
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection


def wait_for(condition, *, seconds: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(interval)


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class RedisServer:
    """A redis-server of the test's own on `port`, which it may stop (SIGKILL, as a crash) and start."""

    def __init__(self, port: int, directory: Path):
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        wait_for(self._answers, seconds=10, what=f"redis-server on {self.port}")

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class SmtpSink:
    """An SMTP server (aiosmtpd) recording every DATA it receives: Message-ID, recipients, accepted.

    `hold(recipients)` true: the first transmission of that Message-ID is held unanswered (the sender
    is left waiting mid-send) until `release` is set, then refused; later ones are accepted.
    """

    def __init__(self, port: int, hold=lambda recipients: False):
        from aiosmtpd.controller import Controller

        self.port = port
        self.hold = hold
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.transmissions: list[dict] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content or envelope.content)
        entry = {"message_id": message["Message-ID"], "to": list(envelope.rcpt_tos), "accepted": False}
        with self.lock:
            seen = any(t["message_id"] == entry["message_id"] for t in self.transmissions)
            self.transmissions.append(entry)
        if not seen and self.hold(entry["to"]):
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 held by the test"
        entry["accepted"] = True
        return "250 OK"

    def accepted(self) -> list[dict]:
        with self.lock:
            return [t for t in self.transmissions if t["accepted"]]

    def all(self) -> list[dict]:
        with self.lock:
            return list(self.transmissions)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.controller.stop()


class CeleryWorker:
    """`celery worker` in a process group of its own (prefork, one pool process), on `queue`."""

    def __init__(self, *, broker_url: str, queue: str, log_path: Path, env: dict | None = None):
        self.queue = queue
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "false",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONPATH": str(settings.BASE_DIR),
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "CeleryWorker":
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child holds it
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--pool=prefork", "-c", "1",
             "-Q", self.queue, "-n", f"{self.queue}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, seconds: float = 60) -> None:
        wait_for(lambda: "ready." in self.log() or self.process.poll() is not None, seconds=seconds,
                 what="the worker to be ready")
        assert self.process.poll() is None, self.log()[-3000:]

    def pool_pids(self) -> list[int]:
        """The pool processes (children of the worker's main process)."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rpartition(")")[2].split()[1]) == self.process.pid:
                    children.append(int(entry.name))
        return children

    def kill_pool_process(self) -> int:
        pid = wait_for(self.pool_pids, seconds=10, what="a pool process")[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool, nothing acknowledged, nothing cleaned up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def celery_app_through(monkeypatch, broker_url: str, queue: str):
    """Point the test process's Celery app at `broker_url`, publishing to `queue`."""
    from config.celery_app import app

    for key, value in {"task_always_eager": False, "broker_url": broker_url, "task_default_queue": queue}.items():
        monkeypatch.setitem(app.conf, key, value)
    forget_celery_connections(app)
    return app


def forget_celery_connections(app) -> None:
    """Celery caches the broker pool and the routing table; drop them so a conf change applies."""
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)
    app.amqp._producer_pool = None
    app._pool = None
