"""DES 7: the public "Meet your care coordinators" page, its photos, and the PCN manager's
directory (list, change, unlist, list again), with permissions and query counts.

The helpers here (`entry`, `png`, `entry_post`) are imported by test_awareness.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lms.compliance import directory_services as services
from lms.compliance.models import DirectoryEntry
from lms.models import AuditEntry, EvidenceFile, Role, RoleAssignment
from tests.compliance.test_partners import AS_OF, DAY, PDF, _assert_flat, date_post, frozen
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
__all__ = ["frozen"]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def png(name="amira.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def entry(pcn, person, *, listed_from=AS_OF - 30 * DAY, listed_until=None, photo=None,
          display_name=None, practices=None):
    """An entry made directly (the service only lists from today on)."""
    made = DirectoryEntry.objects.create(
        person=person, pcn=pcn, display_name=display_name or person.full_name,
        how_to_refer="Ask reception for a care coordinator appointment.",
        about="I help people find support in the community.", photo=photo,
        listed_from=listed_from, listed_until=listed_until,
    )
    made.practices.set(practices if practices is not None else pcn.practices.all())
    return made


def stored_photo(person, content=PNG, content_type="image/png"):
    from lms import services as lms_services

    return lms_services.evidence_file_store(
        actor=None, owner=person,
        uploaded_file=SimpleUploadedFile("photo.png", content, content_type=content_type),
    )


def entry_post(pcn, **overrides):
    data = {"display_name": "Amira Khan",
            "practices": [str(p.pk) for p in pcn.practices.all()],
            "how_to_refer": "Ask reception to book a care coordinator appointment.",
            "about": "I help people with long-term conditions plan their care.",
            **date_post("listed_from", AS_OF)}
    data.update(overrides)
    return data


def main_of(response) -> str:
    page = response.content.decode()
    return page[page.index("<main"):page.index("</main>")]


# --- the public page ---------------------------------------------------------------------------


def test_the_public_page_shows_only_entries_listed_today(
    client, pcn, other_pcn, care_coordinator, other_coordinator, pcn_manager, frozen
):
    ben = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben", family_name="Okafor")
    chloe = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Chloe", family_name="Evans")
    dan = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Dan", family_name="Gone")
    eve = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Eve", family_name="Ended")
    entry(pcn, care_coordinator, display_name="Amira K.")
    entry(pcn, ben, listed_from=AS_OF + DAY)  # not yet
    entry(pcn, chloe, listed_until=AS_OF)  # ended today
    entry(pcn, dan)
    RoleAssignment.objects.filter(person=dan).update(ends_on=AS_OF)  # no longer a coordinator
    entry(pcn, eve, listed_until=AS_OF + DAY)  # last day today
    entry(other_pcn, other_coordinator)

    response = client.get(reverse("directory:public", args=[pcn.ods_code]))
    main = main_of(response)

    assert response.status_code == 200
    assert "Meet your care coordinators" in main and pcn.name in main
    assert "Amira K." in main and "Eve Ended" in main
    for absent in ("Ben Okafor", "Chloe Evans", "Dan Gone", "Dev Patel", "Amira Khan"):
        assert absent not in main
    assert "Ask reception for a care coordinator appointment." in main
    for practice in pcn.practices.all():
        assert practice.name in main
    # No personal data beyond the entries: no email addresses at all.
    assert "@" not in main
    assert care_coordinator.email not in response.content.decode()


def test_the_public_page_has_an_empty_state_and_unknown_codes_are_not_found(client, pcn,
                                                                           frozen):
    response = client.get(reverse("directory:public", args=[pcn.ods_code.lower()]))
    assert response.status_code == 200
    assert "This PCN has not published its care coordinators yet" in response.content.decode()
    for code in ("NOPE1", "x" * 40, "<script>", "%00"):
        assert client.get(f"/directory/{code}/").status_code == 404
    assert client.post(reverse("directory:public", args=[pcn.ods_code])).status_code == 405


def test_the_photo_is_served_only_while_the_entry_is_listed(client, pcn, other_pcn,
                                                          care_coordinator, frozen):
    listed = entry(pcn, care_coordinator, photo=stored_photo(care_coordinator))
    url = reverse("directory:photo", args=[pcn.ods_code, listed.pk])

    page = client.get(reverse("directory:public", args=[pcn.ods_code])).content.decode()
    assert url in page and 'alt="Photo of Amira Khan"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=300"
    assert b"".join(response.streaming_content) == PNG
    # Only under its own PCN's address.
    assert client.get(reverse("directory:photo", args=[other_pcn.ods_code, listed.pk])
                      ).status_code == 404

    listed.listed_until = AS_OF
    listed.save()
    assert client.get(url).status_code == 404


def test_no_photo_for_an_entry_without_one_or_not_yet_listed(client, pcn, care_coordinator,
                                                           frozen):
    without = entry(pcn, care_coordinator)
    assert client.get(reverse("directory:photo", args=[pcn.ods_code, without.pk])
                      ).status_code == 404
    without.delete()
    later = entry(pcn, care_coordinator, listed_from=AS_OF + DAY,
                  photo=stored_photo(care_coordinator))
    assert client.get(reverse("directory:photo", args=[pcn.ods_code, later.pk])
                      ).status_code == 404
    assert client.get(f"/directory/{pcn.ods_code}/photos/99999999/").status_code == 404


def test_a_pdf_is_never_served_as_a_photo(client, pcn, care_coordinator, frozen):
    pdf_file = stored_photo(care_coordinator, content=PDF, content_type="application/pdf")
    listed = entry(pcn, care_coordinator, photo=pdf_file)
    assert client.get(reverse("directory:photo", args=[pcn.ods_code, listed.pk])
                      ).status_code == 404


# --- managing ------------------------------------------------------------------------------------


def test_a_manager_lists_a_coordinator_with_a_photo(sign_in, client, pcn, pcn_manager,
                                                   care_coordinator, frozen):
    manager = sign_in(pcn_manager)
    url = reverse("directory:entry_create", args=[pcn.pk, care_coordinator.pk])
    form_page = manager.get(url).content.decode()
    assert 'value="Amira Khan"' in form_page  # "Given Family" by default
    assert form_page.count('type="checkbox"') == pcn.practices.count()
    assert form_page.count("checked") >= pcn.practices.count()  # all practices by default

    response = manager.post(url, {**entry_post(pcn), "photo": png()})

    assert response.status_code == 302
    assert response.url == reverse("directory:manage", args=[pcn.pk])
    made = DirectoryEntry.objects.get()
    assert made.listed_from == AS_OF and made.listed_until is None
    assert made.photo.owner == care_coordinator and made.photo.content_type == "image/png"
    assert made.practices.count() == 3
    assert AuditEntry.objects.filter(action="directory_entry.list",
                                     object_id=str(made.pk)).exists()
    client.logout()
    public = client.get(reverse("directory:public", args=[pcn.ods_code]))
    assert "Amira Khan" in main_of(public)
    assert client.get(reverse("directory:photo", args=[pcn.ods_code, made.pk])
                      ).status_code == 200


def test_a_practice_based_coordinator_defaults_to_their_practices(sign_in, pcn, pcn_manager,
                                                                 frozen):
    chloe = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Chloe", family_name="Evans")
    practice = pcn.practices.order_by("name").last()
    RoleAssignment.objects.get(person=chloe).practices.set([practice])
    page = sign_in(pcn_manager).get(
        reverse("directory:entry_create", args=[pcn.pk, chloe.pk])
    ).content.decode()
    checked = re.findall(r'value="(\d+)" checked', page)
    assert checked == [str(practice.pk)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"practices": []}, "Choose at least one practice"),
        ({"practices": ["999999"]}, "Choose practices from the list"),
        ({"how_to_refer": ""}, "Enter how to refer patients"),
        ({"display_name": ""}, "Enter the name to show"),
        (date_post("listed_from", AS_OF - DAY), "must be today or in the future"),
        (date_post("listed_from", AS_OF + 400 * DAY), "within the next 12 months"),
        ({"listed_from_day": "x"}, "Enter a real date"),
    ],
)
def test_bad_entries_show_a_field_error_and_keep_the_input(sign_in, pcn, pcn_manager,
                                                          care_coordinator, frozen, overrides,
                                                          message):
    response = sign_in(pcn_manager).post(
        reverse("directory:entry_create", args=[pcn.pk, care_coordinator.pk]),
        entry_post(pcn, **overrides),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and "There is a problem" in page
    assert "I help people with long-term conditions" in page
    assert not DirectoryEntry.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("photo.pdf", PDF), ("photo.png", b"<html>hi"),
                                               ("photo.jpg", b"GIF89a....")])
def test_a_photo_must_be_a_png_or_jpeg(sign_in, pcn, pcn_manager, care_coordinator, frozen,
                                      name, content):
    response = sign_in(pcn_manager).post(
        reverse("directory:entry_create", args=[pcn.pk, care_coordinator.pk]),
        {**entry_post(pcn), "photo": SimpleUploadedFile(name, content)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert ("The photo must be a PNG or JPEG image" in page
            or "The selected file must be a PDF, PNG or JPEG" in page)
    assert not DirectoryEntry.objects.exists() and not EvidenceFile.objects.exists()


def test_a_jpeg_photo_is_accepted(sign_in, pcn, pcn_manager, care_coordinator, frozen):
    sign_in(pcn_manager).post(
        reverse("directory:entry_create", args=[pcn.pk, care_coordinator.pk]),
        {**entry_post(pcn), "photo": SimpleUploadedFile("me.jpg", JPEG)},
    )
    assert DirectoryEntry.objects.get().photo.content_type == "image/jpeg"


def test_change_unlist_and_list_again_keep_the_history(sign_in, client, pcn, pcn_manager,
                                                      care_coordinator, frozen):
    manager = sign_in(pcn_manager)
    first = entry(pcn, care_coordinator, photo=stored_photo(care_coordinator))

    response = manager.post(reverse("directory:entry_edit", args=[first.pk]), entry_post(
        pcn, display_name="Amira", practices=[str(pcn.practices.first().pk)],
        remove_photo="on",
    ))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.display_name == "Amira" and first.photo is None
    assert first.practices.count() == 1
    change = AuditEntry.objects.get(action="directory_entry.update")
    assert change.before["display_name"] == "Amira Khan" and change.after["photo"] is None

    unlist_url = reverse("directory:entry_unlist", args=[first.pk])
    response = manager.post(unlist_url, date_post("listed_until", AS_OF - DAY))
    assert "The date must be today or in the future" in response.content.decode()
    assert manager.post(unlist_url, date_post("listed_until", AS_OF)).status_code == 302
    first.refresh_from_db()
    assert first.listed_until == AS_OF
    visitor = Client()  # `client` is the manager's own client
    assert "Amira" not in main_of(visitor.get(reverse("directory:public", args=[pcn.ods_code])))

    # An ended listing is not changed; the coordinator is listed again as a new row.
    assert manager.get(reverse("directory:entry_edit", args=[first.pk])).status_code == 302
    again_url = reverse("directory:entry_create", args=[pcn.pk, care_coordinator.pk])
    assert 'value="Amira"' in manager.get(again_url).content.decode()  # from the last one
    assert manager.post(again_url, entry_post(pcn)).status_code == 302
    assert DirectoryEntry.objects.count() == 2
    assert DirectoryEntry.objects.listed(AS_OF).get().pk != first.pk
    manage = manager.get(reverse("directory:manage", args=[pcn.pk])).content.decode()
    assert "Past listings" in manage and "14 February 2026" in manage


def test_unlisting_from_a_later_date_keeps_it_until_then(sign_in, pcn, pcn_manager,
                                                        care_coordinator, frozen):
    listed = entry(pcn, care_coordinator)
    sign_in(pcn_manager).post(reverse("directory:entry_unlist", args=[listed.pk]),
                              date_post("listed_until", AS_OF + 7 * DAY))
    listed.refresh_from_db()
    assert listed.listed_until == AS_OF + 7 * DAY
    assert list(DirectoryEntry.objects.listed(AS_OF + 6 * DAY)) == [listed]
    assert not DirectoryEntry.objects.listed(AS_OF + 7 * DAY).exists()


def test_unlisting_a_listing_that_has_not_started_means_it_is_never_shown(
    sign_in, pcn, pcn_manager, care_coordinator, frozen
):
    later = entry(pcn, care_coordinator, listed_from=AS_OF + 5 * DAY)
    response = sign_in(pcn_manager).post(reverse("directory:entry_unlist", args=[later.pk]), {})
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.listed_until == later.listed_from


def test_the_services_refuse_a_second_listing_and_a_non_coordinator(pcn, pcn_manager,
                                                                   care_coordinator, frozen):
    practices = list(pcn.practices.all())
    kwargs = {"actor": pcn_manager.user, "pcn": pcn, "as_of": AS_OF, "listed_from": AS_OF,
              "display_name": "X", "how_to_refer": "Ask", "practices": practices}
    services.directory_entry_list(person=care_coordinator, **kwargs)
    with pytest.raises(ValidationError):
        services.directory_entry_list(person=care_coordinator, **kwargs)
    with pytest.raises(ValidationError):
        services.directory_entry_list(person=pcn_manager, **kwargs)


def test_a_listing_ending_later_can_be_followed_by_one_from_then(pcn, pcn_manager,
                                                                care_coordinator, frozen):
    entry(pcn, care_coordinator, listed_until=AS_OF + 10 * DAY)
    kwargs = {"actor": pcn_manager.user, "pcn": pcn, "person": care_coordinator, "as_of": AS_OF,
              "display_name": "X", "how_to_refer": "Ask", "practices": list(pcn.practices.all())}
    with pytest.raises(ValidationError) as error:
        services.directory_entry_list(listed_from=AS_OF + 5 * DAY, **kwargs)
    assert "listed_from" in error.value.message_dict
    services.directory_entry_list(listed_from=AS_OF + 10 * DAY, **kwargs)
    assert DirectoryEntry.objects.count() == 2


def test_the_manage_page_shows_each_coordinators_state(sign_in, pcn, pcn_manager,
                                                      care_coordinator, frozen):
    ben = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben", family_name="Okafor")
    chloe = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Chloe", family_name="Evans")
    left = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Lee", family_name="Left")
    entry(pcn, care_coordinator)
    entry(pcn, ben, listed_from=AS_OF + 3 * DAY)
    entry(pcn, left)
    RoleAssignment.objects.filter(person=left).update(ends_on=AS_OF - DAY)

    page = sign_in(pcn_manager).get(reverse("directory:manage", args=[pcn.pk])).content.decode()

    assert "Listed</strong>" in page
    assert "Listed from 19 March 2026" in page
    assert "Not listed" in page and chloe.full_name in page
    assert reverse("directory:entry_create", args=[pcn.pk, chloe.pk]) in page
    assert "No longer a care coordinator here" in page  # Lee: still listed, so can be unlisted
    assert reverse("directory:public", args=[pcn.ods_code]) in page


# --- permissions -------------------------------------------------------------------------------


def _manager_urls(pcn, listed, person):
    return [
        reverse("directory:manage_index"),
        reverse("directory:manage", args=[pcn.pk]),
        reverse("directory:entry_create", args=[pcn.pk, person.pk]),
        reverse("directory:entry_edit", args=[listed.pk]),
        reverse("directory:entry_unlist", args=[listed.pk]),
    ]


@pytest.mark.parametrize("outsider", ["care_coordinator", "icb_viewer", "no_role_person",
                                      "supervisor"])
def test_only_pcn_managers_manage_the_directory(request, sign_in, pcn, care_coordinator,
                                                frozen, outsider):
    listed = entry(pcn, care_coordinator)
    client = sign_in(request.getfixturevalue(outsider))
    for url in _manager_urls(pcn, listed, care_coordinator):
        assert client.get(url).status_code == 403, url
        assert client.post(url, date_post("listed_until", AS_OF)).status_code == 403, url
    listed.refresh_from_db()
    assert listed.listed_until is None


def test_another_pcns_manager_gets_not_found(sign_in, pcn, care_coordinator, other_pcn_manager,
                                            frozen):
    listed = entry(pcn, care_coordinator)
    client = sign_in(other_pcn_manager)
    for url in _manager_urls(pcn, listed, care_coordinator)[1:]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, date_post("listed_until", AS_OF)).status_code == 404, url
    listed.refresh_from_db()
    assert listed.listed_until is None


def test_a_manager_cannot_list_someone_who_is_not_their_coordinator(
    sign_in, pcn, pcn_manager, other_coordinator, supervisor, frozen
):
    client = sign_in(pcn_manager)
    for person in (other_coordinator, supervisor, pcn_manager):
        url = reverse("directory:entry_create", args=[pcn.pk, person.pk])
        assert client.get(url).status_code == 404


def test_anonymous_visitors_read_only_the_public_page(client, pcn, care_coordinator, frozen):
    listed = entry(pcn, care_coordinator)
    assert client.get(reverse("directory:public", args=[pcn.ods_code])).status_code == 200
    for url in _manager_urls(pcn, listed, care_coordinator):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


# --- query counts --------------------------------------------------------------------------------


def _coordinators(pcn, start, stop):
    return [make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"Coordinator{n:02d}",
                        family_name="Test") for n in range(start, stop)]


def test_public_page_query_count_is_flat(client, pcn, frozen, django_assert_num_queries):
    for person in _coordinators(pcn, 0, 2):
        entry(pcn, person, photo=stored_photo(person))

    def add_more():
        for person in _coordinators(pcn, 2, 12):
            entry(pcn, person, photo=stored_photo(person))

    response = _assert_flat(client, reverse("directory:public", args=[pcn.ods_code]), add_more,
                            django_assert_num_queries)
    assert "Coordinator11 Test" in response.content.decode()


def test_manage_page_query_count_is_flat(sign_in, pcn, pcn_manager, frozen,
                                         django_assert_num_queries):
    first, second = _coordinators(pcn, 0, 2)
    entry(pcn, first)
    entry(pcn, second, listed_until=AS_OF - DAY)  # an empty history costs one query less

    def add_more():
        for n, person in enumerate(_coordinators(pcn, 2, 12)):
            if n % 2:
                entry(pcn, person, listed_until=AS_OF - DAY)
            else:
                entry(pcn, person)

    _assert_flat(sign_in(pcn_manager), reverse("directory:manage", args=[pcn.pk]), add_more,
                 django_assert_num_queries)
