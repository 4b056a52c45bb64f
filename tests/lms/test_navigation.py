"""The header navigation fits the user's roles and marks the current section."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def labels(response):
    return [link["label"] for link in response.context["nav_links"]]


def test_care_coordinator_navigation(sign_in, care_coordinator):
    response = sign_in(care_coordinator).get(reverse("learning:mine"))
    assert labels(response) == [
        "Home", "Curriculum", "Your learning", "Your competencies", "Development plan",
    ]
    current = [link["label"] for link in response.context["nav_links"] if link["current"]]
    assert current == ["Your learning"]


def test_pcn_manager_navigation(sign_in, pcn_manager):
    response = sign_in(pcn_manager).get(reverse("learning:verification_queue"))
    assert labels(response) == [
        "Home", "Curriculum", "Certificates to verify", "People", "Training matrix",
        "Competencies",
    ]
    current = [link["label"] for link in response.context["nav_links"] if link["current"]]
    assert current == ["Certificates to verify"]


def test_supervisor_has_no_management_links(sign_in, supervisor):
    response = sign_in(supervisor).get(reverse("home"))
    assert labels(response) == [
        "Home", "Curriculum", "Sign-off requests", "Certificates to verify",
    ]
