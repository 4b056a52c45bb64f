"""Every write about competencies: self-assessment, evidence, requests, sign-offs, links.

Each writes its audit entry. Sign-offs are never edited: a rater's new sign-off
supersedes their earlier one, and every row stays.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lms.audit import audit_record
from lms.models import SUPPORT_ROLES, LearningRecord, Person, RoleAssignment
from lms.services import evidence_file_store
from lms.tokens import new_link_token, token_digest

from .models import (
    AssessorLink,
    Competency,
    EvidenceKind,
    EvidenceLink,
    RequestStatus,
    SelfAssessment,
    SignOff,
    SignOffRequest,
)


def _check_level(competency: Competency, level: int) -> None:
    if not isinstance(level, int) or not 1 <= level <= len(competency.framework.scale):
        raise ValidationError({"level": "Choose a level from the framework's scale."})


@transaction.atomic
def self_assessment_record(
    *, actor, person: Person, competency: Competency, level: int, narrative: str
) -> SelfAssessment:
    """A coordinator rates themselves; earlier ratings stay as history."""
    _check_level(competency, level)
    if not narrative.strip():
        raise ValidationError({"narrative": "Describe what you have done that shows this."})
    assessment = SelfAssessment.objects.create(
        person=person, competency=competency, level=level, narrative=narrative.strip()
    )
    audit_record(actor=actor, action="competency.self_assess", obj=assessment,
                 after={"competency": competency.pk, "level": level})
    return assessment


@transaction.atomic
def evidence_link_add(
    *,
    actor,
    person: Person,
    competency: Competency,
    kind: str,
    target=None,
    description: str = "",
    note: str = "",
    uploaded_file=None,
) -> EvidenceLink:
    """Attach evidence of any kind to a person's competency."""
    if kind == EvidenceKind.FILE:
        if uploaded_file is None:
            raise ValidationError({"file": "Select a file."})
        target = evidence_file_store(actor=actor, owner=person, uploaded_file=uploaded_file)
        description = description or target.original_name
    elif kind == EvidenceKind.OBSERVATION:
        if not note.strip():
            raise ValidationError({"note": "Describe what was observed."})
        description = description or "Observation note"
    elif kind == EvidenceKind.LEARNING_RECORD:
        if not isinstance(target, LearningRecord) or target.person_id != person.pk:
            raise ValidationError({"target": "Choose one of your own learning records."})
        description = description or target.item.title
    elif target is None:
        raise ValidationError({"target": "Choose the record this evidence points at."})
    elif getattr(target, "person_id", person.pk) != person.pk:
        raise ValidationError({"target": "Evidence must be the person's own record."})
    if target is not None and EvidenceLink.objects.current().filter(
        person=person, competency=competency,
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk,
    ).exists():
        raise ValidationError({"target": "This is already evidence for this competency."})
    link = EvidenceLink.objects.create(
        person=person,
        competency=competency,
        kind=kind,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=target.pk if target is not None else None,
        description=(description or str(target))[:300],
        note=note.strip(),
        added_by=actor,
    )
    audit_record(actor=actor, action="competency.evidence_add", obj=link, after=link.snapshot())
    return link


@transaction.atomic
def evidence_link_withdraw(*, actor, link: EvidenceLink) -> EvidenceLink:
    """Stop offering a piece of evidence; requests and sign-offs keep their snapshot."""
    if link.withdrawn_at is None:
        link.withdrawn_at = timezone.now()
        link.save(update_fields=["withdrawn_at"])
        audit_record(actor=actor, action="competency.evidence_withdraw", obj=link,
                     before=link.snapshot())
    return link


def current_supporters(person: Person, as_of=None):
    """People who may review this coordinator's competencies: their current supporters."""
    as_of = as_of or timezone.localdate()
    return Person.objects.filter(
        pk__in=RoleAssignment.objects.current(as_of)
        .filter(role__in=SUPPORT_ROLES, care_coordinator=person)
        .values("person_id")
    ).exclude(pk=person.pk)


@transaction.atomic
def sign_off_request_create(
    *,
    actor,
    person: Person,
    competency: Competency,
    reviewer: Person | None = None,
    assessor_name: str = "",
    assessor_role: str = "",
    assessor_email: str = "",
) -> SignOffRequest:
    """Ask a named supervisor, or an external assessor by email, to review a competency."""
    if reviewer is None and not (assessor_name.strip() and assessor_email.strip()):
        raise ValidationError({"reviewer": "Choose a supervisor or name an external assessor."})
    if reviewer is not None and not current_supporters(person).filter(pk=reviewer.pk).exists():
        raise ValidationError({"reviewer": "Choose one of your current supervisors."})
    duplicate = SignOffRequest.objects.pending().filter(
        person=person, competency=competency, reviewer=reviewer,
        assessor_email__iexact=assessor_email.strip(),
    )
    if duplicate.exists():
        raise ValidationError("You have already asked this person to review this competency.")
    evidence = list(EvidenceLink.objects.current().filter(person=person, competency=competency))
    request = SignOffRequest.objects.create(
        person=person,
        competency=competency,
        self_assessment=SelfAssessment.objects.filter(person=person, competency=competency)
        .order_by("-created_at", "-pk").first(),
        reviewer=reviewer,
        assessor_name=assessor_name.strip(),
        assessor_role=assessor_role.strip(),
        assessor_email=assessor_email.strip().lower(),
        evidence_snapshot=[link.snapshot() for link in evidence],
        requested_by=actor,
    )
    request.evidence.set(evidence)
    audit_record(actor=actor, action="competency.request", obj=request, after={
        "competency": competency.pk, "reviewer": reviewer.pk if reviewer else None,
        "assessor_email": request.assessor_email, "evidence": [e.pk for e in evidence],
    })
    return request


def _locked_pending(request: SignOffRequest) -> SignOffRequest:
    """The request, locked; refused if it is no longer waiting for a decision."""
    locked = SignOffRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(
            f"This request has already been {locked.get_status_display().lower()}. "
            "Nothing was changed."
        )
    return locked


def _check_reviewer(actor, request: SignOffRequest) -> None:
    """Only the named reviewer decides (an external assessor acts through their link)."""
    if actor is None:
        if request.reviewer_id is not None:
            raise ValidationError("This request is for a named supervisor, not a link.")
        return
    if request.person.user_id == actor.pk:
        raise ValidationError("You cannot review your own competencies.")
    if request.reviewer_id is None or request.reviewer.user_id != actor.pk:
        raise ValidationError("Only the person asked can review this request.")


@transaction.atomic
def sign_off_request_withdraw(*, actor, request: SignOffRequest) -> SignOffRequest:
    request = _locked_pending(request)
    request.status = RequestStatus.WITHDRAWN
    request.decided_at, request.decided_by = timezone.now(), actor
    request.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(actor=actor, action="competency.request_withdraw", obj=request,
                 after={"status": request.status})
    return request


@transaction.atomic
def sign_off_record(
    *,
    actor,
    request: SignOffRequest,
    level: int,
    comment: str,
    assessor_name: str = "",
    assessor_role: str = "",
    assessor_email: str = "",
) -> SignOff:
    """Sign off a request at a level; the rater's earlier sign-off is superseded, not changed.

    `actor` is the signed-in reviewer, or None for an external assessor using a link.
    """
    request = _locked_pending(request)
    _check_reviewer(actor, request)
    _check_level(request.competency, level)
    if not comment.strip():
        raise ValidationError({"comment": "Say what you saw that supports this level."})
    if actor is not None:
        rater_key = f"user:{actor.pk}"
        person = getattr(actor, "person", None)
        assessor_name = assessor_name or (person.full_name if person else actor.email)
        assessor_role = assessor_role or (person.job_title if person else "")
        assessor_email = assessor_email or actor.email
    else:
        if not assessor_name.strip():
            raise ValidationError({"assessor_name": "Enter your name."})
        assessor_email = assessor_email or request.assessor_email
        rater_key = f"email:{assessor_email.lower()}"
    now = timezone.now()
    sign_off = SignOff.objects.create(
        request=request,
        person=request.person,
        competency=request.competency,
        level=level,
        comment=comment.strip(),
        signed_by=actor,
        rater_key=rater_key,
        assessor_name=assessor_name.strip(),
        assessor_role=assessor_role.strip(),
        assessor_email=assessor_email,
        evidence_snapshot=request.evidence_snapshot,
        signed_at=now,
    )
    earlier = SignOff.objects.filter(
        person=request.person, competency=request.competency, rater_key=rater_key,
        superseded_by__isnull=True,
    ).exclude(pk=sign_off.pk)
    for old in earlier:
        old.superseded_by, old.superseded_at = sign_off, now
        old.save(update_fields=["superseded_by", "superseded_at"])
        audit_record(actor=actor, action="competency.sign_off_supersede", obj=old,
                     after={"superseded_by": sign_off.pk})
    request.status = RequestStatus.SIGNED_OFF
    request.decided_at, request.decided_by = now, actor
    request.save(update_fields=["status", "decided_at", "decided_by"])
    # The request's outcome is evidence too (verify_audit compares it with this entry).
    audit_record(actor=actor, action="competency.request_sign_off", obj=request,
                 after={"status": request.status, "sign_off": sign_off.pk})
    audit_record(actor=actor, action="competency.sign_off", obj=sign_off, after={
        "request": request.pk, "level": level, "comment": sign_off.comment,
        "assessor": sign_off.assessor_name, "assessor_email": sign_off.assessor_email,
    })
    return sign_off


@transaction.atomic
def sign_off_request_return(*, actor, request: SignOffRequest, feedback: str) -> SignOffRequest:
    """Send a request back with feedback; the coordinator can add evidence and ask again."""
    request = _locked_pending(request)
    _check_reviewer(actor, request)
    if not feedback.strip():
        raise ValidationError({"feedback": "Say what is missing or what to do next."})
    request.status = RequestStatus.RETURNED
    request.feedback = feedback.strip()
    request.decided_at, request.decided_by = timezone.now(), actor
    request.save(update_fields=["status", "feedback", "decided_at", "decided_by"])
    audit_record(actor=actor, action="competency.return", obj=request,
                 after={"status": request.status, "feedback": request.feedback})
    return request



@transaction.atomic
def assessor_link_send(*, actor, request: SignOffRequest, now=None) -> tuple[AssessorLink, str]:
    """Email an external assessor a single-use link; a renewal replaces any earlier link."""
    now = now or timezone.now()
    if request.status != RequestStatus.PENDING:
        raise ValidationError("This request is no longer waiting for a review.")
    if not request.assessor_email:
        raise ValidationError("This request has no external assessor.")
    renewed = request.links.filter(used_at__isnull=True, revoked_at__isnull=True)
    renewed_count = renewed.update(revoked_at=now)
    token, digest = new_link_token()
    link = AssessorLink.objects.create(
        request=request,
        token_hash=digest,
        created_by=actor,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.ASSESSOR_LINK_VALID_DAYS),
    )
    url = settings.SITE_URL.rstrip("/") + reverse("assessor_link", args=[token])
    send_mail(
        subject=f"Please review a care coordinator's competency: {request.competency}",
        message=render_to_string(
            "competencies/email/assessor_link.txt",
            {"request": request, "link": link, "url": url},
        ),
        from_email=None,
        recipient_list=[request.assessor_email],
    )
    audit_record(actor=actor, action="competency.link_renew" if renewed_count else
                 "competency.link_send", obj=link,
                 after={"request": request.pk, "expires_at": link.expires_at})
    return link, token


def assessor_link_for_token(token: str) -> AssessorLink | None:
    return (
        AssessorLink.objects.select_related("request__competency__framework",
                                            "request__person")
        .filter(token_hash=token_digest(token)).first()
    )


@transaction.atomic
def assessor_link_decide(
    *, link: AssessorLink, decision: str, level: int | None = None, comment: str = "",
    assessor_name: str = "", assessor_role: str = "", now=None,
):
    """An external assessor signs off or returns through their link, which is then used up."""
    now = now or timezone.now()
    link = AssessorLink.objects.select_for_update().select_related("request").get(pk=link.pk)
    if link.state(now) != "usable":
        raise ValidationError("This link can no longer be used.")
    if decision == "sign_off":
        result = sign_off_record(
            actor=None, request=link.request, level=level, comment=comment,
            assessor_name=assessor_name, assessor_role=assessor_role,
            assessor_email=link.request.assessor_email,
        )
    elif decision == "return":
        result = sign_off_request_return(actor=None, request=link.request, feedback=comment)
    else:
        raise ValidationError({"decision": "Choose whether to sign off or return it."})
    link.used_at = now
    link.save(update_fields=["used_at"])
    return result
