"""Axe scan of the curriculum index, a section and an item page in Chromium: no violations of
any impact."""

import os

import pytest
from django.core.management import call_command

from lms.models import Role
from tests.browser.conftest import SKIP_REASON, chromium_available
from tests.browser.test_sign_in import accessibility_violations
from tests.conftest import make_person
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON),
]

PAGES = [
    "/curriculum/",
    "/curriculum/e-learning-for-healthcare/",
    "/curriculum/e-learning-for-healthcare/elfh-care-certificate/",
    "/curriculum/care-certificate-2025/?q=safeguarding",
    "/curriculum/?q=xylophone",
]


@pytest.fixture
def signed_in_page(browser_page, transactional_db, pcn):  # noqa: F811
    call_command("seed_curriculum", stdout=open("/dev/null", "w"))
    person = make_person(Role.CARE_COORDINATOR, pcn=pcn)
    page = browser_page
    page.goto("/accounts/login/")
    page.fill('input[name="login"]', person.user.email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form button[type="submit"]').last.click()
    page.wait_for_load_state()
    return page


def test_curriculum_pages_have_no_accessibility_violations(signed_in_page):
    page = signed_in_page
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        violations = accessibility_violations(page)
        assert not violations, f"{path}:\n" + "\n".join(violations)
        shots = os.environ.get("BROWSER_SCREENSHOTS")
        if shots:
            name = path.strip("/").replace("/", "_").replace("?", "_") or "index"
            page.screenshot(path=f"{shots}/curriculum-{name}.png", full_page=True)
