"""The published contract, fuzzed: schemathesis over the live /api/schema/, anonymous and as a customer.

schemathesis runs every phase (examples, coverage, fuzzing, stateful) with all its default checks:
no 5xx, every status, content type, header and body documented, schema-violating requests refused,
schema-valid ones accepted, authentication enforced. Its CLI is run against pytest-django's live
server (the real HTTP stack on the PostgreSQL test database); `schemathesis.toml` beside this file
holds the run's settings and, per operation, the business-rule refusals no schema can express. The
number of requests the server answered and the time taken are printed for the record.
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_started

pytest.importorskip("schemathesis", reason="schemathesis is a test dependency (requirements.txt)")

pytestmark = [pytest.mark.postgres]

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Bounded: a few minutes for both runs on a CI machine. CONTRACT_FUZZ_EXAMPLES raises it for a deeper
# run; CONTRACT_FUZZ_SEED=random explores new inputs instead of replaying the fixed seed.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_FUZZ_EXAMPLES", "8"))
SEED = os.environ.get("CONTRACT_FUZZ_SEED", "20261201")
RUN_TIMEOUT_SECONDS = 600


class RequestCounter:
    """Counts the API requests the live server starts (it runs in a thread of this process)."""

    def __init__(self):
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, sender, environ=None, **kwargs):
        if environ is not None and environ.get("PATH_INFO", "").startswith("/api/"):
            with self._lock:
                self.count += 1


def run_fuzzer(base_url: str, report: Path, *, headers: dict[str, str]) -> tuple[dict, str, int, float]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color",
        "run", f"{base_url}/api/schema/",
        "--max-examples", str(MAX_EXAMPLES),
        "--report", "json", "--report-json-path", str(report),
    ]
    if SEED != "random":
        command += ["--seed", SEED]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    counter = RequestCounter()
    request_started.connect(counter, weak=False)
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, cwd=report.parent,
            env={**os.environ, "NO_COLOR": "1"},
        )
    finally:
        request_started.disconnect(counter)
    elapsed = time.monotonic() - started
    output = completed.stdout + completed.stderr
    assert report.exists(), output[-5000:]
    return json.loads(report.read_text()), output, counter.count, elapsed


def _problems(result: dict, output: str, label: str) -> str | None:
    """None when the run found nothing, else what it found (the summary, then the tail of its report)."""
    clean = (
        result["operations"]["tested"] == result["operations"]["selected"] > 0
        and not result["failures"] and not result["errors"] and result["complete"] and result["exit_code"] == 0
    )
    if clean:
        return None
    found = [f"{f['code']} {f['title']}: {', '.join(f['operations'])}" for f in result["failures"]]
    summary = {k: result[k] for k in ("operations", "test_cases", "errors", "stop_reason", "exit_code")}
    return f"{label}: {summary}\n" + "\n".join(found) + f"\n{output[-12000:]}"


def test_fuzzer_finds_nothing_in_the_live_contract_anonymous_and_as_a_customer(live_server, contract_shop, tmp_path):
    runs = {
        "anonymous": {},
        "customer JWT": {"Authorization": f"Bearer {contract_shop.customer_jwt}"},
    }
    totals = {"requests": 0, "cases": 0, "seconds": 0.0}
    lines, results = [], []
    for label, headers in runs.items():
        result, output, requests, seconds = run_fuzzer(live_server.url, tmp_path / f"{len(lines)}.json", headers=headers)
        results.append((result, output, label))
        cases = result["test_cases"]["generated"]
        totals["requests"] += requests
        totals["cases"] += cases
        totals["seconds"] += seconds
        lines.append(
            f"  {label}: {result['operations']['tested']} operations, {cases} test cases, {requests} requests "
            f"answered, {seconds:.1f} s (seed {result['seed']})"
        )
    print(
        f"\nschemathesis {result['schemathesis_version']}, max {MAX_EXAMPLES} examples per operation and phase:\n"
        + "\n".join(lines)
        + f"\n  total: {totals['cases']} test cases, {totals['requests']} requests, {totals['seconds']:.1f} s"
    )
    problems = [p for p in (_problems(*run) for run in results) if p]
    assert not problems, "the fuzzer found contract failures\n" + "\n\n".join(problems)
