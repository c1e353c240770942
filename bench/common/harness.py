"""Shared benchmark plumbing: a throwaway PostgreSQL database, gunicorn, wrk, and peak RSS.

Everything runs on 127.0.0.1. Load comes from `wrk` (Debian package `wrk`): a C load generator
keeps the client's own CPU use small on a 2-core machine, where a Python client would compete with
the server for the same cores.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
RESULTS_DIR = REPO / "bench" / "results"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def database_recreate(name: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unsafe database name {name!r}")
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{name}"')


def database_drop(name: str) -> None:
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_backends_renice(name: str, niceness: int) -> list[int]:
    """Give the PostgreSQL backends serving database `name` (the bench's own connections) a niceness.

    On a machine shared with other work, a query round trip otherwise waits behind every runnable
    process; the floor view makes no round trip, so the ratios would mostly measure the neighbours.
    """
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        pids = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])]
    for pid in pids:
        with suppress(PermissionError, ProcessLookupError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
    return pids


def database_backend_pids(name: str) -> list[int]:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (from /proc/<pid>/stat)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pids: list[int], *, quiet_cpu_s: float = 0.01, interval_s: float = 0.25, timeout_s: float = 30) -> None:
    """Return once these processes spend (almost) no CPU for two intervals in a row.

    wrk stops at its deadline, but the server still works through what it had accepted (a slow page
    times 16 clients is over a second of work): measuring the next run before that ends would put
    the previous run's backlog into its latencies.
    """
    deadline = time.monotonic() + timeout_s
    quiet = 0
    last = cpu_seconds(pids)
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(interval_s)
        now = cpu_seconds(pids)
        quiet = quiet + 1 if now - last <= quiet_cpu_s else 0
        last = now


def _niced(niceness: int):
    return (lambda: os.nice(niceness)) if niceness else None


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True)


@dataclass
class LoadResult:
    name: str
    url: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int

    def as_dict(self) -> dict:
        return asdict(self)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_run(
    name: str, url: str, *, connections: int = 16, threads: int = 2, seconds: int = 10, paths: list[str] | None = None,
    niceness: int = 0,
) -> LoadResult:
    """`connections` concurrent keep-alive clients for `seconds`; `paths` spreads requests over several URLs."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    script = None
    if paths:
        script = RESULTS_DIR / f"wrk-{name.replace(' ', '-')}.lua"
        lua_paths = ",\n".join(f'  "{p}"' for p in paths)
        script.write_text(
            "local paths = {\n" + lua_paths + "\n}\n"
            "local i = 0\n"
            "request = function()\n"
            "  i = i % #paths + 1\n"
            '  return wrk.format("GET", paths[i])\n'
            "end\n"
        )
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True, preexec_fn=_niced(niceness)).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        # a sync worker closes every connection; wrk counts those closes as read errors, not failures
        errors += int(m.group(1)) + int(m.group(3)) + int(m.group(4))
    return LoadResult(
        name=name,
        url=url + (f" (+{len(paths)} paths)" if paths else ""),
        requests=requests,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        errors=errors,
    )


class Gunicorn:
    """gunicorn serving config.wsgi on 127.0.0.1:<port> with the given environment."""

    def __init__(
        self, *, env: dict, port: int, workers: int = 2, worker_class: str = "sync", threads: int = 1, niceness: int = 0,
        start_timeout_s: float = 30,
    ):
        self.env, self.port, self.workers, self.niceness = env, port, workers, niceness
        self.start_timeout_s = start_timeout_s  # a machine shared with other work imports Django slowly
        self.worker_class, self.threads = worker_class, threads
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, ready_path: str) -> None:
        cmd = [
            str(VENV_BIN / "gunicorn"), "config.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--threads", str(self.threads),
            "--worker-tmp-dir", "/dev/shm",
            "--backlog", "256",
            "--log-level", "warning",
        ]
        self.process = subprocess.Popen(cmd, cwd=REPO, env=self.env, preexec_fn=_niced(self.niceness))
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            try:
                with urllib.request.urlopen(self.base_url + ready_path, timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {self.start_timeout_s:.0f} s")

    def worker_pids(self) -> list[int]:
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.MULTILINE):
                pids.append(int(status.parent.name))
        return sorted(pids)

    def worker_peak_rss_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of every worker, in MB."""
        peaks = {}
        for pid in self.worker_pids():
            match = re.search(r"^VmHWM:\s+(\d+) kB$", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
            peaks[pid] = round(int(match.group(1)) / 1024, 1)
        return peaks

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def gunicorn_running(**kwargs):
    ready_path = kwargs.pop("ready_path")
    server = Gunicorn(**kwargs)
    try:
        server.start(ready_path=ready_path)
        yield server
    finally:
        server.stop()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
