"""The header navigation fits the user's roles and marks the current section."""

import pytest
from django.urls import reverse

from lms.models import Role
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def labels(response):
    return [link["label"] for link in response.context["nav_links"]]


def current(response):
    return [link["label"] for link in response.context["nav_links"] if link["current"]]


def test_care_coordinator_navigation(sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    response = client.get(reverse("learning:mine"))
    assert labels(response) == [
        "Home", "Curriculum", "Your learning", "Your competencies", "Development plan",
        "Supervision", "Reflections", "Safeguarding", "Peer sessions",
        "Partner organisations", "Your DES compliance",
    ]
    assert current(response) == ["Your learning"]
    for name, label in (("supervision:mine", "Supervision"), ("reflections:mine", "Reflections"),
                        ("safeguarding:log", "Safeguarding"),
                        ("network_sessions:list", "Peer sessions")):
        assert current(client.get(reverse(name))) == [label], name


def test_pcn_manager_navigation(sign_in, pcn_manager):
    client = sign_in(pcn_manager)
    response = client.get(reverse("learning:verification_queue"))
    assert labels(response) == [
        "Home", "Curriculum", "Peer sessions", "Partner organisations",
        "Certificates to verify", "People", "Training matrix", "Competencies",
        "Supervision cadence", "Safeguarding", "DES compliance", "Directory", "Evidence packs",
    ]
    assert current(response) == ["Certificates to verify"]
    for name, label in (("supervision:team", "Supervision cadence"),
                        ("safeguarding:summary", "Safeguarding")):
        assert current(client.get(reverse(name))) == [label], name


def test_supervisor_has_no_management_links(sign_in, supervisor):
    client = sign_in(supervisor)
    response = client.get(reverse("home"))
    assert labels(response) == [
        "Home", "Curriculum", "Sign-off requests", "Supervisees", "Shared reflections",
        "Peer sessions", "Partner organisations", "Certificates to verify",
    ]
    assert current(client.get(reverse("supervision:team"))) == ["Supervisees"]
    assert current(client.get(reverse("reflections:shared"))) == ["Shared reflections"]


def test_safeguarding_gp_also_has_the_discussions_with_them(sign_in, pcn, care_coordinator):
    gp = make_person(Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=care_coordinator,
                     given_name="Priya", family_name="Shah")
    client = sign_in(gp)
    response = client.get(reverse("home"))
    assert labels(response) == [
        "Home", "Curriculum", "Sign-off requests", "Supervisees", "Shared reflections",
        "Safeguarding discussions", "Peer sessions", "Partner organisations",
        "Certificates to verify",
    ]
    assert current(client.get(reverse("safeguarding:with_you"))) == ["Safeguarding discussions"]
