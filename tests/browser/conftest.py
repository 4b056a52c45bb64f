"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per test session (per xdist worker), a fresh context per test.
No browser is ever downloaded: we launch /usr/bin/chromium. When it is missing
the tests skip with the reason (`make test` installs it when it can).
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import restore_wagtail_defaults

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SKIP_REASON = (
    f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, "
    "which `make test` does when run as root) to run the browser tests"
)
DEMO_PASSWORD = "Coordinate-demo-2026"


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


@pytest.fixture(scope="session")
def chromium_browser():
    """Chromium, started once per test session (once per xdist worker)."""
    if not chromium_available():
        pytest.skip(SKIP_REASON)
    # Playwright's sync API keeps an event loop running in this thread, which
    # makes Django refuse ORM calls from the test itself (STACK.md pitfall 8).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(chromium_browser, live_server, request):
    """A page in a fresh browser context (no cookies) pointed at the live server.

    Set BROWSER_SCREENSHOTS=/some/dir to keep a full-page screenshot of where
    each test ended (for looking at pages while developing).
    """
    restore_wagtail_defaults()  # an earlier live-server test's flush emptied them
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    # Requests to other hosts (NHS.UK's font files, which the stylesheet asks for) fail at
    # once: with no internet here each would hold up the page's load event for seconds.
    context.route(lambda url: not url.startswith(live_server.url),
                  lambda route: route.abort("blockedbyclient"))
    page = context.new_page()
    # Anything the content security policy blocks (an inline script without the nonce, an
    # inline style) is a page that does not work as written: it fails the test.
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        yield page
        assert not blocked, f"The content security policy blocked: {blocked}"
    finally:
        folder = os.environ.get("BROWSER_SCREENSHOTS")
        if folder:
            name = "".join(c if c.isalnum() else "-" for c in request.node.name)
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        context.close()


@pytest.fixture
def demo(live_server):
    """The demo organisations and people (`manage.py seed_demo`) with their supervision,
    safeguarding, reflection and peer-session records (`seed_demo_supervision`, as `make run`
    does), visible to the live server."""
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_supervision", stdout=io.StringIO())
