"""Task lists build their URLs by string after one reverse: the same URLs as before."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import Page, Site

from lms.development_views import _url_with_id
from lms.page_urls import page_urls
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db


def test_page_urls_are_what_wagtail_gives():
    section = curriculum_section("Training")
    unicode_section = curriculum_section("Café", slug="café-skills")  # quoted as reverse() does
    pages = [
        learning_item(section, "fire-safety"),
        learning_item(unicode_section, "listening"),
        section,
        Page.objects.get(depth=2),  # the site root itself
    ]
    request = RequestFactory().get("/")
    urls = page_urls(pages, request)
    assert urls == {page.pk: page.get_url(request=request) for page in pages}
    assert urls[pages[1].pk].endswith("/caf%C3%A9-skills/listening/")
    assert page_urls([], request) == {}


def test_with_several_sites_wagtail_decides(settings):
    section = curriculum_section("Training")
    item = learning_item(section, "fire-safety")
    Site.objects.create(hostname="other.example", root_page=section, site_name="Other")
    request = RequestFactory().get("/")
    assert page_urls([item], request) == {item.pk: item.get_url(request=request)}


def test_urls_with_an_id_are_what_reverse_gives():
    record = _url_with_id("learning:record")
    record_for = _url_with_id("learning:record_for", 12)
    for pk in (1, 7, 12, 2024, 99999):
        assert record(pk) == reverse("learning:record", args=[pk])
        assert record_for(pk) == reverse("learning:record_for", args=[12, pk])
