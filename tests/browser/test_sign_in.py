"""Signing in through the real sign-in form, as every demo role, in Chromium.

Staff roles must use two-factor authentication (MFA_REQUIRED_FOR_STAFF is on
in the test settings), so they enrol TOTP with a known secret first and type
the current code on the second-factor page.
"""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model

from .conftest import DEMO_PASSWORD, SKIP_REASON, chromium_available

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON),
]

LOGIN_PATH = "/accounts/login/"
TOTP_ACTIVATE_PATH = "/accounts/2fa/totp/activate/"


class Role:
    def __init__(self, key, email, first_name, heading, *, exact=True, staff=True):
        self.key, self.email, self.first_name = key, email, first_name
        self.heading, self.exact, self.staff = heading, exact, staff

    def __repr__(self):
        return self.key


ROLES = [
    Role("care-coordinator", "amira.khan@riverside.example", "Amira", "Your support",
         staff=False),
    Role("gp-supervisor", "grace.hughes@riverside.example", "Grace", "Your supervisees"),
    Role("pcn-manager", "jo.smith@riverside.example", "Jo", "Care coordinators in", exact=False),
    Role("icb-viewer", "liam.turner@icb.example", "Liam", "PCNs in", exact=False),
    Role("curriculum-editor", "maya.green@riverside.example", "Maya", "Curriculum"),
]


def enrol_totp(email: str) -> str:
    """Give the user a TOTP authenticator with a secret the test knows."""
    secret = generate_totp_secret()
    TOTP.activate(get_user_model().objects.get(email=email), secret)
    return secret


def current_code(secret: str) -> str:
    """The code an authenticator app shows now, still valid for a few seconds."""
    period = mfa_settings.TOTP_PERIOD
    remaining = period - time.time() % period
    if remaining < 5:  # would expire before the server checks it: use the next one
        time.sleep(remaining + 0.2)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def submit_form_with(page, field_name: str):
    """Press the submit button of the form that holds the named field."""
    form = page.locator("form").filter(has=page.locator(f'input[name="{field_name}"]'))
    form.locator('button[type="submit"], input[type="submit"]').first.click()
    page.wait_for_load_state()


def fill_sign_in(page, email: str, password: str):
    page.goto(LOGIN_PATH)
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', password)
    submit_form_with(page, "password")


def sign_in(page, role: Role):
    secret = enrol_totp(role.email) if role.staff else None
    fill_sign_in(page, role.email, DEMO_PASSWORD)
    if secret:
        assert "/accounts/2fa/authenticate/" in page.url, (
            f"{role.email} should be asked for a second factor, got {page.url}"
        )
        page.fill('input[name="code"]', current_code(secret))
        submit_form_with(page, "code")


def heading_texts(page, tag: str) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(tag).all_inner_texts()]


def accessibility_violations(page) -> list[str]:
    """axe-core's violations of any impact on the page (every rule axe-core runs by default,
    best practices included), one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['impact']}: {v['id']}: {v['help']} "
        f"({'; '.join(n['target'][0] if n['target'] else '?' for n in v['nodes'])})"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("role", ROLES, ids=repr)
def test_each_role_signs_in_and_sees_their_home_page(browser_page, demo, role):
    page = browser_page
    sign_in(page, role)

    h1s = heading_texts(page, "h1")
    assert h1s and h1s[0].startswith(f"Hello, {role.first_name}"), (page.url, h1s)
    h2s = heading_texts(page, "h2")
    if role.exact:
        assert role.heading in h2s, (page.url, h2s)
    else:
        assert any(h.startswith(role.heading) for h in h2s), (page.url, h2s)


def test_staff_without_mfa_are_sent_to_set_it_up(browser_page, demo):
    page = browser_page
    fill_sign_in(page, "grace.hughes@riverside.example", DEMO_PASSWORD)

    assert TOTP_ACTIVATE_PATH in page.url, page.url


def test_sign_in_page_has_no_accessibility_violations(browser_page):
    page = browser_page
    page.goto(LOGIN_PATH)

    violations = accessibility_violations(page)
    assert not violations, "\n".join(violations)


def error_texts(page) -> list[str]:
    """Distinct error messages on the page (summary and inline errors)."""
    texts = page.locator(
        ".nhsuk-error-summary__body > p, .nhsuk-error-summary__list li, .nhsuk-error-message, "
        ".errorlist li"
    ).all_inner_texts()
    cleaned = []
    for text in texts:
        text = " ".join(text.replace("Error:", "").split())
        if text and text not in cleaned:
            cleaned.append(text)
    return cleaned


def test_wrong_password_error_does_not_reveal_whether_the_email_exists(browser_page, demo):
    page = browser_page
    fill_sign_in(page, "nobody.here@riverside.example", "Not-the-password-1")
    assert page.url.endswith(LOGIN_PATH), page.url
    unknown_email_errors = error_texts(page)
    unknown_email_main = page.locator("main").inner_text()

    fill_sign_in(page, "amira.khan@riverside.example", "Not-the-password-1")
    assert page.url.endswith(LOGIN_PATH), page.url
    wrong_password_errors = error_texts(page)

    assert len(wrong_password_errors) == 1, wrong_password_errors
    assert wrong_password_errors == unknown_email_errors
    # Nothing else on the page differs either.
    assert page.locator("main").inner_text() == unknown_email_main
