"""DES 7 practice awareness: which practices were told about which care coordinators, recording
it, the manager's home panel, permissions and query counts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms.compliance import directory_services as services
from lms.compliance import register_panels  # noqa: F401 (registers the home panel)
from lms.compliance.models import AwarenessMethod, PracticeAwareness
from lms.models import AuditEntry, Role
from tests.compliance.test_directory import entry
from tests.compliance.test_partners import (
    AS_OF,
    DAY,
    _assert_flat,
    add_partner,
    checked,
    date_post,
    frozen,
)
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
__all__ = ["frozen"]


def told(practice, teller, coordinators, told_on=AS_OF - 10 * DAY,
         method=AwarenessMethod.STAFF_MEETING):
    return services.awareness_record(
        actor=teller.user, practice=practice, as_of=max(AS_OF, told_on), told_on=told_on,
        method=method,
        told_by=teller, coordinators=coordinators, notes="Practice meeting",
    )


@pytest.fixture
def ben(pcn):
    return make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben", family_name="Okafor")


# --- the rule -----------------------------------------------------------------------------------


def test_a_practice_is_told_about_a_coordinator_by_any_record_naming_them(
    pcn, pcn_manager, care_coordinator, ben
):
    first, second, third = pcn.practices.order_by("name")
    told(first, pcn_manager, [care_coordinator], told_on=AS_OF - 100 * DAY)
    told(first, pcn_manager, [ben], told_on=AS_OF - 5 * DAY)  # adds to the earlier one
    told(second, pcn_manager, [care_coordinator])
    told(third, pcn_manager, [care_coordinator, ben], told_on=AS_OF + DAY)  # after the date

    rows = {row.practice.pk: row for row in services.practice_awareness(pcn, AS_OF)}

    assert rows[first.pk].not_told == []
    assert rows[first.pk].latest.told_on == AS_OF - 5 * DAY
    assert rows[second.pk].not_told == [ben]
    assert rows[third.pk].not_told == [care_coordinator, ben]  # Khan before Okafor
    assert rows[third.pk].latest is None
    assert services.practices_not_told_counts([pcn.pk], AS_OF) == {pcn.pk: 2}
    # Earlier, before Ben was told anywhere, the first practice was missing him too.
    earlier = {r.practice.pk: r for r in services.practice_awareness(pcn, AS_OF - 6 * DAY)}
    assert earlier[first.pk].not_told == [ben]


def test_people_who_are_not_current_coordinators_are_not_gaps(pcn, pcn_manager, ben,
                                                             care_coordinator):
    from lms.models import RoleAssignment

    RoleAssignment.objects.filter(person=ben).update(ends_on=AS_OF)
    for practice in pcn.practices.all():
        told(practice, pcn_manager, [care_coordinator])
    assert services.practices_not_told_counts([pcn.pk], AS_OF) == {}
    assert all(not row.not_told for row in services.practice_awareness(pcn, AS_OF))


def test_records_are_audited_and_checked(pcn, other_pcn, pcn_manager, other_pcn_manager,
                                         care_coordinator, other_coordinator):
    practice = pcn.practices.first()
    record = told(practice, pcn_manager, [care_coordinator])
    entry_ = AuditEntry.objects.get(action="practice_awareness.record")
    assert entry_.object_id == str(record.pk)
    assert entry_.after["coordinators"] == [care_coordinator.pk]

    bad = [
        ({"told_on": AS_OF + DAY}, "told_on"),
        ({"told_by": other_pcn_manager}, "told_by"),
        ({"coordinators": []}, "coordinators"),
        ({"coordinators": [other_coordinator]}, "coordinators"),
        ({"method": "carrier_pigeon"}, "method"),
    ]
    for overrides, field in bad:
        values = {"told_on": AS_OF, "method": AwarenessMethod.EMAIL, "told_by": pcn_manager,
                  "coordinators": [care_coordinator]}
        values.update(overrides)
        with pytest.raises(ValidationError) as error:
            services.awareness_record(actor=pcn_manager.user, practice=practice, as_of=AS_OF,
                                      **values)
        assert field in error.value.message_dict
    assert PracticeAwareness.objects.count() == 1


# --- the pages ----------------------------------------------------------------------------------


def test_the_awareness_page_lists_each_practice_and_who_it_was_not_told_about(
    sign_in, pcn, pcn_manager, care_coordinator, ben, frozen
):
    first, second, third = pcn.practices.order_by("name")
    told(first, pcn_manager, [care_coordinator, ben])
    told(second, pcn_manager, [care_coordinator])

    page = sign_in(pcn_manager).get(reverse("directory:awareness", args=[pcn.pk])
                                    ).content.decode()

    assert "Told about every care coordinator" in page
    assert "Not told about Ben Okafor" in page
    assert page.count("Not told about Amira Khan") == 1  # the third practice only
    assert "Practice staff meeting, by Jo Smith" in page
    assert "2 practices have not been told about every care coordinator" in page
    assert reverse("directory:awareness_record", args=[third.pk]) in page


def test_a_manager_records_that_a_practice_was_told(sign_in, pcn, pcn_manager, care_coordinator,
                                                    ben, frozen):
    entry(pcn, care_coordinator)  # listed, so ticked by default; Ben is not listed
    practice = pcn.practices.first()
    client = sign_in(pcn_manager)
    url = reverse("directory:awareness_record", args=[practice.pk])
    form = client.get(url).content.decode()
    assert f'value="{care_coordinator.pk}" checked' in form
    assert f'value="{ben.pk}" checked' not in form and f'value="{ben.pk}"' in form

    response = client.post(url, {
        **date_post("told_on", AS_OF - DAY), "method": AwarenessMethod.EMAIL,
        "told_by": str(pcn_manager.pk), "coordinators": [str(care_coordinator.pk), str(ben.pk)],
        "notes": "Email to all staff with the directory link",
    })

    assert response.status_code == 302
    assert response.url == reverse("directory:awareness", args=[pcn.pk])
    record = PracticeAwareness.objects.get()
    assert record.practice == practice and record.told_by == pcn_manager
    assert set(record.coordinators.all()) == {care_coordinator, ben}
    assert record.recorded_by == pcn_manager.user
    history = client.get(reverse("directory:awareness_practice", args=[practice.pk]))
    assert "Email to all staff with the directory link" in history.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (date_post("told_on", AS_OF + DAY), "The date must be today or in the past"),
        ({"told_on_day": "31", "told_on_month": "2", "told_on_year": "2026"},
         "Enter a real date"),
        ({"method": ""}, "Choose how the staff were told"),
        ({"method": "<script>"}, "Choose how the staff were told"),
        ({"told_by": "999999"}, "Choose someone from the list"),
        ({"coordinators": []}, "Choose the care coordinators the staff were told about"),
        ({"coordinators": ["999999"]}, "Choose care coordinators from the list"),
        ({"notes": "x" * 501}, "Notes must be 500 characters or fewer"),
    ],
)
def test_bad_awareness_records_show_a_field_error(sign_in, pcn, pcn_manager, care_coordinator,
                                                  frozen, overrides, message):
    practice = pcn.practices.first()
    data = {**date_post("told_on", AS_OF - DAY), "method": AwarenessMethod.STAFF_MEETING,
            "told_by": str(pcn_manager.pk), "coordinators": [str(care_coordinator.pk)],
            "notes": "Weekly huddle"}
    data.update(overrides)
    response = sign_in(pcn_manager).post(
        reverse("directory:awareness_record", args=[practice.pk]), data
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and "There is a problem" in page
    if "notes" not in overrides:
        assert "Weekly huddle" in page
    assert not PracticeAwareness.objects.exists()


def test_another_pcns_teller_cannot_be_chosen(sign_in, pcn, pcn_manager, other_pcn_manager,
                                             care_coordinator, frozen):
    practice = pcn.practices.first()
    response = sign_in(pcn_manager).post(
        reverse("directory:awareness_record", args=[practice.pk]),
        {**date_post("told_on", AS_OF), "method": AwarenessMethod.EMAIL,
         "told_by": str(other_pcn_manager.pk), "coordinators": [str(care_coordinator.pk)]},
    )
    assert "Choose someone from the list" in response.content.decode()
    assert not PracticeAwareness.objects.exists()


# --- permissions ---------------------------------------------------------------------------------


def _urls(pcn):
    practice = pcn.practices.first()
    return [
        reverse("directory:awareness_index"),
        reverse("directory:awareness", args=[pcn.pk]),
        reverse("directory:awareness_practice", args=[practice.pk]),
        reverse("directory:awareness_record", args=[practice.pk]),
    ]


def _post_data(teller, coordinator):
    return {**date_post("told_on", AS_OF), "method": AwarenessMethod.EMAIL,
            "told_by": str(teller.pk), "coordinators": [str(coordinator.pk)]}


@pytest.mark.parametrize("outsider", ["care_coordinator", "supervisor", "icb_viewer",
                                      "no_role_person"])
def test_only_pcn_managers_see_and_record_awareness(request, sign_in, pcn, pcn_manager,
                                                   care_coordinator, frozen, outsider):
    client = sign_in(request.getfixturevalue(outsider))
    for url in _urls(pcn):
        assert client.get(url).status_code == 403, url
        assert client.post(url, _post_data(pcn_manager, care_coordinator)).status_code == 403
    assert not PracticeAwareness.objects.exists()


def test_another_pcns_manager_gets_not_found(sign_in, pcn, other_pcn_manager, pcn_manager,
                                            care_coordinator, frozen):
    client = sign_in(other_pcn_manager)
    for url in _urls(pcn)[1:]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, _post_data(pcn_manager, care_coordinator)).status_code == 404
    assert not PracticeAwareness.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, pcn, frozen):
    for url in _urls(pcn):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


# --- the home panel ------------------------------------------------------------------------------


def test_the_manager_panel_counts_overdue_reviews_and_untold_practices(
    sign_in, pcn, pcn_manager, care_coordinator, frozen
):
    client = sign_in(pcn_manager)
    assert "Partner reviews overdue" not in client.get(reverse("home")).content.decode()
    assert "Practices not yet told" in client.get(reverse("home")).content.decode()

    for practice in pcn.practices.all():
        told(practice, pcn_manager, [care_coordinator])
    home = client.get(reverse("home")).content.decode()
    assert "Practices not yet told" not in home
    assert "Partner organisations and practice awareness" not in home  # nothing to do

    checked(add_partner(pcn, pcn_manager, "Overdue"), pcn_manager, AS_OF - 400 * DAY)
    add_partner(pcn, pcn_manager, "Never checked")
    checked(add_partner(pcn, pcn_manager, "Fine"), pcn_manager, AS_OF - 10 * DAY)
    home = client.get(reverse("home")).content.decode()
    assert "Partner reviews overdue: 2" in home
    assert reverse("partners:list", args=[pcn.pk]) + "?show=overdue" in home

    make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="New", family_name="Starter")
    assert "Practices not yet told about a coordinator: 3" in client.get(reverse("home")
                                                                         ).content.decode()


def test_the_panel_is_only_for_managers(sign_in, pcn, pcn_manager, care_coordinator, frozen):
    add_partner(pcn, pcn_manager)
    home = sign_in(care_coordinator).get(reverse("home")).content.decode()
    assert "Partner reviews overdue" not in home


def test_the_panel_query_count_is_flat(pcn, pcn_manager, care_coordinator, frozen,
                                       django_assert_num_queries):
    from lms.access import scope_for

    def run():
        scope = scope_for(pcn_manager.user, AS_OF)
        return register_panels.registers_needing_action(None, scope, AS_OF)

    add_partner(pcn, pcn_manager, "P0")
    add_partner(pcn, pcn_manager, "P1")
    run()
    with django_assert_num_queries(4):
        few = run()
    for n in range(2, 12):
        add_partner(pcn, pcn_manager, f"P{n}")
        make_person(Role.CARE_COORDINATOR, pcn=pcn)
    with django_assert_num_queries(4):
        many = run()
    assert few[1]["overdue"] == 2 and many[1]["overdue"] == 12


# --- query counts --------------------------------------------------------------------------------


def test_awareness_page_query_count_is_flat(sign_in, pcn, pcn_manager, frozen,
                                            django_assert_num_queries):
    people = [make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"C{n:02d}",
                          family_name="Test") for n in range(2)]
    for practice in pcn.practices.all():
        told(practice, pcn_manager, people[:1])

    def add_more():
        more = [make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"C{n:02d}",
                            family_name="Test") for n in range(2, 12)]
        for practice in pcn.practices.all():
            told(practice, pcn_manager, more[::2])

    _assert_flat(sign_in(pcn_manager), reverse("directory:awareness", args=[pcn.pk]), add_more,
                 django_assert_num_queries)


def test_awareness_history_query_count_is_flat(sign_in, pcn, pcn_manager, care_coordinator,
                                               frozen, django_assert_num_queries):
    practice = pcn.practices.first()
    for n in range(2):
        told(practice, pcn_manager, [care_coordinator], told_on=AS_OF - n * DAY)

    def add_more():
        for n in range(2, 12):
            told(practice, pcn_manager, [care_coordinator], told_on=AS_OF - n * DAY)

    _assert_flat(sign_in(pcn_manager), reverse("directory:awareness_practice", args=[practice.pk]),
                 add_more, django_assert_num_queries)
