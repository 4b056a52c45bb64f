"""Every page needs sign-in except sign-in itself, password reset, invitations and health."""

import pytest
from django.core import mail
from wagtail.models import Page, Site

from lms import services


@pytest.fixture
def wagtail_page(db):
    root = Site.objects.get(is_default_site=True).root_page
    page = root.add_child(instance=Page(title="About Coordinate", slug="about-coordinate"))
    return page


@pytest.mark.parametrize(
    "path",
    ["/", "/people/", "/people/1/", "/people/add/", "/cms/", "/cms/pages/",
     "/accounts/2fa/", "/accounts/password/change/", "/invitations/"],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_next_parameter_brings_them_back(client, db):
    response = client.get("/people/1/")
    assert response["Location"] == "/accounts/login/?next=/people/1/"


def test_django_admin_sends_anonymous_visitors_to_sign_in(client, db):
    from urllib.parse import unquote

    response = client.get("/django-admin/", follow=True)
    assert unquote(response.redirect_chain[-1][0]) == "/accounts/login/?next=/django-admin/"


def test_a_wagtail_page_needs_sign_in(client, wagtail_page):
    url = wagtail_page.url
    assert url and url != "/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_signed_in_person_sees_a_wagtail_page(client, care_coordinator, wagtail_page):
    client.force_login(care_coordinator.user)
    assert client.get(wagtail_page.url).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/done/",
     "/health/"],
)
def test_open_pages(client, db, path):
    assert client.get(path).status_code == 200


def test_a_reset_key_link_is_open(client, care_coordinator):
    import re

    client.post("/accounts/password/reset/", {"email": care_coordinator.user.email})
    link = re.search(r"/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()


def test_an_invitation_link_is_open(client, pcn, pcn_manager):
    person = services.person_create(actor=pcn_manager.user, email="open@example.nhs.uk",
                                    given_name="Olu", family_name="Pen", pcn=pcn)
    _invitation, token = services.invitation_send(actor=pcn_manager.user, person=person)
    assert client.get(f"/invitations/{token}/").status_code == 200
    # An unknown token is a 404 page, not a sign-in redirect.
    assert client.get("/invitations/nonsense/").status_code == 404


def test_health_check_is_plain(client, db):
    response = client.get("/health/")
    assert response.content == b"ok"
