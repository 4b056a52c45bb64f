"""Every write to reflections, their shares and comments, each with its audit entry.

Services validate before they write and raise ValidationError keyed by field name, so a
form can show each message next to its field. The patient-identifier guard runs here too,
whatever called the service.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from competencies import services as competency_services
from competencies.models import Competency, EvidenceKind, EvidenceLink, FrameworkStatus
from content.models import LearningItemPage
from lms.audit import audit_record
from lms.models import Person

from .identifier_guard import find_identifiers, identifier_message
from .models import (
    REFLECTION_FIELDS,
    Attendance,
    NetworkSession,
    Reflection,
    ReflectionComment,
    ReflectionModel,
    ReflectionShare,
    ReflectionStatus,
    SupervisionSession,
)
from .reflection_access import share_candidates

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 20_000
COMMENT_MAX_LENGTH = 5_000
#: The earliest date a reflection can be about: anything before is a typing slip.
EARLIEST_DATE = datetime.date(2000, 1, 1)
EARLIEST_DATE_MESSAGE = "The date must be in 2000 or later"
#: Every text field of every model, for snapshots.
ALL_TEXT_FIELDS = tuple(
    dict.fromkeys(name for fields in REFLECTION_FIELDS.values() for name, _l, _q in fields)
)


def text_fields(model: str) -> list[str]:
    """The names of the text fields a reflective model asks for, in order."""
    return [name for name, _label, _question in REFLECTION_FIELDS[model]]


def _check_text(errors: dict, name: str, value: str, max_length: int, required_message=""):
    if not value.strip():
        if required_message:
            errors[name] = required_message
    elif len(value) > max_length:
        errors[name] = f"Must be {max_length:,} characters or fewer"
    else:
        findings = find_identifiers(value)
        if findings:
            errors[name] = identifier_message(findings)


# --- what a reflection may link to ---------------------------------------------------------------


def linkable_competencies():
    """Competencies of the frameworks in use."""
    return Competency.objects.filter(framework__status=FrameworkStatus.ACTIVE)


def linkable_learning_items():
    """Published curriculum items."""
    return LearningItemPage.objects.live()


def linkable_supervision_sessions(author: Person):
    """The author's own supervision sessions that are not withdrawn."""
    return SupervisionSession.objects.current().filter(care_coordinator=author)


def linkable_network_sessions(author: Person):
    """Network sessions the author attended."""
    return NetworkSession.objects.filter(
        invitations__person=author, invitations__attendance=Attendance.ATTENDED
    ).distinct()


def _chosen(errors, name, values, allowed_queryset, already_linked, message):
    """The objects chosen for one kind of link: each must be allowed, or linked already."""
    values = list(dict.fromkeys(values or []))
    wanted = {getattr(v, "pk", v) for v in values}
    if not wanted:
        return []
    found = {obj.pk: obj for obj in allowed_queryset.filter(pk__in=wanted)}
    for obj in already_linked:
        if obj.pk in wanted:
            found.setdefault(obj.pk, obj)
    if set(found) != wanted:
        errors[name] = message
        return []
    return [found[pk] for pk in wanted]


# --- saving ----------------------------------------------------------------------------------


def reflection_snapshot(reflection: Reflection) -> dict:
    data = {
        "title": reflection.title,
        "reflected_on": reflection.reflected_on,
        "model": reflection.model,
        "status": reflection.status,
        "archived_at": reflection.archived_at,
    }
    for name in text_fields(reflection.model):
        data[name] = getattr(reflection, name)
    if reflection.pk:
        data["competencies"] = sorted(reflection.competencies.values_list("pk", flat=True))
        data["learning_items"] = sorted(reflection.learning_items.values_list("pk", flat=True))
        data["supervision_sessions"] = sorted(
            reflection.supervision_sessions.values_list("pk", flat=True)
        )
        data["network_sessions"] = sorted(
            reflection.network_sessions.values_list("pk", flat=True)
        )
    return data


@transaction.atomic
def reflection_save(
    *,
    actor,
    author: Person,
    reflection: Reflection | None = None,
    title: str,
    reflected_on: datetime.date | None,
    model: str,
    status: str,
    texts: dict,
    competencies=(),
    learning_items=(),
    supervision_sessions=(),
    network_sessions=(),
    as_of: datetime.date,
) -> Reflection:
    """Write a new reflection or change one of the author's; a complete reflection's
    competencies get it as evidence (once each), and unlinked ones lose it."""
    errors: dict = {}
    title = (title or "").strip()
    if reflection is not None:
        if reflection.author_id != author.pk:
            raise ValidationError("Only the author can change a reflection.")
        if reflection.archived_at is not None:
            raise ValidationError("Restore this reflection before changing it.")
        if model != reflection.model:
            errors["model"] = "The reflective model cannot be changed; start a new reflection."
        if reflection.status == ReflectionStatus.COMPLETE and status != ReflectionStatus.COMPLETE:
            errors["status"] = "A complete reflection cannot go back to draft."
    if model not in ReflectionModel.values:
        raise ValidationError({"model": "Choose a reflective model."})
    if status not in ReflectionStatus.values:
        raise ValidationError({"status": "Choose draft or complete."})
    _check_text(errors, "title", title, TITLE_MAX_LENGTH, "Enter a title")
    if reflected_on is None:
        errors["reflected_on"] = "Enter the date"
    elif reflected_on > as_of:
        errors["reflected_on"] = "The date must be today or in the past"
    elif reflected_on < EARLIEST_DATE:
        errors["reflected_on"] = EARLIEST_DATE_MESSAGE
    complete = status == ReflectionStatus.COMPLETE
    cleaned_texts = {}
    for name, _label, question in REFLECTION_FIELDS[model]:
        value = texts.get(name) or ""
        required = f"Answer ‘{question}’ before marking the reflection complete" if complete else ""
        if model == ReflectionModel.FREE and complete:
            required = "Write your reflection before marking it complete"
        _check_text(errors, name, value, TEXT_MAX_LENGTH, required)
        cleaned_texts[name] = value.strip()

    def linked(name):
        return list(getattr(reflection, name).all()) if reflection is not None else []

    chosen_competencies = _chosen(
        errors, "competencies", competencies, linkable_competencies(), linked("competencies"),
        "Choose competencies from the frameworks in use",
    )
    chosen_items = _chosen(
        errors, "learning_items", learning_items, linkable_learning_items(),
        linked("learning_items"), "Choose items from the curriculum",
    )
    chosen_sessions = _chosen(
        errors, "supervision_sessions", supervision_sessions,
        linkable_supervision_sessions(author), linked("supervision_sessions"),
        "Choose from your own supervision sessions",
    )
    chosen_network = _chosen(
        errors, "network_sessions", network_sessions, linkable_network_sessions(author),
        linked("network_sessions"), "Choose from the sessions you attended",
    )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    creating = reflection is None
    before = None if creating else reflection_snapshot(reflection)
    if creating:
        reflection = Reflection(author=author, model=model, created_at=now)
    reflection.title = title
    reflection.reflected_on = reflected_on
    reflection.status = status
    for name in ALL_TEXT_FIELDS:
        # Only the chosen model's fields hold text; the others stay empty.
        setattr(reflection, name, cleaned_texts.get(name, ""))
    reflection.updated_at = now
    reflection.save()
    reflection.competencies.set(chosen_competencies)
    reflection.learning_items.set(chosen_items)
    reflection.supervision_sessions.set(chosen_sessions)
    reflection.network_sessions.set(chosen_network)
    after = reflection_snapshot(reflection)
    if creating or before != after:
        audit_record(
            actor=actor, action="reflection.create" if creating else "reflection.edit",
            obj=reflection, before=before, after=after,
        )
    _sync_evidence(actor=actor, reflection=reflection)
    return reflection


def _current_evidence(reflection: Reflection):
    return EvidenceLink.objects.current().filter(
        person_id=reflection.author_id,
        content_type=ContentType.objects.get_for_model(Reflection),
        object_id=reflection.pk,
    )


def _sync_evidence(*, actor, reflection: Reflection) -> None:
    """A complete reflection is evidence for each competency it links, once each."""
    if reflection.status != ReflectionStatus.COMPLETE:
        return
    linked = {c.pk: c for c in reflection.competencies.all()}
    existing = {link.competency_id: link for link in _current_evidence(reflection)}
    for competency_id, competency in linked.items():
        if competency_id not in existing:
            competency_services.evidence_link_add(
                actor=actor, person=reflection.author, competency=competency,
                kind=EvidenceKind.REFLECTION, target=reflection, description=reflection.title,
            )
    for competency_id, link in existing.items():
        if competency_id not in linked:
            competency_services.evidence_link_withdraw(actor=actor, link=link)


# --- archiving --------------------------------------------------------------------------------


@transaction.atomic
def reflection_archive(*, actor, reflection: Reflection) -> Reflection:
    """Take a reflection out of the author's lists and out of sharees' sight; kept, undoable."""
    if reflection.archived_at is None:
        reflection.archived_at = timezone.now()
        reflection.save(update_fields=["archived_at"])
        audit_record(actor=actor, action="reflection.archive", obj=reflection,
                     after={"archived_at": reflection.archived_at})
    return reflection


@transaction.atomic
def reflection_restore(*, actor, reflection: Reflection) -> Reflection:
    """Undo archiving: the reflection and its live shares are back."""
    if reflection.archived_at is not None:
        before = {"archived_at": reflection.archived_at}
        reflection.archived_at = None
        reflection.save(update_fields=["archived_at"])
        audit_record(actor=actor, action="reflection.restore", obj=reflection, before=before,
                     after={"archived_at": None})
    return reflection


# --- sharing ----------------------------------------------------------------------------------


@transaction.atomic
def reflection_share(
    *, actor, reflection: Reflection, people, as_of: datetime.date
) -> list[ReflectionShare]:
    """Share with named people who currently support the author; existing shares are kept."""
    people = list(people)
    if not people:
        raise ValidationError({"people": "Select who to share it with"})
    if reflection.archived_at is not None:
        raise ValidationError("Restore this reflection before sharing it.")
    allowed = set(
        share_candidates(reflection.author, as_of).values_list("pk", flat=True)
    )
    if any(person.pk not in allowed for person in people):
        raise ValidationError(
            {"people": "You can only share with people who currently support you"}
        )
    live = set(
        reflection.shares.filter(revoked_at__isnull=True).values_list("shared_with_id", flat=True)
    )
    created = []
    for person in people:
        if person.pk in live:
            continue
        share = ReflectionShare.objects.create(reflection=reflection, shared_with=person)
        audit_record(actor=actor, action="reflection.share", obj=share,
                     after={"reflection": reflection.pk, "shared_with": person.pk})
        created.append(share)
    return created


@transaction.atomic
def reflection_share_revoke(*, actor, share: ReflectionShare) -> ReflectionShare:
    """Stop sharing; the row is kept with when it was revoked."""
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="reflection.share_revoke", obj=share,
                     after={"revoked_at": share.revoked_at})
    return share


# --- comments ---------------------------------------------------------------------------------


@transaction.atomic
def reflection_comment_add(
    *, actor, reflection: Reflection, author: Person, text: str, as_of: datetime.date
) -> ReflectionComment:
    """A comment by the reflection's author or someone it is shared with who supports them."""
    if reflection.archived_at is not None:
        raise ValidationError("This reflection is archived: restore it to add comments.")
    if author.pk != reflection.author_id:
        shared = reflection.shares.filter(shared_with=author, revoked_at__isnull=True).exists()
        supports = share_candidates(reflection.author, as_of).filter(pk=author.pk).exists()
        if not (shared and supports):
            raise ValidationError("Only the author and people it is shared with can comment.")
    errors: dict = {}
    text = (text or "").strip()
    _check_text(errors, "text", text, COMMENT_MAX_LENGTH, "Enter your comment")
    if errors:
        raise ValidationError(errors)
    comment = ReflectionComment.objects.create(reflection=reflection, author=author, text=text)
    audit_record(actor=actor, action="reflection.comment", obj=comment,
                 after={"reflection": reflection.pk, "text": text})
    return comment
