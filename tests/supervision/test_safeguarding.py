"""Safeguarding discussions (DES clause 6): logging one, locking, addenda, withdrawal, audit.

The shared fixtures here (a safeguarding GP, a frozen clock, a `logged` helper) are
imported by the other test_safeguarding_* modules.
"""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse

from lms.models import AuditEntry, Role
from supervision import safeguarding_services as services
from supervision.models import Escalation, SafeguardingAddendum, SafeguardingDiscussion
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 3, 16)
CONCERN = "Patient seemed frightened of their son, who handles all their money."
OUTCOME = "GP to see the patient alone this week; I will check the visit happened."
NHS_NUMBER = "943 476 5919"  # a valid NHS number (modulus 11)
LOG_URL = reverse("safeguarding:log")
MINE_URL = reverse("safeguarding:mine")


@pytest.fixture
def frozen():
    """Every page and service sees 16 March 2026, midday."""
    with time_machine.travel(datetime.datetime(2026, 3, 16, 12, 0), tick=False):
        yield AS_OF


@pytest.fixture
def safeguarding_gp(pcn, care_coordinator):
    return make_person(
        Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=care_coordinator,
        given_name="Isaac", family_name="Brown", job_title="GP, safeguarding lead",
    )


def logged(cc, gp, **overrides):
    """A log made through the service, with sensible defaults."""
    values = {
        "discussed_on": AS_OF - datetime.timedelta(days=3),
        "category": "abuse",
        "concern": CONCERN,
        "outcome": OUTCOME,
        "escalation": Escalation.NONE,
        "escalated_to": "",
        "follow_up_on": None,
    }
    values.update(overrides)
    return services.safeguarding_discussion_record(
        actor=cc.user, care_coordinator=cc, discussed_with=gp, as_of=AS_OF, **values
    )


def form_data(gp, **overrides):
    data = {
        "category": "domestic_violence",
        "discussed_on_day": "12", "discussed_on_month": "3", "discussed_on_year": "2026",
        "discussed_with": str(gp.pk),
        "concern": CONCERN,
        "outcome": OUTCOME,
        "escalation": "none",
        "escalated_to": "",
        "follow_up_on_day": "", "follow_up_on_month": "", "follow_up_on_year": "",
    }
    data.update(overrides)
    return data


def field_error(response, field):
    return response.context["form"].errors.get(field)


# --- logging a discussion ----------------------------------------------------------------------


def test_log_page_names_the_safeguarding_gp_and_preselects_them(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    response = sign_in(care_coordinator).get(LOG_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Isaac Brown, GP, safeguarding lead" in body
    assert f'value="{safeguarding_gp.pk}" checked' in body


@pytest.mark.parametrize(
    "escalation,escalated_to,shown",
    [
        ("none", "", "None"),
        ("referral", "Adult social care front door", "Referral made to Adult social care"),
        ("escalation", "Designated safeguarding lead", "Escalated to Designated safeguarding"),
    ],
)
def test_coordinator_logs_a_discussion_with_each_escalation_choice(
    sign_in, frozen, care_coordinator, safeguarding_gp, escalation, escalated_to, shown
):
    client = sign_in(care_coordinator)
    response = client.post(LOG_URL, form_data(
        safeguarding_gp, escalation=escalation, escalated_to=escalated_to,
        follow_up_on_day="20", follow_up_on_month="3", follow_up_on_year="2026",
    ), follow=True)
    discussion = SafeguardingDiscussion.objects.get()
    assert response.redirect_chain[-1][0] == reverse("safeguarding:detail", args=[discussion.pk])
    assert (discussion.care_coordinator, discussion.discussed_with) == (
        care_coordinator, safeguarding_gp)
    assert discussion.discussed_on == datetime.date(2026, 3, 12)
    assert discussion.follow_up_on == datetime.date(2026, 3, 20)
    assert (discussion.escalation, discussion.escalated_to) == (escalation, escalated_to)
    body = response.content.decode()
    assert "Your discussion with Isaac Brown on 12 March 2026 has been logged." in body
    assert CONCERN in body and OUTCOME in body
    assert shown in body
    assert "Domestic violence or abuse" in body


def test_who_it_was_escalated_to_is_dropped_when_there_was_no_escalation(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    sign_in(care_coordinator).post(
        LOG_URL, form_data(safeguarding_gp, escalation="none", escalated_to="Someone"))
    assert SafeguardingDiscussion.objects.get().escalated_to == ""


@pytest.mark.parametrize("escalation", ["referral", "escalation"])
def test_to_whom_is_required_when_a_referral_or_escalation_was_made(
    sign_in, frozen, care_coordinator, safeguarding_gp, escalation
):
    response = sign_in(care_coordinator).post(
        LOG_URL, form_data(safeguarding_gp, escalation=escalation, escalated_to="  "))
    assert response.status_code == 200
    assert field_error(response, "escalated_to") == [
        "Enter who the referral or escalation was made to"]
    body = response.content.decode()
    assert body.startswith("<!DOCTYPE html>") and "<title>Error: " in body
    assert CONCERN in body and OUTCOME in body  # nothing typed is lost
    assert not SafeguardingDiscussion.objects.exists()


def test_a_follow_up_before_the_discussion_is_refused(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    response = sign_in(care_coordinator).post(LOG_URL, form_data(
        safeguarding_gp, follow_up_on_day="11", follow_up_on_month="3",
        follow_up_on_year="2026"))
    assert field_error(response, "follow_up_on") == [
        "Follow-up date must be on or after the date of the discussion"]
    assert 'name="follow_up_on_day" value="11"' in response.content.decode()
    assert not SafeguardingDiscussion.objects.exists()


def test_a_follow_up_on_the_day_of_the_discussion_is_accepted(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    sign_in(care_coordinator).post(LOG_URL, form_data(
        safeguarding_gp, follow_up_on_day="12", follow_up_on_month="3",
        follow_up_on_year="2026"))
    assert SafeguardingDiscussion.objects.get().follow_up_on == datetime.date(2026, 3, 12)


@pytest.mark.parametrize(
    "day,month,year,message",
    [
        ("17", "3", "2026", "Date of the discussion must be today or in the past"),
        ("31", "2", "2026", "Enter a real date"),
        ("", "3", "2026", "Date must include a day"),
        ("", "", "", "Enter the date of the discussion"),
        ("1", "1", "26", "Year must include 4 numbers"),
        ("x", "3", "2026", "Enter a real date"),
    ],
)
def test_bad_discussion_dates_are_field_errors(
    sign_in, frozen, care_coordinator, safeguarding_gp, day, month, year, message
):
    response = sign_in(care_coordinator).post(LOG_URL, form_data(
        safeguarding_gp, discussed_on_day=day, discussed_on_month=month,
        discussed_on_year=year))
    assert response.status_code == 200
    assert field_error(response, "discussed_on") == [message]
    assert CONCERN in response.content.decode()
    assert not SafeguardingDiscussion.objects.exists()


def test_today_is_accepted_as_the_discussion_date(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    sign_in(care_coordinator).post(LOG_URL, form_data(
        safeguarding_gp, discussed_on_day="16", discussed_on_month="3"))
    assert SafeguardingDiscussion.objects.get().discussed_on == AS_OF


@pytest.mark.parametrize(
    "field,text,found",
    [
        ("concern", f"Patient {NHS_NUMBER} was upset.", "an NHS number (“943 476 5919”)"),
        ("outcome", "Visit the home at SW1A 1AA tomorrow.", "a postcode (“SW1A 1AA”)"),
        ("concern", "Mrs Jones said her DOB: 01/02/1950.", "a name with a title"),
    ],
)
def test_a_patient_identifier_blocks_saving_and_keeps_the_text(
    sign_in, frozen, care_coordinator, safeguarding_gp, field, text, found
):
    response = sign_in(care_coordinator).post(
        LOG_URL, form_data(safeguarding_gp, **{field: text}))
    assert response.status_code == 200
    errors = field_error(response, field)
    assert errors and errors[0].startswith("Remove patient-identifiable details before saving.")
    assert found in errors[0]
    body = response.content.decode()
    assert text.replace("’", "&#x27;") in body or text in body
    assert 'class="nhsuk-error-summary"' in body
    assert not SafeguardingDiscussion.objects.exists()


def test_the_service_refuses_identifiers_too(frozen, care_coordinator, safeguarding_gp):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        logged(care_coordinator, safeguarding_gp, outcome=f"NHS no {NHS_NUMBER}")
    assert "outcome" in raised.value.message_dict
    assert not SafeguardingDiscussion.objects.exists()


def test_huge_unicode_and_missing_input_give_field_errors_not_crashes(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    client = sign_in(care_coordinator)
    response = client.post(LOG_URL, form_data(
        safeguarding_gp, concern="é" * 5001, outcome="", category="nonsense",
        escalation="maybe", discussed_with="999999", escalated_to="x" * 201))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["concern"] == ["The concern must be 5000 characters or fewer"]
    assert errors["outcome"] == ["Enter the outcome of the discussion"]
    assert set(errors) >= {"category", "escalation", "discussed_with", "escalated_to"}
    response = client.post(LOG_URL, form_data(safeguarding_gp, discussed_with="abc"))
    assert field_error(response, "discussed_with") == ["Select who you discussed it with"]
    # Unicode that is not an identifier is fine.
    client.post(LOG_URL, form_data(safeguarding_gp, concern="Concern about a carer – “ok” 👍"))
    assert SafeguardingDiscussion.objects.get().concern == "Concern about a carer – “ok” 👍"


def test_only_a_named_safeguarding_gp_can_be_chosen(
    sign_in, frozen, care_coordinator, safeguarding_gp, supervisor
):
    response = sign_in(care_coordinator).post(
        LOG_URL, form_data(safeguarding_gp, discussed_with=str(supervisor.pk)))
    assert field_error(response, "discussed_with") == ["Select who you discussed it with"]
    assert not SafeguardingDiscussion.objects.exists()


def test_with_two_named_gps_neither_is_preselected(
    sign_in, frozen, pcn, care_coordinator, safeguarding_gp
):
    second = make_person(Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=care_coordinator,
                         given_name="Zara", family_name="Young")
    body = sign_in(care_coordinator).get(LOG_URL).content.decode()
    assert "Isaac Brown" in body and "Zara Young" in body
    assert " checked" not in body.split('name="discussed_with"', 1)[1].split("</fieldset>")[0]
    sign_in(care_coordinator).post(LOG_URL, form_data(safeguarding_gp,
                                                      discussed_with=str(second.pk)))
    assert SafeguardingDiscussion.objects.get().discussed_with == second


def test_without_a_named_gp_the_page_says_so_and_offers_no_form(
    sign_in, frozen, care_coordinator, supervisor
):
    client = sign_in(care_coordinator)
    body = client.get(LOG_URL).content.decode()
    assert "You do not have a named safeguarding GP" in body
    assert "Ask your PCN manager" in body
    assert 'name="concern"' not in body
    listing = client.get(MINE_URL).content.decode()
    assert "No safeguarding GP named" in listing
    assert LOG_URL not in listing
    response = client.post(LOG_URL, form_data(supervisor))
    assert response.status_code == 200
    assert not SafeguardingDiscussion.objects.exists()


def test_an_ended_safeguarding_gp_role_is_no_longer_offered(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    safeguarding_gp.role_assignments.update(ends_on=AS_OF)
    body = sign_in(care_coordinator).get(LOG_URL).content.decode()
    assert "You do not have a named safeguarding GP" in body


# --- locked: addenda ---------------------------------------------------------------------------


def addendum_url(discussion):
    return reverse("safeguarding:addendum_add", args=[discussion.pk])


def test_the_log_is_locked_and_addenda_by_coordinator_and_gp_show_in_order(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    discussion = logged(care_coordinator, safeguarding_gp)
    detail = reverse("safeguarding:detail", args=[discussion.pk])
    client = sign_in(care_coordinator)
    body = client.get(detail).content.decode()
    assert "Locked" in body and "No addenda have been added." in body
    assert 'name="concern"' not in body  # nothing on the page edits the log itself
    response = client.post(addendum_url(discussion),
                           {"addendum-text": "Correction: it was on the phone."}, follow=True)
    assert "Your addendum has been added." in response.content.decode()
    with time_machine.travel(datetime.datetime(2026, 3, 17, 9, 30), tick=False):
        gp_client = sign_in(safeguarding_gp)
        gp_client.post(addendum_url(discussion), {"addendum-text": "Seen alone; no concerns."})
    body = gp_client.get(detail).content.decode()
    first, second = body.index("Correction: it was on the phone."), body.index("Seen alone")
    assert first < second
    assert "Amira Khan, 16 March 2026, 12:00" in body
    assert "Isaac Brown, 17 March 2026, 09:30" in body
    assert list(discussion.addenda.values_list("added_by", flat=True)) == [
        care_coordinator.pk, safeguarding_gp.pk]
    discussion.refresh_from_db()
    assert discussion.concern == CONCERN


def test_an_addendum_with_an_identifier_is_refused_and_kept_in_the_form(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    discussion = logged(care_coordinator, safeguarding_gp)
    text = f"Their NHS number is {NHS_NUMBER}."
    response = sign_in(safeguarding_gp).post(addendum_url(discussion), {"addendum-text": text})
    assert response.status_code == 200
    assert "an NHS number" in response.context["form"].errors["text"][0]
    assert text in response.content.decode()
    assert not SafeguardingAddendum.objects.exists()


def test_an_empty_addendum_is_a_field_error(sign_in, frozen, care_coordinator, safeguarding_gp):
    discussion = logged(care_coordinator, safeguarding_gp)
    response = sign_in(care_coordinator).post(addendum_url(discussion), {"addendum-text": " "})
    assert response.context["form"].errors["text"] == ["Enter the addendum"]
    assert CONCERN in response.content.decode()  # the log is still shown around the form


def test_an_addendum_can_record_the_follow_up(sign_in, frozen, care_coordinator,
                                              safeguarding_gp):
    discussion = logged(care_coordinator, safeguarding_gp,
                        follow_up_on=AS_OF - datetime.timedelta(days=1))
    client = sign_in(care_coordinator)
    detail = reverse("safeguarding:detail", args=[discussion.pk])
    assert "Overdue" in client.get(detail).content.decode()
    response = client.post(addendum_url(discussion), {
        "addendum-text": "Checked: the GP saw the patient.", "addendum-records_follow_up": "on",
    }, follow=True)
    body = response.content.decode()
    assert "the follow-up is recorded as done" in body
    assert "Followed up on 16 March 2026" in body
    assert "Overdue" not in body
    assert 'name="addendum-records_follow_up"' not in body  # nothing left to record
    discussion.refresh_from_db()
    assert discussion.followed_up_on == AS_OF


def test_a_get_of_the_addendum_address_goes_back_to_the_log(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    discussion = logged(care_coordinator, safeguarding_gp)
    response = sign_in(care_coordinator).get(addendum_url(discussion))
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:detail", args=[discussion.pk])


# --- withdrawing a log recorded in error -------------------------------------------------------


def withdraw_url(discussion):
    return reverse("safeguarding:withdraw", args=[discussion.pk])


def test_the_coordinator_withdraws_a_log_with_a_reason_and_it_is_kept(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    discussion = logged(care_coordinator, safeguarding_gp)
    client = sign_in(care_coordinator)
    response = client.post(withdraw_url(discussion), {"reason": ""})
    assert response.context["form"].errors["reason"] == ["Enter why you are withdrawing this log"]
    response = client.post(withdraw_url(discussion), {"reason": "Logged twice."}, follow=True)
    body = response.content.decode()
    assert "has been withdrawn" in body
    assert "Amira Khan withdrew this log on 16 March 2026 as recorded in error: Logged twice." \
        in body
    assert CONCERN in body  # kept
    assert 'name="addendum-text"' not in body
    discussion.refresh_from_db()
    assert discussion.withdrawn_by == care_coordinator
    assert discussion.withdrawn_reason == "Logged twice."
    listing = client.get(MINE_URL).content.decode()
    assert "Withdrawn" in listing
    # Nothing more can be added, and withdrawing again changes nothing.
    response = client.post(addendum_url(discussion), {"addendum-text": "More"}, follow=True)
    assert "nothing more can be added" in response.content.decode()
    assert not SafeguardingAddendum.objects.exists()
    response = client.post(withdraw_url(discussion), {"reason": "Again"}, follow=True)
    assert "already been withdrawn" in response.content.decode()
    discussion.refresh_from_db()
    assert discussion.withdrawn_reason == "Logged twice."


def test_a_withdrawal_reason_with_an_identifier_is_refused(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    discussion = logged(care_coordinator, safeguarding_gp)
    response = sign_in(care_coordinator).post(
        withdraw_url(discussion), {"reason": "Wrong patient, Mr Patel"})
    assert "a name with a title" in response.context["form"].errors["reason"][0]
    assert "Wrong patient, Mr Patel" in response.content.decode()
    discussion.refresh_from_db()
    assert discussion.withdrawn_at is None


def test_the_gp_cannot_withdraw_the_coordinators_log(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    discussion = logged(care_coordinator, safeguarding_gp)
    client = sign_in(safeguarding_gp)
    assert client.get(withdraw_url(discussion)).status_code == 403
    assert client.post(withdraw_url(discussion), {"reason": "No"}).status_code == 403
    discussion.refresh_from_db()
    assert discussion.withdrawn_at is None
    assert "Withdraw this log" not in client.get(
        reverse("safeguarding:detail", args=[discussion.pk])).content.decode()


# --- the audit trail holds no text ---------------------------------------------------------------


def test_audit_entries_hold_ids_dates_and_kinds_but_no_text(
    frozen, care_coordinator, safeguarding_gp
):
    discussion = logged(
        care_coordinator, safeguarding_gp, escalation=Escalation.REFERRAL,
        escalated_to="Adult social care front door", follow_up_on=AS_OF,
    )
    services.safeguarding_addendum_add(
        actor=safeguarding_gp.user, discussion=discussion, added_by=safeguarding_gp,
        text="Referral acknowledged by the team.", records_follow_up=True, as_of=AS_OF,
    )
    services.safeguarding_discussion_withdraw(
        actor=care_coordinator.user, discussion=discussion, withdrawn_by=care_coordinator,
        reason="Entered against the wrong week.",
    )
    entries = list(AuditEntry.objects.filter(object_type="supervision.safeguardingdiscussion"))
    assert [e.action for e in entries] == [
        "safeguarding.record", "safeguarding.addendum", "safeguarding.withdraw"]
    first = entries[0].after
    assert first["care_coordinator"] == care_coordinator.pk
    assert first["discussed_with"] == safeguarding_gp.pk
    assert first["category"] == "abuse"
    assert first["escalation"] == "referral"
    assert first["discussed_on"] == "2026-03-13"
    assert entries[1].after["followed_up_on"] == "2026-03-16"
    assert entries[2].after["withdrawn"] is True
    everything = json.dumps([[e.object_repr, e.before, e.after] for e in
                             AuditEntry.objects.all()])
    for text in (CONCERN, OUTCOME, "Adult social care", "Referral acknowledged",
                 "wrong week", "frightened", "money"):
        assert text not in everything
