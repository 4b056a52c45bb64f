"""The DES 4 partner register: review states on a date, adding and changing partners,
safeguarding checks with evidence, archive and restore, permissions and query counts.

The shared fixtures and helpers here (a frozen clock, `add_partner`, `checked`) are imported by
the other test_partners_* modules.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.compliance import partner_services as services
from lms.compliance.models import PartnerOrganisation, SafeguardingCheck
from lms.compliance.partner_services import ReviewState
from lms.models import AuditEntry, EvidenceFile

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 3, 16)
DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n%%EOF\n"
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture
def frozen():
    """Every page and service sees 16 March 2026, midday."""
    with time_machine.travel(datetime.datetime(2026, 3, 16, 12, 0), tick=False):
        yield AS_OF


def add_partner(pcn, manager, name="Riverside Men's Shed", **fields):
    values = {"offers": "Friendship and practical skills for men over 50.",
              "added_on": AS_OF - 400 * DAY}
    values.update(fields)
    return services.partner_create(actor=manager.user, pcn=pcn, as_of=AS_OF, name=name,
                                   **values)


def checked(partner, checker, checked_on, review_due_on=None, **kwargs):
    return services.safeguarding_check_record(
        actor=checker.user, partner=partner, checked_on=checked_on, checked_by=checker,
        outcome="Safeguarding policy seen; named lead", review_due_on=review_due_on,
        as_of=AS_OF, **kwargs,
    )


def date_post(name, day):
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month),
            f"{name}_year": str(day.year)}


def pdf(name="policy.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- review states -----------------------------------------------------------------------------


def test_review_state_on_a_date(pcn, pcn_manager):
    never = add_partner(pcn, pcn_manager, "Never checked")
    overdue = add_partner(pcn, pcn_manager, "Overdue")
    checked(overdue, pcn_manager, AS_OF - 400 * DAY)  # due 12 months later: before AS_OF
    soon = add_partner(pcn, pcn_manager, "Due soon")
    checked(soon, pcn_manager, AS_OF - 350 * DAY)
    fine = add_partner(pcn, pcn_manager, "Fine")
    checked(fine, pcn_manager, AS_OF - 400 * DAY)
    checked(fine, pcn_manager, AS_OF - 10 * DAY)  # the latest check is the one in force
    due_today = add_partner(pcn, pcn_manager, "Due today")
    checked(due_today, pcn_manager, AS_OF - 100 * DAY, review_due_on=AS_OF)

    states = {p.name: p.review_state for p in services.register_status(pcn, AS_OF)}

    assert states == {
        "Never checked": ReviewState.NOT_CHECKED,
        "Overdue": ReviewState.OVERDUE,
        "Due soon": ReviewState.DUE_SOON,
        "Fine": ReviewState.CHECKED,
        "Due today": ReviewState.DUE_SOON,  # overdue only once the due date has passed
    }
    assert services.needing_check_counts([pcn.pk], AS_OF) == {pcn.pk: 2}
    assert {never.pk, soon.pk} <= {p.pk for p in services.register_status(pcn, AS_OF)}


def test_the_check_in_force_is_the_latest_on_or_before_the_date(pcn, pcn_manager):
    partner = add_partner(pcn, pcn_manager)
    checked(partner, pcn_manager, AS_OF - 500 * DAY)
    checked(partner, pcn_manager, AS_OF - 20 * DAY)

    earlier = AS_OF - 100 * DAY  # only the first check existed then: overdue
    [then] = services.register_status(pcn, earlier)
    [now] = services.register_status(pcn, AS_OF)

    assert then.last_checked_on == AS_OF - 500 * DAY
    assert then.review_state == ReviewState.OVERDUE
    assert now.last_checked_on == AS_OF - 20 * DAY
    assert now.review_state == ReviewState.CHECKED
    assert services.review_state(AS_OF + 31 * DAY, AS_OF) == ReviewState.CHECKED
    assert services.review_state(AS_OF + 30 * DAY, AS_OF) == ReviewState.DUE_SOON


def test_register_on_a_date_leaves_out_archived_and_later_partners(pcn, pcn_manager, frozen):
    kept = add_partner(pcn, pcn_manager, "Kept")
    gone = add_partner(pcn, pcn_manager, "Gone")
    add_partner(pcn, pcn_manager, "Added yesterday", added_on=AS_OF - DAY)
    services.partner_archive(actor=pcn_manager.user, partner=gone, reason="Closed")

    assert [p.name for p in services.register_status(pcn, AS_OF)] == ["Added yesterday", "Kept"]
    # Two days ago the archived one was still on the register; yesterday's was not yet.
    assert [p.name for p in services.register_status(pcn, AS_OF - 2 * DAY)] == ["Gone", "Kept"]
    assert kept.pk in {p.pk for p in services.register_status(pcn, AS_OF)}


# --- the services' rules -----------------------------------------------------------------------


def test_a_check_defaults_its_review_to_twelve_months_later_and_is_audited(pcn, pcn_manager):
    partner = add_partner(pcn, pcn_manager)
    check = checked(partner, pcn_manager, datetime.date(2026, 2, 28))

    assert check.review_due_on == datetime.date(2027, 2, 28)
    entry = AuditEntry.objects.filter(action="partner.safeguarding_check").get()
    assert entry.object_id == str(check.pk)
    assert entry.after["review_due_on"] == "2027-02-28"
    assert AuditEntry.objects.filter(action="partner.create", object_id=str(partner.pk)).exists()


@pytest.mark.parametrize(
    ("checked_on", "review_due_on", "field"),
    [
        (AS_OF + DAY, None, "checked_on"),  # in the future
        (AS_OF - 10 * DAY, AS_OF - 10 * DAY, "review_due_on"),  # not after the check
        (AS_OF - 10 * DAY, AS_OF - 20 * DAY, "review_due_on"),
        (AS_OF - 10 * DAY, AS_OF + 4 * 365 * DAY, "review_due_on"),  # too far ahead
        (datetime.date(2001, 1, 1), None, "checked_on"),  # implausibly old
    ],
)
def test_a_check_with_impossible_dates_is_refused(pcn, pcn_manager, checked_on, review_due_on,
                                                 field):
    partner = add_partner(pcn, pcn_manager)
    with pytest.raises(ValidationError) as error:
        checked(partner, pcn_manager, checked_on, review_due_on=review_due_on)
    assert field in error.value.message_dict
    assert not SafeguardingCheck.objects.exists()


def test_the_checker_must_be_someone_of_the_pcn(pcn, pcn_manager, other_pcn_manager):
    partner = add_partner(pcn, pcn_manager)
    with pytest.raises(ValidationError) as error:
        services.safeguarding_check_record(
            actor=pcn_manager.user, partner=partner, checked_on=AS_OF, checked_by=other_pcn_manager,
            outcome="Policy seen", as_of=AS_OF,
        )
    assert "checked_by" in error.value.message_dict


def test_a_duplicate_name_on_the_register_is_refused(pcn, other_pcn, pcn_manager,
                                                    other_pcn_manager):
    add_partner(pcn, pcn_manager, "Age UK Riverside")
    with pytest.raises(ValidationError) as error:
        add_partner(pcn, pcn_manager, "age uk riverside")
    assert "name" in error.value.message_dict
    add_partner(other_pcn, other_pcn_manager, "Age UK Riverside")  # another PCN's register


def test_archive_keeps_history_and_restore_puts_it_back(pcn, pcn_manager, frozen):
    partner = add_partner(pcn, pcn_manager)
    checked(partner, pcn_manager, AS_OF - 10 * DAY)
    with pytest.raises(ValidationError):
        services.partner_archive(actor=pcn_manager.user, partner=partner, reason="  ")

    services.partner_archive(actor=pcn_manager.user, partner=partner, reason="It has closed")
    partner.refresh_from_db()
    assert partner.archived_reason == "It has closed"
    assert partner.safeguarding_checks.count() == 1
    with pytest.raises(ValidationError):
        checked(partner, pcn_manager, AS_OF)
    with pytest.raises(ValidationError):
        services.partner_update(actor=pcn_manager.user, partner=partner, as_of=AS_OF,
                                name="New name")

    services.partner_restore(actor=pcn_manager.user, partner=partner)
    partner.refresh_from_db()
    assert partner.archived_at is None and partner.archived_reason == ""
    actions = list(AuditEntry.objects.filter(object_id=str(partner.pk),
                                             object_type="compliance.partnerorganisation")
                   .values_list("action", flat=True))
    assert actions == ["partner.create", "partner.archive", "partner.restore"]
    assert AuditEntry.objects.get(action="partner.archive").after["archived_reason"] == (
        "It has closed"
    )


def test_an_update_is_audited_with_before_and_after(pcn, pcn_manager):
    partner = add_partner(pcn, pcn_manager)
    services.partner_update(actor=pcn_manager.user, partner=partner, as_of=AS_OF,
                            name="Riverside Shed", offers=partner.offers, contact_name="Sam",
                            contact_email="", contact_phone="", website="",
                            added_on=partner.added_on)
    entry = AuditEntry.objects.get(action="partner.update")
    assert entry.before["name"] == "Riverside Men's Shed"
    assert entry.after["name"] == "Riverside Shed"
    assert entry.after["contact_name"] == "Sam"


# --- the pages: managing ------------------------------------------------------------------------


def partner_post(**overrides):
    data = {"name": "Age UK Riverside", "offers": "Befriending and benefits advice",
            "contact_name": "Pat Jones", "contact_email": "pat@ageuk.example",
            "contact_phone": "01632 960 001", "website": "https://ageuk.example",
            **date_post("added_on", AS_OF)}
    data.update(overrides)
    return data


def test_a_manager_adds_and_changes_a_partner(sign_in, pcn, pcn_manager, frozen):
    client = sign_in(pcn_manager)
    response = client.post(reverse("partners:create", args=[pcn.pk]), partner_post())
    partner = PartnerOrganisation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("partners:detail", args=[partner.pk])
    assert partner.pcn == pcn and partner.created_by == pcn_manager.user

    page = client.get(response.url).content.decode()
    assert "Age UK Riverside" in page and "Not checked" in page
    assert "pat@ageuk.example" in page

    response = client.post(reverse("partners:edit", args=[partner.pk]),
                           partner_post(name="Age UK Riverside and Hills"))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Age UK Riverside and Hills"
    assert AuditEntry.objects.filter(action="partner.update").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the organisation’s name"),
        ({"offers": ""}, "offers", "Enter what the organisation offers"),
        ({"contact_email": "not-an-email"}, "contact_email", "Enter an email address"),
        ({"website": "javascript:alert(1)"}, "website", "Enter a website address"),
        ({"contact_phone": "<script>"}, "contact_phone", "Enter a phone number"),
        (date_post("added_on", AS_OF + DAY), "added_on", "must be today or in the past"),
        ({"added_on_day": "31", "added_on_month": "2", "added_on_year": "2026"}, "added_on",
         "Enter a real date"),
    ],
)
def test_bad_partner_details_show_a_field_error_and_keep_the_input(
    sign_in, pcn, pcn_manager, frozen, overrides, field, message
):
    response = sign_in(pcn_manager).post(reverse("partners:create", args=[pcn.pk]),
                                         partner_post(**overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "There is a problem" in page and "<title>Error: " in page
    assert "Befriending and benefits advice" in page or field == "offers"
    assert not PartnerOrganisation.objects.exists()


def check_post(checker, **overrides):
    data = {**date_post("checked_on", AS_OF - 5 * DAY), "checked_by": str(checker.pk),
            "outcome": "Safeguarding policy dated 2025 seen; named lead Pat Jones",
            "review_due_on_day": "", "review_due_on_month": "", "review_due_on_year": ""}
    data.update(overrides)
    return data


def test_a_manager_records_a_check_with_evidence_kept_by_the_checker(
    sign_in, pcn, pcn_manager, care_coordinator, frozen
):
    partner = add_partner(pcn, pcn_manager)
    client = sign_in(pcn_manager)
    form_page = client.get(reverse("partners:check", args=[partner.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in form_page
    assert care_coordinator.full_name in form_page  # anyone of the PCN can be the checker

    response = client.post(reverse("partners:check", args=[partner.pk]),
                           {**check_post(care_coordinator), "evidence": pdf()})

    assert response.status_code == 302
    check = SafeguardingCheck.objects.get()
    assert check.checked_by == care_coordinator
    assert check.review_due_on == datetime.date(2027, 3, 11)
    assert check.evidence.owner == care_coordinator
    assert check.evidence.content_type == "application/pdf"
    assert check.recorded_by == pcn_manager.user
    page = client.get(reverse("partners:detail", args=[partner.pk])).content.decode()
    assert "Checked" in page and "11 March 2027" in page
    assert reverse("evidence_file_download", args=[check.evidence.pk]) in page
    # The manager may open the evidence (the checker is one of their PCN's people).
    assert client.get(reverse("evidence_file_download", args=[check.evidence.pk])
                      ).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        (date_post("checked_on", AS_OF + DAY),
         "The date of the check must be today or in the past"),
        (date_post("review_due_on", AS_OF - 6 * DAY),
         "The next review must be after the date of the check"),
        ({"checked_by": "999999"}, "Choose someone from the list"),
        ({"checked_by": "x"}, "Choose someone from the list"),
        ({"outcome": ""}, "Enter what was checked"),
        ({"checked_on_day": "", "checked_on_month": "", "checked_on_year": ""},
         "Enter the date of the check"),
    ],
)
def test_bad_checks_show_a_field_error_and_keep_the_input(
    sign_in, pcn, pcn_manager, frozen, overrides, field_message
):
    partner = add_partner(pcn, pcn_manager)
    response = sign_in(pcn_manager).post(reverse("partners:check", args=[partner.pk]),
                                         check_post(pcn_manager, **overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert field_message in page
    assert "There is a problem" in page
    if overrides.get("outcome", None) != "":
        assert "named lead Pat Jones" in page
    assert not SafeguardingCheck.objects.exists()


def test_html_renamed_pdf_is_refused(sign_in, pcn, pcn_manager, frozen):
    partner = add_partner(pcn, pcn_manager)
    response = sign_in(pcn_manager).post(
        reverse("partners:check", args=[partner.pk]),
        {**check_post(pcn_manager), "evidence": pdf("policy.pdf", HTML)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The selected file must be a PDF, PNG or JPEG" in page
    assert not SafeguardingCheck.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_an_error_elsewhere_asks_to_select_the_file_again(sign_in, pcn, pcn_manager, frozen):
    partner = add_partner(pcn, pcn_manager)
    response = sign_in(pcn_manager).post(
        reverse("partners:check", args=[partner.pk]),
        {**check_post(pcn_manager, outcome=""), "evidence": pdf()},
    )
    assert "Select the file again" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_archive_and_restore_through_the_pages(sign_in, pcn, pcn_manager, frozen):
    partner = add_partner(pcn, pcn_manager)
    checked(partner, pcn_manager, AS_OF - 10 * DAY)
    client = sign_in(pcn_manager)
    archive_url = reverse("partners:archive", args=[partner.pk])

    response = client.post(archive_url, {"reason": ""})
    assert response.status_code == 200
    assert "Enter why the organisation is being archived" in response.content.decode()

    response = client.post(archive_url, {"reason": "No longer takes referrals"}, follow=True)
    assert response.redirect_chain == [(reverse("partners:detail", args=[partner.pk]), 302)]
    assert "has been archived" in response.content.decode()
    list_url = reverse("partners:list", args=[pcn.pk])
    assert partner.name not in client.get(list_url).content.decode().replace("&#x27;", "'")
    archived = client.get(list_url + "?show=archived").content.decode().replace("&#x27;", "'")
    assert partner.name in archived and "No longer takes referrals" in archived
    detail = client.get(reverse("partners:detail", args=[partner.pk])).content.decode()
    assert "Archived" in detail and "Restore to the register" in detail
    assert "Safeguarding policy seen" in detail  # its history is kept
    # An archived partner is not changed or checked until it is restored.
    assert client.get(reverse("partners:edit", args=[partner.pk])).status_code == 302
    assert client.get(reverse("partners:check", args=[partner.pk])).status_code == 302

    assert client.get(reverse("partners:restore", args=[partner.pk])).status_code == 405
    assert client.post(reverse("partners:restore", args=[partner.pk])).status_code == 302
    partner.refresh_from_db()
    assert partner.archived_at is None
    assert partner.name in client.get(list_url).content.decode().replace("&#x27;", "'")


def test_the_list_flags_reviews_and_filters_them(sign_in, pcn, pcn_manager, frozen):
    checked(add_partner(pcn, pcn_manager, "Overdue group"), pcn_manager, AS_OF - 400 * DAY)
    checked(add_partner(pcn, pcn_manager, "Soon group"), pcn_manager, AS_OF - 350 * DAY)
    checked(add_partner(pcn, pcn_manager, "Fine group"), pcn_manager, AS_OF - 10 * DAY)
    add_partner(pcn, pcn_manager, "Unchecked group")
    client = sign_in(pcn_manager)
    url = reverse("partners:list", args=[pcn.pk])

    page = client.get(url).content.decode()
    for text in ("Review overdue", "Review due soon", "Checked", "Not checked",
                 "Overdue group", "Soon group", "Fine group", "Unchecked group"):
        assert text in page
    overdue = client.get(url + "?show=overdue").content.decode()
    assert "Overdue group" in overdue and "Unchecked group" in overdue
    assert "Soon group" not in overdue and "Fine group" not in overdue
    soon = client.get(url + "?show=soon").content.decode()
    assert "Soon group" in soon and "Overdue group" not in soon
    hostile = client.get(url, {"show": "<script>alert(9)</script>", "page": "abc"})
    assert hostile.status_code == 200 and "alert(9)" not in hostile.content.decode()


# --- permissions ------------------------------------------------------------------------------


def _urls(partner):
    return {
        "list": reverse("partners:list", args=[partner.pcn_id]),
        "detail": reverse("partners:detail", args=[partner.pk]),
        "create": reverse("partners:create", args=[partner.pcn_id]),
        "edit": reverse("partners:edit", args=[partner.pk]),
        "check": reverse("partners:check", args=[partner.pk]),
        "archive": reverse("partners:archive", args=[partner.pk]),
        "restore": reverse("partners:restore", args=[partner.pk]),
    }


READ = ("list", "detail")
MANAGE = ("create", "edit", "check", "archive", "restore")


def test_coordinators_and_supporters_read_the_register_but_cannot_change_it(
    sign_in, pcn, pcn_manager, care_coordinator, supervisor, frozen
):
    partner = add_partner(pcn, pcn_manager)
    urls = _urls(partner)
    for person in (care_coordinator, supervisor):
        client = sign_in(person)
        assert client.get(reverse("partners:index")).status_code == 302
        for name in READ:
            response = client.get(urls[name])
            assert response.status_code == 200, (person, name)
            assert "Add an organisation" not in response.content.decode()
        for name in MANAGE:
            assert client.post(urls[name], {"reason": "x"}).status_code == 403, (person, name)
    partner.refresh_from_db()
    assert partner.archived_at is None


@pytest.mark.parametrize("attacker", ["other_pcn_manager", "other_coordinator"])
def test_another_pcns_people_get_not_found(request, sign_in, pcn, pcn_manager, frozen, attacker):
    partner = add_partner(pcn, pcn_manager)
    client = sign_in(request.getfixturevalue(attacker))
    for name, url in _urls(partner).items():
        response = client.post(url, {"reason": "x"}) if name in MANAGE else client.get(url)
        assert response.status_code == 404, name
        assert partner.name not in response.content.decode()
    partner.refresh_from_db()
    assert partner.archived_at is None


@pytest.mark.parametrize("outsider", ["icb_viewer", "no_role_person"])
def test_people_without_a_register_role_are_refused(request, sign_in, pcn, pcn_manager, frozen,
                                                    outsider):
    partner = add_partner(pcn, pcn_manager)
    client = sign_in(request.getfixturevalue(outsider))
    assert client.get(reverse("partners:index")).status_code == 403
    for name, url in _urls(partner).items():
        response = client.post(url, {"reason": "x"}) if name in MANAGE else client.get(url)
        assert response.status_code == 403, name


def test_anonymous_visitors_are_sent_to_sign_in(client, pcn, pcn_manager, frozen):
    partner = add_partner(pcn, pcn_manager)
    for url in _urls(partner).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_manager_of_two_pcns_chooses_one(sign_in, pcn, other_pcn, pcn_manager, frozen):
    from lms.models import Role
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(person=pcn_manager, role=Role.PCN_MANAGER, pcn=other_pcn,
                          starts_on=datetime.date(2025, 1, 6))
    page = sign_in(pcn_manager).get(reverse("partners:index")).content.decode()
    assert reverse("partners:list", args=[pcn.pk]) in page
    assert reverse("partners:list", args=[other_pcn.pk]) in page


def test_a_colleague_sees_who_holds_evidence_they_cannot_open(
    sign_in, pcn, pcn_manager, care_coordinator, frozen
):
    """The download view lets people open files of owners whose records they may see; a care
    coordinator may not open the manager's portfolio, so the register names the holder."""
    partner = add_partner(pcn, pcn_manager)
    check = checked(partner, pcn_manager, AS_OF - 3 * DAY, evidence_file=pdf())
    client = sign_in(care_coordinator)
    page = client.get(reverse("partners:detail", args=[partner.pk])).content.decode()
    assert reverse("evidence_file_download", args=[check.evidence.pk]) not in page
    assert "Held by Jo Smith" in page
    assert client.get(reverse("evidence_file_download", args=[check.evidence.pk])
                      ).status_code == 404


# --- query counts --------------------------------------------------------------------------------


def _assert_flat(client, url, add_more, django_assert_num_queries):
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_more()
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_list_query_count_is_flat(sign_in, pcn, pcn_manager, frozen, django_assert_num_queries):
    for n in range(2):
        checked(add_partner(pcn, pcn_manager, f"Group {n:02d}"), pcn_manager, AS_OF - n * DAY)

    def add_more():
        for n in range(2, 12):
            checked(add_partner(pcn, pcn_manager, f"Group {n:02d}"), pcn_manager,
                    AS_OF - n * DAY)

    response = _assert_flat(sign_in(pcn_manager), reverse("partners:list", args=[pcn.pk]),
                            add_more, django_assert_num_queries)
    assert "Group 11" in response.content.decode()


def test_detail_query_count_is_flat(sign_in, pcn, pcn_manager, care_coordinator, frozen,
                                    django_assert_num_queries):
    partner = add_partner(pcn, pcn_manager)
    checked(partner, pcn_manager, AS_OF - 400 * DAY, evidence_file=pdf())
    checked(partner, care_coordinator, AS_OF - 300 * DAY, evidence_file=pdf())

    def add_more():
        for n in range(10):
            checked(partner, care_coordinator if n % 2 else pcn_manager,
                    AS_OF - (290 - n) * DAY, evidence_file=pdf())

    _assert_flat(sign_in(pcn_manager), reverse("partners:detail", args=[partner.pk]), add_more,
                 django_assert_num_queries)
