"""Production settings: `check --deploy` is clean with the documented environment, and every
page of ours carries a content security policy whose nonce is the one on base.html's two
inline scripts (tests/browser fail on anything the policy blocks)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60 + "-not-a-real-key-but-long-and-random-enough-1234567890",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "coordinate.example",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def test_check_deploy_is_clean_with_the_production_environment():
    env = {key: value for key, value in os.environ.items()
           if key not in {"DJANGO_SETTINGS_MODULE", "SECURE_COOKIES", "DATABASE_URL"}}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="lms.settings.base")
    finished = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "no issues" in finished.stdout


def test_pages_carry_a_policy_whose_nonce_is_on_the_inline_scripts(sign_in, care_coordinator,
                                                                   client):
    sign_in(care_coordinator)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert len(scripts) == 2
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert client.get(reverse("home"))["Content-Security-Policy"] != policy  # new per request
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_our_pages_have_no_inline_styles(sign_in, pcn_manager, client):
    sign_in(pcn_manager)
    for name in ("home", "compliance:dashboard", "reports:training_matrix",
                 "competency_reports:heatmap"):
        html = client.get(reverse(name)).text
        assert "<style" not in html and ' style="' not in html, name


def test_the_cms_keeps_its_own_inline_scripts_without_our_policy(admin_client):
    assert "Content-Security-Policy" not in admin_client.get("/cms/")
