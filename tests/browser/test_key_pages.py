"""Axe scan of the key pages each role uses every day, beyond the home pages."""

import io

import pytest
from django.core.management import call_command

from .conftest import SKIP_REASON, chromium_available
from .test_sign_in import ROLES, serious_violations, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON),
]

ROLE = {role.key: role for role in ROLES}

PAGES = {
    "care-coordinator": [
        "/learning/",
        "/competencies/",
        "/development/",
        "/development/goals/add/",
    ],
    "gp-supervisor": ["/competencies/queue/", "/learning/verification/"],
    "pcn-manager": [
        "/people/",
        "/people/add/",
        "/reports/training-matrix/",
        "/competencies/manager/heatmap/",
        "/development/induction-template/",
    ],
}


@pytest.mark.parametrize("role_key", list(PAGES))
def test_key_pages_have_no_serious_accessibility_violations(browser_page, demo, role_key):
    call_command("seed_frameworks", stdout=io.StringIO())
    sign_in(browser_page, ROLE[role_key])
    found = {}
    for path in PAGES[role_key]:
        response = browser_page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        violations = serious_violations(browser_page)
        if violations:
            found[path] = violations
    assert not found, found
