"""Every write to people, roles and invitations, each with its audit entry."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .audit import audit_record
from .files import file_sha256, safe_file_name, validate_evidence_upload
from .models import SUPPORT_ROLES, EvidenceFile, Invitation, Person, Role, RoleAssignment

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "job_title",
    "pcn_id",
    "employment_start_date",
    "funding_route",
    "afc_band",
    "left_on",
)
CURRICULUM_EDITORS_GROUP = "Curriculum editors"


def _person_snapshot(person: Person) -> dict:
    data = {name: getattr(person, name) for name in PERSON_FIELDS}
    data["email"] = person.user.email
    return data


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_in_use(email: str, *, exclude_user=None) -> bool:
    users = get_user_model().objects.filter(email__iexact=normalise_email(email))
    if exclude_user is not None:
        users = users.exclude(pk=exclude_user.pk)
    return users.exists()


@transaction.atomic
def person_create(
    *,
    actor,
    email: str,
    given_name: str,
    family_name: str,
    pcn=None,
    job_title: str = "",
    employment_start_date: datetime.date | None = None,
    funding_route: str = "other",
    afc_band: str = "",
    password: str | None = None,
) -> Person:
    """Create a person and their user account; without a password they sign in once invited."""
    email = normalise_email(email)
    if email_in_use(email):
        raise ValidationError({"email": "Someone already uses this email address."})
    user = get_user_model().objects.create_user(username=email[:150], email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    person = Person.objects.create(
        user=user,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        pcn=pcn,
        job_title=job_title.strip(),
        employment_start_date=employment_start_date,
        funding_route=funding_route,
        afc_band=afc_band,
    )
    audit_record(actor=actor, action="person.create", obj=person, after=_person_snapshot(person))
    return person


@transaction.atomic
def person_update(*, actor, person: Person, email: str | None = None, **changes) -> Person:
    """Change a person's details; the audit entry keeps what they were before."""
    before = _person_snapshot(person)
    for name, value in changes.items():
        if name.removesuffix("_id") not in {f.removesuffix("_id") for f in PERSON_FIELDS}:
            raise TypeError(f"person_update() cannot change {name}")
        setattr(person, name, value)
    if email is not None and normalise_email(email) != person.user.email:
        email = normalise_email(email)
        if email_in_use(email, exclude_user=person.user):
            raise ValidationError({"email": "Someone already uses this email address."})
        person.user.email = email
        person.user.username = email[:150]
        person.user.save(update_fields=["email", "username"])
    if person.left_on and person.left_on > timezone.localdate():
        raise ValidationError({"left_on": "The date they left must be today or in the past."})
    person.full_clean(exclude=["user"])
    person.save()
    after = _person_snapshot(person)
    if after != before:
        audit_record(actor=actor, action="person.update", obj=person, before=before, after=after)
    if person.left_on and before["left_on"] is None:
        _person_leave(actor=actor, person=person)
    return person


def _person_leave(*, actor, person: Person) -> None:
    """Someone who left loses their roles and sign-in; every record about them stays."""
    open_assignments = RoleAssignment.objects.filter(
        Q(person=person) | Q(care_coordinator=person),
        starts_on__lt=person.left_on,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=person.left_on))
    for assignment in open_assignments:
        role_end(actor=actor, assignment=assignment, ends_on=person.left_on,
                 reason=f"{person.full_name} left on {person.left_on:%-d %B %Y}")
    person.user.is_active = False
    person.user.save(update_fields=["is_active"])


def _validate_assignment(assignment: RoleAssignment, practices) -> None:
    errors = {}
    role = assignment.role
    if role == Role.CARE_COORDINATOR and not assignment.pcn_id:
        errors["pcn"] = "A care coordinator must belong to a PCN."
    if role == Role.PCN_MANAGER and not assignment.pcn_id:
        errors["pcn"] = "Choose the PCN this person manages."
    if role == Role.ICB_VIEWER and not assignment.icb_id:
        errors["icb"] = "Choose the ICB this person views."
    if role in SUPPORT_ROLES:
        if not assignment.care_coordinator_id:
            errors["care_coordinator"] = "Choose the care coordinator this role supports."
        elif assignment.care_coordinator_id == assignment.person_id:
            errors["care_coordinator"] = "A person cannot supervise or support themselves."
        elif not RoleAssignment.objects.current(assignment.starts_on).filter(
            person_id=assignment.care_coordinator_id, role=Role.CARE_COORDINATOR
        ).exists():
            errors["care_coordinator"] = (
                "That person is not a care coordinator on the start date."
            )
    for practice in practices:
        if practice.pcn_id != assignment.pcn_id:
            errors["practices"] = f"{practice} is not a practice of this PCN."
    if assignment.ends_on and assignment.ends_on <= assignment.starts_on:
        errors["ends_on"] = "The end date must be after the start date."
    if errors:
        raise ValidationError(errors)


def _sync_editor_group(person: Person, as_of: datetime.date) -> None:
    """Curriculum editors reach the Wagtail admin through one group."""
    group, created = Group.objects.get_or_create(name=CURRICULUM_EDITORS_GROUP)
    if created:
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    is_editor = (
        RoleAssignment.objects.current(as_of)
        .filter(person=person, role=Role.CURRICULUM_EDITOR)
        .exists()
    )
    if is_editor:
        person.user.groups.add(group)
    else:
        person.user.groups.remove(group)


def _assignment_snapshot(assignment: RoleAssignment) -> dict:
    return {
        "person": assignment.person_id,
        "role": assignment.role,
        "pcn": assignment.pcn_id,
        "icb": assignment.icb_id,
        "care_coordinator": assignment.care_coordinator_id,
        "practices": sorted(assignment.practices.values_list("pk", flat=True)),
        "starts_on": assignment.starts_on,
        "ends_on": assignment.ends_on,
        "end_reason": assignment.end_reason,
    }


@transaction.atomic
def role_assign(
    *,
    actor,
    person: Person,
    role: str,
    starts_on: datetime.date,
    pcn=None,
    icb=None,
    care_coordinator: Person | None = None,
    practices=(),
    ends_on: datetime.date | None = None,
) -> RoleAssignment:
    """Give a person a role from a date; support roles name the care coordinator supported."""
    if role in SUPPORT_ROLES and care_coordinator is not None:
        pcn = care_coordinator.pcn
    practices = list(practices)
    assignment = RoleAssignment(
        person=person,
        role=role,
        pcn=pcn,
        icb=icb,
        care_coordinator=care_coordinator,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    _validate_assignment(assignment, practices)
    duplicate = (
        RoleAssignment.objects.current(starts_on)
        .filter(person=person, role=role, pcn=pcn, icb=icb, care_coordinator=care_coordinator)
        .exists()
    )
    if duplicate:
        raise ValidationError({"role": "This person already holds this role on that date."})
    assignment.save()
    assignment.practices.set(practices)
    if role == Role.CARE_COORDINATOR and person.pcn_id is None:
        person.pcn = pcn
        person.save(update_fields=["pcn"])
    audit_record(
        actor=actor, action="role.assign", obj=assignment, after=_assignment_snapshot(assignment)
    )
    if role == Role.CURRICULUM_EDITOR:
        _sync_editor_group(person, timezone.localdate())
    return assignment


@transaction.atomic
def role_end(
    *, actor, assignment: RoleAssignment, ends_on: datetime.date, reason: str = ""
) -> RoleAssignment:
    """End a role from a date; the assignment stays as history."""
    if assignment.ends_on is not None and assignment.ends_on <= timezone.localdate():
        raise ValidationError({"ends_on": "This role has already ended."})
    if ends_on <= assignment.starts_on:
        raise ValidationError({"ends_on": "The end date must be after the start date."})
    before = _assignment_snapshot(assignment)
    assignment.ends_on = ends_on
    assignment.end_reason = reason.strip()
    assignment.ended_by = actor
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ends_on", "end_reason", "ended_by", "ended_at"])
    audit_record(
        actor=actor,
        action="role.end",
        obj=assignment,
        before=before,
        after=_assignment_snapshot(assignment),
    )
    if assignment.role == Role.CURRICULUM_EDITOR:
        _sync_editor_group(assignment.person, timezone.localdate())
    return assignment


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_send(*, actor, person: Person, now=None) -> tuple[Invitation, str]:
    """Email a single-use link to set a password; earlier pending links stop working."""
    now = now or timezone.now()
    if person.user.has_usable_password():
        raise ValidationError("This person has already set a password and can sign in.")
    person.invitations.pending(now).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        person=person,
        email=person.user.email,
        token_hash=_token_hash(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])
    context = {"person": person, "link": link, "invitation": invitation,
               "inviter": getattr(actor, "person", None)}
    send_mail(
        subject="You have been invited to Coordinate",
        message=render_to_string("lms/email/invitation.txt", context),
        from_email=None,
        recipient_list=[person.user.email],
    )
    audit_record(
        actor=actor,
        action="invitation.send",
        obj=invitation,
        after={"email": invitation.email, "expires_at": invitation.expires_at},
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("person__user")
        .filter(token_hash=_token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, now=None) -> Person:
    """Set the invited person's password and use up the link."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state(now) != "pending":
        raise ValidationError("This invitation link can no longer be used.")
    user = invitation.person.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=user, action="invitation.accept", obj=invitation, after={"accepted_at": now})
    return invitation.person


@transaction.atomic
def evidence_file_store(*, actor, owner: Person, uploaded_file) -> EvidenceFile:
    """Keep an uploaded file as evidence in the owner's portfolio (already validated)."""
    content_type = getattr(uploaded_file, "detected_content_type", None) or (
        validate_evidence_upload(uploaded_file)
    )
    name = safe_file_name(uploaded_file.name, content_type)
    evidence = EvidenceFile(
        owner=owner,
        original_name=name,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=file_sha256(uploaded_file),
        uploaded_by=actor,
    )
    evidence.file.save(name, uploaded_file, save=False)
    evidence.save()
    audit_record(
        actor=actor,
        action="evidence.upload",
        obj=evidence,
        after={"owner": owner.pk, "name": name, "sha256": evidence.sha256, "size": evidence.size},
    )
    return evidence
