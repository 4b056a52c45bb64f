"""Every compliance page refuses people outside its scope, and every compliance URL is listed.

The compliance app's own counterpart of tests/test_cross_pcn_refusals.py (which leaves
`lms.compliance` to this file). Our PCN's care coordinator gets a directory entry, our PCN a
partner with a check, a practice and an issued pack. Then another PCN's manager and
coordinator, the ICB viewer and a person with no role ask for every address, GET and POST:
each answer is 403 or 404 (404 for the other PCN's manager on manager pages), none shows
the coordinator's name, and nothing they POST changes anything.
"""

import datetime

import pytest
from django.urls import URLResolver, get_resolver, reverse

from lms.compliance.models import (
    DirectoryEntry,
    IssuedPack,
    PackKind,
    PackStatus,
    PartnerOrganisation,
    PracticeAwareness,
    SafeguardingCheck,
)
from lms.models import AuditEntry
from tests.compliance import builders

pytestmark = pytest.mark.django_db

ATTACKERS = ["other_pcn_manager", "other_coordinator", "icb_viewer", "no_role_person"]
AS_OF = datetime.date(2026, 6, 1)


@pytest.fixture
def world(care_coordinator, pcn_manager, pcn, other_pcn):
    partner = builders.partner(pcn, added_on=AS_OF, checked_on=AS_OF)
    entry = builders.directory_listing(care_coordinator, listed_from=AS_OF)
    practice = pcn.practices.order_by("pk").first()
    pack = IssuedPack.objects.create(
        kind=PackKind.COORDINATOR, pcn=pcn, person=care_coordinator, as_of=AS_OF,
        contract_year="2026/27", status=PackStatus.DONE, fingerprint="a" * 64,
    )
    return {
        "person": care_coordinator, "pcn": pcn, "partner": partner, "entry": entry,
        "practice": practice, "pack": pack, "other_pcn": other_pcn,
    }


# (url name, args, method, POST data, a page our PCN's manager may open with GET)
def object_urls(w):
    p, pcn = w["person"].pk, w["pcn"].pk
    return [
        ("compliance:dashboard", f"?pcn={pcn}", "get", None, True),
        ("compliance:person", [p], "get", None, True),
        ("compliance:requirement", [p, "1a"], "get", None, True),
        ("partners:list", [pcn], "get", None, True),
        ("partners:create", [pcn], "get", None, True),
        ("partners:create", [pcn], "post", {"name": "Hacked", "offers": "x"}, False),
        ("partners:detail", [w["partner"].pk], "get", None, True),
        ("partners:edit", [w["partner"].pk], "get", None, True),
        ("partners:edit", [w["partner"].pk], "post", {"name": "Hacked", "offers": "x"}, False),
        ("partners:check", [w["partner"].pk], "get", None, True),
        ("partners:check", [w["partner"].pk], "post", {"outcome": "Hacked"}, False),
        ("partners:archive", [w["partner"].pk], "get", None, True),
        ("partners:archive", [w["partner"].pk], "post", {"reason": "Hacked"}, False),
        ("partners:restore", [w["partner"].pk], "post", {}, False),
        ("directory:manage", [pcn], "get", None, True),
        ("directory:entry_create", [pcn, p], "get", None, False),
        ("directory:entry_create", [pcn, p], "post", {"display_name": "Hacked"}, False),
        ("directory:entry_edit", [w["entry"].pk], "get", None, True),
        ("directory:entry_edit", [w["entry"].pk], "post", {"display_name": "Hacked"}, False),
        ("directory:entry_unlist", [w["entry"].pk], "get", None, True),
        ("directory:entry_unlist", [w["entry"].pk], "post", {}, False),
        ("directory:awareness", [pcn], "get", None, True),
        ("directory:awareness_practice", [w["practice"].pk], "get", None, True),
        ("directory:awareness_record", [w["practice"].pk], "get", None, True),
        ("directory:awareness_record", [w["practice"].pk], "post", {"notes": "Hacked"}, False),
        ("packs:pcn", [pcn], "get", None, True),
        ("packs:pcn", [pcn], "post", {}, False),
        ("packs:pcn_coordinator_pack", [pcn], "post", {"person": p}, False),
        ("packs:pcn_csv", [pcn], "get", None, True),
        ("packs:detail", [w["pack"].pk], "get", None, True),
        ("packs:download", [w["pack"].pk], "get", None, False),
    ]


# Pages for a role, with no object in the address: refused (403) to a person without it.
ROLE_PAGES = [
    "compliance:dashboard", "compliance:mine", "compliance:icb", "partners:index",
    "directory:manage_index", "directory:awareness_index", "packs:index", "packs:mine",
    "subject_access:mine",  # the coordinator's own data only: test_subject_access.py
]
# Open to anyone, signed in or not; tested in test_directory.py and test_verify.py.
PUBLIC = {"directory:public", "directory:photo", "verify:index", "verify:fingerprint"}
# The ICB viewer's drill-down to one PCN of their ICB: tested below and in test_icb_dashboard.
ICB_PAGES = {"compliance:icb_pcn"}


def _url(name, args):
    if isinstance(args, str):
        return reverse(name) + args
    return reverse(name, args=args)


def assert_no_leak(response, person, label):
    body = b"".join(response) if response.streaming else response.content
    for text in (person.given_name, person.family_name, person.email):
        assert text.encode() not in body, f"{label} shows {text!r}"


def _counts():
    return {
        "partners": PartnerOrganisation.objects.count(),
        "archived": PartnerOrganisation.objects.filter(archived_at__isnull=False).count(),
        "checks": SafeguardingCheck.objects.count(),
        "entries": DirectoryEntry.objects.count(),
        "listed": DirectoryEntry.objects.filter(listed_until__isnull=True).count(),
        "awareness": PracticeAwareness.objects.count(),
        "packs": IssuedPack.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize("attacker_name", ATTACKERS)
def test_compliance_pages_refuse_people_outside_the_scope(request, sign_in, world,
                                                          attacker_name):
    attacker = request.getfixturevalue(attacker_name)
    client = sign_in(attacker)
    before = _counts()
    partner_name = world["partner"].name
    for name, args, method, data, manager_page in object_urls(world):
        url = _url(name, args)
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        label = f"{attacker_name} {method.upper()} {name} {url}"
        if attacker_name == "icb_viewer" and name == "compliance:dashboard":
            # ICB viewers are sent to their own dashboard of aggregates.
            assert response.status_code == 302, label
            assert response["Location"] == reverse("compliance:icb"), label
            continue
        assert response.status_code in (403, 404), f"{label}: {response.status_code}"
        if attacker_name == "other_pcn_manager" and manager_page:
            assert response.status_code == 404, f"{label}: {response.status_code}"
        assert_no_leak(response, world["person"], label)
    assert _counts() == before
    world["partner"].refresh_from_db()
    assert world["partner"].name == partner_name


def test_role_pages_refuse_people_without_the_role(sign_in, world, no_role_person):
    client = sign_in(no_role_person)
    for name in ROLE_PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_the_icb_viewer_sees_our_pcn_in_aggregate_only(sign_in, world, icb_viewer,
                                                       other_icb_pcn):
    client = sign_in(icb_viewer)
    response = client.get(reverse("compliance:icb_pcn", args=[world["pcn"].pk]))
    assert response.status_code == 200
    assert_no_leak(response, world["person"], "ICB viewer's PCN page")
    faraway = client.get(reverse("compliance:icb_pcn", args=[other_icb_pcn.pk]))
    assert faraway.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_except_on_public_pages(client, world):
    for name, args, method, data, _manager_page in object_urls(world):
        url = _url(name, args)
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    public = client.get(reverse("directory:public", args=[world["pcn"].ods_code]))
    assert public.status_code == 200
    assert client.get(reverse("verify:index")).status_code == 200


def test_our_manager_opens_every_page_the_others_are_refused(sign_in, world, pcn_manager):
    """The same addresses work for our PCN's manager, so the refusals above are real."""
    client = sign_in(pcn_manager)
    for name, args, method, _data, manager_page in object_urls(world):
        if method == "get" and manager_page:
            url = _url(name, args)
            assert client.get(url).status_code == 200, f"{name} {url}"


def _url_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif getattr(pattern.callback, "__module__", "").startswith("lms.compliance"):
            if pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_compliance_url_is_covered():
    covered = {name for name, *_ in object_urls(_Names())}
    covered |= set(ROLE_PAGES) | PUBLIC | ICB_PAGES
    missing = set(_url_names(get_resolver().url_patterns)) - covered
    assert not missing, f"Compliance URLs with no refusal check here: {sorted(missing)}"


class _Names(dict):
    def __missing__(self, key):
        return _Anything()


class _Anything:
    pk = 0

    def __getattr__(self, name):
        return self
