"""Hostile input to every page and form of the partner register, the directory and practice
awareness (the project-wide checker of tests/test_bad_input.py, run on this area's URLs): never
a 500, an error next to the field keeping what was typed, nothing shown back unescaped.

A form met again on another page of the same walk gets only the posts that differ from one
page to another (`checked`, `given_every_value` of tests/test_bad_input.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from lms.compliance.models import AwarenessMethod
from tests.compliance.test_directory import entry
from tests.compliance.test_partners import AS_OF, DAY, add_partner, checked, frozen, pdf
from tests.test_bad_input import Problems, _check_page

pytestmark = pytest.mark.django_db
__all__ = ["frozen"]


@pytest.fixture
def urls(pcn, pcn_manager, care_coordinator, frozen):
    from lms.compliance import directory_services

    partner = add_partner(pcn, pcn_manager)
    checked(partner, pcn_manager, AS_OF - 10 * DAY, evidence_file=pdf())
    archived = add_partner(pcn, pcn_manager, "Archived one")
    listed = entry(pcn, care_coordinator)
    practice = pcn.practices.first()
    directory_services.awareness_record(
        actor=pcn_manager.user, practice=practice, as_of=AS_OF, told_on=AS_OF,
        method=AwarenessMethod.EMAIL, told_by=pcn_manager, coordinators=[care_coordinator],
    )
    return [
        reverse("partners:index"),
        reverse("partners:list", args=[pcn.pk]),
        reverse("partners:create", args=[pcn.pk]),
        reverse("partners:detail", args=[partner.pk]),
        reverse("partners:edit", args=[partner.pk]),
        reverse("partners:check", args=[partner.pk]),
        reverse("partners:archive", args=[archived.pk]),
        reverse("directory:public", args=[pcn.ods_code]),
        reverse("directory:manage_index"),
        reverse("directory:manage", args=[pcn.pk]),
        reverse("directory:entry_edit", args=[listed.pk]),
        reverse("directory:entry_unlist", args=[listed.pk]),
        reverse("directory:awareness_index"),
        reverse("directory:awareness", args=[pcn.pk]),
        reverse("directory:awareness_practice", args=[practice.pk]),
        reverse("directory:awareness_record", args=[practice.pk]),
    ]


@pytest.mark.parametrize("role", ["pcn_manager", "care_coordinator", "icb_viewer"])
def test_hostile_input_to_every_page_and_form(request, sign_in, urls, role):
    client = sign_in(request.getfixturevalue(role))
    problems, checked, given_every_value = Problems(), set(), set()
    for url in urls:
        _check_page(client, role, url, problems, checked, given_every_value)
    assert not problems, "\n".join(problems)


def test_hostile_input_to_a_new_listing(sign_in, pcn, pcn_manager, frozen):
    from lms.models import Role
    from tests.conftest import make_person

    chloe = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Chloe", family_name="Evans")
    problems = Problems()
    _check_page(sign_in(pcn_manager), "pcn_manager",
                reverse("directory:entry_create", args=[pcn.pk, chloe.pk]), problems)
    assert not problems, "\n".join(problems)


def test_hostile_input_from_anonymous_visitors(urls):
    problems, checked, given_every_value = Problems(), set(), set()
    for url in urls:
        _check_page(Client(), "anonymous", url, problems, checked, given_every_value)
    assert not problems, "\n".join(problems)
