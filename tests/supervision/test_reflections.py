"""Reflective practice (issue 6 point 4): writing in a model, drafts and completion, the
identifier guard, links and evidence, editing with audit, archiving with an undo.

Sharing, comments and who may see what are in test_reflection_sharing.py; lists, query
counts and home panels in test_reflection_lists.py. The fixtures here are shared with them.
"""

import datetime
import decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from competencies.models import EvidenceKind, EvidenceLink
from lms.models import AuditEntry
from supervision import reflection_services as services
from supervision.models import (
    Attendance,
    NetworkSession,
    Reflection,
    ReflectionModel,
    ReflectionStatus,
    SessionInvitation,
    SupervisionSession,
)
from tests.competencies.test_progress_rules import make_framework
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 3, 16)
NHS_NUMBER = "943 476 5919"  # valid (modulus 11)
GIBBS_TEXTS = {
    "description": "I ran my first MDT huddle.",
    "feelings": "Nervous, then relieved.",
    "evaluation": "Time keeping was hard.",
    "analysis": "I had not asked for cases in advance.",
    "conclusion": "I could have set an agenda.",
    "action_plan": "Ask for cases two days before.",
}
DRISCOLL_TEXTS = {
    "what": "A carer called in distress.",
    "so_what": "Listening first helped.",
    "now_what": "Learn the carers' centre criteria.",
}
FREE_TEXTS = {"body": "What the coaching course changed for me."}
TEXTS = {
    ReflectionModel.GIBBS: GIBBS_TEXTS,
    ReflectionModel.DRISCOLL: DRISCOLL_TEXTS,
    ReflectionModel.FREE: FREE_TEXTS,
}


@pytest.fixture(autouse=True)
def frozen():
    """Every page and service sees 16 March 2026, midday."""
    with time_machine.travel(datetime.datetime(2026, 3, 16, 12, 0), tick=False):
        yield AS_OF


def written(author, *, model=ReflectionModel.GIBBS, status=ReflectionStatus.DRAFT, **overrides):
    """A reflection made through the service, with sensible defaults."""
    values = {
        "title": "My first MDT huddle",
        "reflected_on": AS_OF - datetime.timedelta(days=2),
        "texts": TEXTS[model],
    }
    values.update(overrides)
    return services.reflection_save(
        actor=author.user, author=author, model=model, status=status, as_of=AS_OF, **values
    )


def form_data(model=ReflectionModel.GIBBS, action="draft", **overrides):
    data = {
        "title": "My first MDT huddle",
        "reflected_on_day": "14", "reflected_on_month": "3", "reflected_on_year": "2026",
        "action": action,
        **TEXTS[model],
    }
    data.update(overrides)
    return data


def add_url(model):
    return reverse("reflections:add", args=[model])


def field_error(response, field):
    return " ".join(response.context["form"].errors.get(field, []))


# --- step 1: choosing a model -----------------------------------------------------------------


def test_step_one_offers_each_model_and_needs_a_choice(sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    page = client.get(reverse("reflections:start")).content.decode()
    for label in ("Gibbs&#x27; reflective cycle", "Driscoll: What? So what? Now what?",
                  "Free text"):
        assert label in page
    assert 'type="radio"' in page

    response = client.post(reverse("reflections:start"), {})
    assert response.status_code == 200
    assert "Select a reflective model" in response.content.decode()
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error: " in response.content.decode()

    response = client.post(reverse("reflections:start"), {"model": "driscoll"})
    assert response.status_code == 302
    assert response["Location"] == add_url("driscoll")


def test_an_unknown_model_is_not_found(sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    assert client.get(add_url("kolb")).status_code == 404
    assert client.post(reverse("reflections:start"), {"model": "kolb"}).status_code == 200


# --- step 2: writing, per model -----------------------------------------------------------------


@pytest.mark.parametrize("model", list(ReflectionModel))
def test_each_model_shows_only_its_questions_and_saves_a_private_draft(
    sign_in, care_coordinator, model
):
    client = sign_in(care_coordinator)
    page = client.get(add_url(model)).content.decode()
    all_names = {name for texts in TEXTS.values() for name in texts}
    for name in all_names:
        assert (f'name="{name}"' in page) == (name in TEXTS[model]), name
    # The questions are the hints.
    if model == ReflectionModel.DRISCOLL:
        assert "What does it mean, and what did you learn?" in page

    response = client.post(add_url(model), form_data(model))
    reflection = Reflection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reflections:detail", args=[reflection.pk])
    assert (reflection.author, reflection.model, reflection.status) == (
        care_coordinator, model, ReflectionStatus.DRAFT)
    assert reflection.reflected_on == datetime.date(2026, 3, 14)
    for name, text in TEXTS[model].items():
        assert getattr(reflection, name) == text

    page = client.get(response["Location"]).content.decode()
    assert "is saved as a draft. Only you can see it." in page
    assert "Draft" in page
    for text in TEXTS[model].values():
        assert text.replace("'", "&#x27;") in page


def test_marking_complete_needs_every_question_answered(sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    response = client.post(add_url("gibbs"), form_data(action="complete", analysis="  "))
    assert response.status_code == 200
    assert field_error(response, "analysis") == (
        "Answer ‘What sense can you make of the situation?’ before marking the reflection "
        "complete"
    )
    body = response.content.decode()
    assert "I ran my first MDT huddle." in body  # what was typed is kept
    assert not Reflection.objects.exists()

    # The same text saves as a draft, and completes once the gap is filled.
    client.post(add_url("gibbs"), form_data(action="draft", analysis=""))
    reflection = Reflection.objects.get()
    assert reflection.status == ReflectionStatus.DRAFT
    response = client.post(reverse("reflections:edit", args=[reflection.pk]),
                           form_data(action="complete"))
    assert response.status_code == 302
    reflection.refresh_from_db()
    assert reflection.status == ReflectionStatus.COMPLETE
    assert "is saved and marked complete" in client.get(response["Location"]).content.decode()


def test_free_text_complete_needs_the_reflection(sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    response = client.post(add_url("free"), form_data("free", action="complete", body=""))
    assert field_error(response, "body") == "Write your reflection before marking it complete"


@pytest.mark.parametrize("day, month, year, message", [
    ("17", "3", "2026", "The date must be today or in the past"),
    ("31", "2", "2026", "Enter a real date"),
    ("", "", "", "Enter the date"),
    ("1", "", "2026", "Date must include a month"),
    ("1", "1", "26", "Year must include 4 numbers"),
    ("1", "1", "1999", "The date must be in 2000 or later"),
])
def test_a_bad_date_is_an_error_next_to_the_field_and_the_text_is_kept(
    sign_in, care_coordinator, day, month, year, message
):
    client = sign_in(care_coordinator)
    response = client.post(add_url("driscoll"), form_data(
        "driscoll", reflected_on_day=day, reflected_on_month=month, reflected_on_year=year))
    assert response.status_code == 200
    assert field_error(response, "reflected_on") == message
    assert "A carer called in distress." in response.content.decode()
    assert not Reflection.objects.exists()


def test_title_is_needed_and_not_too_long(sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    response = client.post(add_url("free"), form_data("free", title=""))
    assert field_error(response, "title") == "Enter a title"
    response = client.post(add_url("free"), form_data("free", title="x" * 201))
    assert field_error(response, "title") == "Title must be 200 characters or fewer"
    assert not Reflection.objects.exists()


def test_huge_and_unicode_text_gives_errors_not_failures(sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    response = client.post(add_url("free"), form_data("free", body="ẞ😀" * 15_000))
    assert response.status_code == 200
    assert "must be 20,000 characters or fewer" in field_error(response, "body")
    response = client.post(add_url("free"), form_data("free", body="Ünïcödé ẞ 😀 réflexion"))
    assert response.status_code == 302
    assert Reflection.objects.get().body == "Ünïcödé ẞ 😀 réflexion"


# --- the identifier guard ------------------------------------------------------------------------


@pytest.mark.parametrize("field, text, found", [
    ("feelings", f"Worried about the patient, NHS {NHS_NUMBER}.", "an NHS number"),
    ("description", "Visited Mrs O'Brien at home.", "a name with a title"),
    ("analysis", "Lives near LS1 4DY.", "a postcode"),
    ("action_plan", "Call back; DOB 01/02/1940.", "a date of birth"),
    ("title", "Mr Smith's care plan", "a name with a title"),
])
def test_patient_identifiers_block_saving_and_the_text_stays(
    sign_in, care_coordinator, field, text, found
):
    client = sign_in(care_coordinator)
    response = client.post(add_url("gibbs"), form_data(**{field: text}))
    assert response.status_code == 200
    message = field_error(response, field)
    assert message.startswith("Remove patient-identifiable details before saving.")
    assert f"what looks like {found}" in message
    assert "at character" in message
    assert response.context["form"][field].value() == text
    assert not Reflection.objects.exists()


def test_the_service_refuses_identifiers_whatever_calls_it(care_coordinator):
    with pytest.raises(services.ValidationError) as error:
        written(care_coordinator, texts={**GIBBS_TEXTS, "evaluation": f"NHS {NHS_NUMBER}"})
    assert "evaluation" in error.value.message_dict
    assert not Reflection.objects.exists()


# --- links and evidence ----------------------------------------------------------------------


@pytest.fixture
def linkables(care_coordinator, supervisor, other_coordinator, pcn, other_pcn):
    framework = make_framework(count=3)
    competencies = list(framework.competencies.order_by("sort_order"))
    section = curriculum_section("Personalised care")
    item = learning_item(section, "pci-health-coaching", title="Health coaching course")

    def session(coordinator, recorder, **fields):
        return SupervisionSession.objects.create(
            care_coordinator=coordinator, session_type="clinical",
            held_on=AS_OF - datetime.timedelta(days=10), duration_minutes=60,
            topics="Caseload review", recorded_by=recorder, **fields,
        )

    mine = session(care_coordinator, supervisor)
    withdrawn = session(care_coordinator, supervisor,
                        withdrawn_at=datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC))
    theirs = session(other_coordinator, other_coordinator)

    def network(title, attendance):
        starts = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)
        meeting = NetworkSession.objects.create(
            kind="joint_caseload", title=title, starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1), facilitator=supervisor, pcn=pcn,
            created_by=supervisor, cpd_hours=decimal.Decimal("1"),
        )
        SessionInvitation.objects.create(session=meeting, person=care_coordinator,
                                         attendance=attendance)
        return meeting

    attended = network("Joint caseload meeting", Attendance.ATTENDED)
    missed = network("Peer network", Attendance.APOLOGIES)
    return {"competencies": competencies, "item": item, "session": mine,
            "withdrawn": withdrawn, "theirs": theirs, "attended": attended, "missed": missed}


def evidence_for(reflection):
    return EvidenceLink.objects.filter(
        content_type=ContentType.objects.get_for_model(Reflection), object_id=reflection.pk
    )


def test_the_form_offers_only_the_authors_own_links(sign_in, care_coordinator, linkables):
    page = sign_in(care_coordinator).get(add_url("gibbs")).content.decode()
    assert "Competency 1" in page and "Health coaching course" in page

    def offered(session):
        return f'name="supervision_sessions" type="checkbox" value="{session.pk}"' in page

    assert offered(linkables["session"])
    assert not offered(linkables["withdrawn"]) and not offered(linkables["theirs"])
    assert "Joint caseload meeting" in page
    assert "Peer network (" not in page  # sent apologies: not attended


def test_someone_elses_session_cannot_be_linked(sign_in, care_coordinator, linkables):
    client = sign_in(care_coordinator)
    response = client.post(add_url("gibbs"), form_data(
        supervision_sessions=[linkables["theirs"].pk],
        network_sessions=[linkables["missed"].pk],
    ))
    assert response.status_code == 200
    assert field_error(response, "supervision_sessions") == "Choose sessions from the list"
    assert field_error(response, "network_sessions") == "Choose sessions from the list"
    with pytest.raises(services.ValidationError) as error:
        written(care_coordinator, supervision_sessions=[linkables["theirs"]])
    assert "supervision_sessions" in error.value.message_dict


def test_completing_with_competencies_adds_evidence_once_each(
    sign_in, care_coordinator, linkables
):
    first, second, third = linkables["competencies"]
    client = sign_in(care_coordinator)
    client.post(add_url("gibbs"), form_data(
        competencies=[first.pk, second.pk], learning_items=[linkables["item"].pk],
        supervision_sessions=[linkables["session"].pk],
        network_sessions=[linkables["attended"].pk],
    ))
    reflection = Reflection.objects.get()
    assert set(reflection.competencies.all()) == {first, second}
    assert list(reflection.learning_items.all()) == [linkables["item"].specific]
    assert list(reflection.supervision_sessions.all()) == [linkables["session"]]
    assert list(reflection.network_sessions.all()) == [linkables["attended"]]
    assert not evidence_for(reflection).exists()  # a draft is not evidence

    edit_url = reverse("reflections:edit", args=[reflection.pk])
    response = client.post(edit_url, form_data(action="complete",
                                                competencies=[first.pk, second.pk]))
    links = evidence_for(reflection)
    assert {(link.competency_id, link.kind, link.person_id, link.description)
            for link in links} == {
        (first.pk, EvidenceKind.REFLECTION, care_coordinator.pk, "My first MDT huddle"),
        (second.pk, EvidenceKind.REFLECTION, care_coordinator.pk, "My first MDT huddle"),
    }
    assert "It is now evidence for 2 competencies." in client.get(
        response["Location"]).content.decode()

    # Saving again adds nothing; swapping a competency withdraws one link and adds another.
    client.post(edit_url, form_data(action="complete", competencies=[first.pk, second.pk]))
    assert evidence_for(reflection).count() == 2
    client.post(edit_url, form_data(action="complete", competencies=[first.pk, third.pk]))
    current = evidence_for(reflection).filter(withdrawn_at__isnull=True)
    assert {link.competency_id for link in current} == {first.pk, third.pk}
    assert evidence_for(reflection).get(competency=second).withdrawn_at is not None

    # The competency page lists it as evidence.
    page = client.get(reverse("competencies:competency", args=[first.pk])).content.decode()
    assert "Reflection" in page and "My first MDT huddle" in page


def test_a_withdrawn_session_already_linked_stays_linkable(care_coordinator, linkables):
    reflection = written(care_coordinator, supervision_sessions=[linkables["session"]])
    linkables["session"].withdrawn_at = datetime.datetime(2026, 3, 15, tzinfo=datetime.UTC)
    linkables["session"].save()
    saved = services.reflection_save(
        actor=care_coordinator.user, author=care_coordinator, reflection=reflection,
        title="Renamed", reflected_on=reflection.reflected_on, model=reflection.model,
        status=reflection.status, texts=GIBBS_TEXTS,
        supervision_sessions=[linkables["session"].pk], as_of=AS_OF,
    )
    assert list(saved.supervision_sessions.all()) == [linkables["session"]]


# --- editing ------------------------------------------------------------------------------------


def test_the_author_edits_and_the_audit_keeps_before_and_after(sign_in, care_coordinator):
    reflection = written(care_coordinator, model=ReflectionModel.DRISCOLL)
    client = sign_in(care_coordinator)
    edit_url = reverse("reflections:edit", args=[reflection.pk])
    page = client.get(edit_url).content.decode()
    assert "A carer called in distress." in page  # the form starts from what was saved
    assert 'name="description"' not in page  # the model stays Driscoll

    response = client.post(edit_url, form_data("driscoll", what="A carer rang, in tears."))
    assert response.status_code == 302
    reflection.refresh_from_db()
    assert reflection.what == "A carer rang, in tears."
    assert "Your changes to ‘My first MDT huddle’ are saved." in client.get(
        response["Location"]).content.decode()
    entry = AuditEntry.objects.filter(action="reflection.edit").get()
    assert entry.before["what"] == "A carer called in distress."
    assert entry.after["what"] == "A carer rang, in tears."
    assert entry.actor == care_coordinator.user


def test_a_complete_reflection_stays_complete_when_changed(sign_in, care_coordinator):
    reflection = written(care_coordinator, status=ReflectionStatus.COMPLETE)
    client = sign_in(care_coordinator)
    page = client.get(reverse("reflections:edit", args=[reflection.pk])).content.decode()
    assert "Save changes" in page and "Save as draft" not in page
    client.post(reverse("reflections:edit", args=[reflection.pk]),
                form_data(action="draft", title="Still complete"))
    reflection.refresh_from_db()
    assert (reflection.title, reflection.status) == ("Still complete", ReflectionStatus.COMPLETE)
    with pytest.raises(services.ValidationError):
        services.reflection_save(
            actor=care_coordinator.user, author=care_coordinator, reflection=reflection,
            title="x", reflected_on=AS_OF, model=reflection.model,
            status=ReflectionStatus.DRAFT, texts=GIBBS_TEXTS, as_of=AS_OF,
        )


# --- archiving ----------------------------------------------------------------------------------


def test_archive_asks_first_keeps_the_row_and_can_be_undone(sign_in, care_coordinator):
    reflection = written(care_coordinator, title="To archive")
    kept = written(care_coordinator, title="To keep")
    client = sign_in(care_coordinator)
    archive_url = reverse("reflections:archive", args=[reflection.pk])
    page = client.get(archive_url).content.decode()
    assert "Archive this reflection?" in page and "It is not deleted" in page

    response = client.post(archive_url)
    assert response["Location"] == reverse("reflections:detail", args=[reflection.pk])
    reflection.refresh_from_db()
    assert reflection.archived_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "‘To archive’ is archived" in page
    assert "Restore this reflection" in page  # the undo, on the page the message is on

    mine = client.get(reverse("reflections:mine")).content.decode()
    assert "To keep" in mine and "To archive" not in mine
    assert "Archived reflections" in mine
    archived = client.get(reverse("reflections:archived")).content.decode()
    assert "To archive" in archived and "To keep" not in archived
    # An archived reflection cannot be changed until it is restored.
    response = client.get(reverse("reflections:edit", args=[reflection.pk]))
    assert response["Location"] == reverse("reflections:detail", args=[reflection.pk])

    response = client.post(reverse("reflections:restore", args=[reflection.pk]))
    reflection.refresh_from_db()
    assert reflection.archived_at is None
    assert "is restored to your reflections" in client.get(response["Location"]).content.decode()
    assert "To archive" in client.get(reverse("reflections:mine")).content.decode()
    assert Reflection.objects.count() == 2 and kept.archived_at is None
    assert list(AuditEntry.objects.filter(object_id=str(reflection.pk),
                                          action__startswith="reflection.")
                .values_list("action", flat=True).order_by("pk")) == [
        "reflection.create", "reflection.archive", "reflection.restore"]


# --- hostile input ------------------------------------------------------------------------------

HOSTILE = ["x" * 30_000, ("ẞ𝓧😀\u202e" * 500)[:2000], "<script>alert(1)</script>", "-1", "999999",
           "' OR 1=1 --", "1.5e308", "\x00", ""]


def test_hostile_input_to_every_reflection_form_never_fails(sign_in, care_coordinator,
                                                            supervisor, linkables):
    reflection = written(care_coordinator)
    services.reflection_share(actor=care_coordinator.user, reflection=reflection,
                              people=[supervisor], as_of=AS_OF)
    client = sign_in(care_coordinator)
    forms = [
        (reverse("reflections:start"), {"model": "gibbs"}),
        (add_url("gibbs"), form_data(competencies=[linkables["competencies"][0].pk])),
        (reverse("reflections:edit", args=[reflection.pk]), form_data()),
        (reverse("reflections:share", args=[reflection.pk]), {"people": [supervisor.pk]}),
        (reverse("reflections:comment", args=[reflection.pk]), {"text": "Fine."}),
    ]
    for url, good in forms:
        for field in good:
            for value in HOSTILE:
                response = client.post(url, {**good, field: value})
                assert response.status_code in (200, 302), (url, field, value[:20])
                assert "<script>alert(1)</script>" not in response.content.decode()
    for day, month, year in [("31", "2", "2026"), ("0", "0", "0"), ("-1", "-1", "-2026"),
                             ("1", "1", "99999"), ("1", "1", "0001"), ("x" * 5000, "1", "2026")]:
        response = client.post(add_url("free"), form_data(
            "free", reflected_on_day=day, reflected_on_month=month, reflected_on_year=year))
        assert response.status_code == 200
        assert response.context["form"].errors["reflected_on"]
