"""Browser tests: Debian's chromium driven by the `playwright` package (sync API), against
pytest-django's live server. Screenshots go to test-artifacts/ (git-ignored).

They are skipped, with the reason, when /usr/bin/chromium or the playwright package is missing;
`.ci/browser-deps` installs chromium on CI. A browser is never downloaded.
"""

import contextlib
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None
    PlaywrightTimeoutError = TimeoutError


def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "needs the playwright package: pip install -r requirements.txt"
    elif not CHROMIUM.exists():
        reason = "needs Debian's chromium at /usr/bin/chromium: run `bash .ci/browser-deps`"
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; the tests still use the ORM between
    # browser steps, which Django would refuse inside a running loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_site(settings, live_server):
    """The live server with media served, so pages show their pictures."""
    settings.ROOT_URLCONF = "tests.browser.urls"
    settings.ALLOWED_HOSTS = ["*"]
    from django.urls import clear_url_caches

    clear_url_caches()
    yield live_server
    clear_url_caches()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(chromium, browser_site, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=browser_site.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:  # the page as the failure left it
        target = ARTIFACTS / request.node.name
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / "failure.png"), full_page=True)
    context.close()


class Shots:
    """Numbered full-page screenshots of one test, in test-artifacts/<test name>/."""

    def __init__(self, name: str):
        self.dir = ARTIFACTS / name
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):  # a previous run's pictures would mislead
            old.unlink()
        self.n = 0

    def __call__(self, page, label: str) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{label}.png"
        # scroll through once so that lazy pictures below the fold are in the picture too. The pauses
        # are Playwright's, not the page's: with JavaScript off a page's setTimeout never fires, and
        # an awaited timer inside evaluate() would hang the test forever.
        height, step, start = page.evaluate("[document.body.scrollHeight, window.innerHeight, window.scrollY]")
        for top in range(0, int(height), max(int(step), 1)):
            page.evaluate(f"window.scrollTo(0, {top})")
            page.wait_for_timeout(60)
        page.evaluate(f"window.scrollTo(0, {int(start)})")
        # pictures settle; an admin editor that polls (preview, editing sessions) never goes idle
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_load_state("networkidle", timeout=5_000)
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(request):
    return Shots(request.node.name)


def axe_serious_violations(page) -> list[dict]:
    """Run axe-core in the page; return its serious and critical violations (WCAG 2.x A/AA rules)."""
    # evaluated through the DevTools protocol, not as a <script> tag, so the shop's CSP (no inline
    # scripts) does not block the checker itself
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            exclude: [['.wagtail-userbar']]
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
