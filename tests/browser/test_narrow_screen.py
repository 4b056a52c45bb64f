"""Key pages at a 320 px wide viewport (WCAG 2.2 reflow): neither the page nor its main content
scrolls sideways. Wide tables scroll inside their own focusable region instead.

One test for every role in turn (each browser test costs a database flush)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from .conftest import SKIP_REASON, chromium_available
from .test_sign_in import ROLES, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON),
]

WIDTH = 320

# Each role's home, and the wide pages (tables of people against requirements).
PAGES = {
    "care-coordinator": ["/", lambda: reverse("compliance:mine")],
    "gp-supervisor": ["/"],
    "pcn-manager": [
        "/",
        "/reports/training-matrix/",
        "/competencies/manager/heatmap/",
        lambda: reverse("compliance:dashboard"),
    ],
    "icb-viewer": ["/", lambda: reverse("compliance:icb")],
    "curriculum-editor": ["/"],
}

# The page's and <main>'s widths, and text or tables wider than their own box (an unbroken
# email address, say), with every <details> opened: outside the wide tables' own scrolling
# regions, visually hidden text, and buttons (NHS.UK's enlarge their hit area past the box).
OVERFLOW = """() => {
    const main = document.querySelector("main");
    main.querySelectorAll("details").forEach(details => { details.open = true; });
    const ownText = el => [...el.childNodes].some(
        node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    const spilling = [...main.querySelectorAll("*")]
        .filter(el => (ownText(el) || el.tagName === "TABLE")
                      && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
                      && getComputedStyle(el).overflowX === "visible"
                      && !el.closest(".coordinate-matrix, .nhsuk-u-visually-hidden, thead, button"))
        .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
                   + ": " + el.textContent.trim().slice(0, 40));
    return {
        page: [document.documentElement.scrollWidth, window.innerWidth],
        main: [main.scrollWidth, main.clientWidth],
        spilling,
    };
}"""


def check(page, where, found):
    widths = page.evaluate(OVERFLOW)
    page_width, viewport = widths["page"]
    main_scroll, main_client = widths["main"]
    if page_width > viewport or main_scroll > main_client or widths["spilling"]:
        found[where] = widths


def test_key_pages_reflow_at_320_px_without_sideways_scrolling(browser_page, demo):
    call_command("seed_frameworks", stdout=io.StringIO())
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 800})
    found = {}
    by_key = {role.key: role for role in ROLES}
    for key, paths in PAGES.items():
        page.context.clear_cookies()
        sign_in(page, by_key[key])
        # The home page as it first shows, with its "signed in as <email>" banner.
        check(page, f"{key} {page.url} (just signed in)", found)
        for path in paths:
            path = path() if callable(path) else path
            response = page.goto(path)
            assert response.status == 200, f"{key} {path} answered {response.status}"
            check(page, f"{key} {path}", found)
    assert not found, "\n".join(f"{where}: {widths}" for where, widths in found.items())
