"""Every write to people, roles and invitations, each with its audit entry."""

import datetime

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
from .models import (
    SUPPORT_ROLES,
    DevelopmentGoal,
    EvidenceFile,
    GoalComment,
    InductionPlanItem,
    InductionTemplate,
    InductionTemplateItem,
    Invitation,
    LearningRecord,
    LearningStatus,
    Person,
    Role,
    RoleAssignment,
)
from .tokens import new_link_token, token_digest

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
#: The Wagtail admin group each curriculum role is kept in.
ADMIN_GROUPS = {
    Role.CURRICULUM_EDITOR: "Curriculum editors",
    Role.CURRICULUM_APPROVER: "Clinical leads",
}


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


def _sync_admin_groups(person: Person, as_of: datetime.date) -> None:
    """Curriculum editors and approvers reach the Wagtail admin through one group per role.

    Page permissions and the approval workflow on those groups are set by seed_curriculum.
    """
    current = set(
        RoleAssignment.objects.current(as_of)
        .filter(person=person, role__in=ADMIN_GROUPS)
        .values_list("role", flat=True)
    )
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for role, group_name in ADMIN_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(access_admin)
        if role in current:
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
    if role in ADMIN_GROUPS:
        _sync_admin_groups(person, timezone.localdate())
    if role == Role.CARE_COORDINATOR:
        induction_plan_generate(actor=actor, person=person, pcn=pcn)
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
    if assignment.role in ADMIN_GROUPS:
        _sync_admin_groups(assignment.person, timezone.localdate())
    return assignment



@transaction.atomic
def invitation_send(*, actor, person: Person, now=None) -> tuple[Invitation, str]:
    """Email a single-use link to set a password; earlier pending links stop working."""
    now = now or timezone.now()
    if person.user.has_usable_password():
        raise ValidationError("This person has already set a password and can sign in.")
    person.invitations.pending(now).update(revoked_at=now)
    token, digest = new_link_token()
    invitation = Invitation.objects.create(
        person=person,
        email=person.user.email,
        token_hash=digest,
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
        .filter(token_hash=token_digest(token))
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


# --- Learning records (issue 4) ---------------------------------------------------------

RECORD_FIELDS = (
    "stage",
    "not_required_reason",
    "enrolled_on",
    "started_on",
    "completed_on",
    "provider",
    "provider_pci_assured",
    "cpd_hours",
    "hours_out_of_practice",
    "notes",
)


def _record_snapshot(record: LearningRecord) -> dict:
    data = {name: getattr(record, name) for name in RECORD_FIELDS}
    data["item"] = record.item_id
    data["verified_by"] = record.verified_by_id
    data["verified_at"] = record.verified_at
    return data


def validate_learning_dates(
    *, stage, enrolled_on, started_on, completed_on, not_required_reason="", as_of
) -> None:
    """The date rules of a learning record, as field errors."""
    errors = {}
    for name, day in (("enrolled_on", enrolled_on), ("started_on", started_on),
                      ("completed_on", completed_on)):
        if day and day > as_of:
            errors[name] = "The date cannot be in the future."
    if completed_on and enrolled_on and completed_on < enrolled_on and "completed_on" not in errors:
        errors["completed_on"] = "The completion date must be on or after the enrolment date."
    if started_on and enrolled_on and started_on < enrolled_on and "started_on" not in errors:
        errors["started_on"] = "The start date must be on or after the enrolment date."
    if stage == LearningStatus.COMPLETED and not completed_on and "completed_on" not in errors:
        errors["completed_on"] = "Enter the date you completed it."
    if stage == LearningStatus.ENROLLED and not enrolled_on and "enrolled_on" not in errors:
        errors["enrolled_on"] = "Enter the date you enrolled."
    if stage == LearningStatus.NOT_REQUIRED and not not_required_reason.strip():
        errors["not_required_reason"] = "Say why this is not required."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def learning_record_save(
    *, actor, person: Person, item, certificate=None, as_of=None, **fields
) -> LearningRecord:
    """Create or update the one record of `person` for `item`; the audit keeps the old values."""
    as_of = as_of or timezone.localdate()
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"learning_record_save() got unknown fields {sorted(unknown)}")
    record = (
        LearningRecord.objects.select_for_update().filter(person=person, item=item).first()
    )
    created = record is None
    if created:
        record = LearningRecord(
            person=person, item=item, created_by=actor,
            provider=item.provider, provider_pci_assured=item.pci_assured,
        )
    before = None if created else _record_snapshot(record)
    for name, value in fields.items():
        setattr(record, name, value)
    validate_learning_dates(
        stage=record.stage,
        enrolled_on=record.enrolled_on,
        started_on=record.started_on,
        completed_on=record.completed_on,
        not_required_reason=record.not_required_reason,
        as_of=as_of,
    )
    if before is not None and (
        before["completed_on"] != record.completed_on or before["stage"] != record.stage
    ):
        # A changed completion needs verifying again.
        record.verified_by, record.verified_at = None, None
    record.updated_at = timezone.now()
    record.save()
    if certificate is not None:
        evidence = evidence_file_store(actor=actor, owner=person, uploaded_file=certificate)
        record.certificates.add(evidence)
    after = _record_snapshot(record)
    if created or after != before or certificate is not None:
        audit_record(
            actor=actor,
            action="learning_record.create" if created else "learning_record.update",
            obj=record,
            before=before,
            after={
                **after,
                "certificates": sorted(record.certificates.values_list("pk", flat=True)),
            },
        )
    return record


@transaction.atomic
def learning_record_verify(*, actor, record: LearningRecord) -> LearningRecord:
    """A supervisor or PCN manager confirms the record and its certificate are genuine."""
    if record.person.user_id == actor.pk:
        raise ValidationError("You cannot verify your own learning record.")
    if record.verified_at:
        raise ValidationError("This record has already been verified.")
    record.verified_by = actor
    record.verified_at = timezone.now()
    record.save(update_fields=["verified_by", "verified_at"])
    audit_record(actor=actor, action="learning_record.verify", obj=record,
                 after={"verified_by": actor.pk, "verified_at": record.verified_at})
    return record


@transaction.atomic
def induction_plan_generate(*, actor, person: Person, pcn=None) -> list[InductionPlanItem]:
    """Add a coordinator's induction tasks from their PCN's template and start date.

    Tasks already in the plan are left alone, so running it again adds only new items.
    """
    from .learning import induction_template_entries

    start = person.employment_start_date or timezone.localdate()
    existing = set(person.induction_items.values_list("item_id", flat=True))
    new_items = [
        InductionPlanItem(person=person, item=item, due_on=start + datetime.timedelta(weeks=week))
        for item, week in induction_template_entries(pcn or person.pcn)
        if item.pk not in existing
    ]
    InductionPlanItem.objects.bulk_create(new_items)
    if new_items:
        audit_record(actor=actor, action="induction_plan.generate", obj=person,
                     after={"items": [i.item_id for i in new_items]})
    return new_items


@transaction.atomic
def induction_template_save(*, actor, pcn, entries) -> InductionTemplate:
    """Replace a PCN's induction template with (item, due_week) entries."""
    template, _ = InductionTemplate.objects.get_or_create(pcn=pcn)
    before = list(template.items.values_list("item_id", "due_week"))
    template.items.all().delete()
    InductionTemplateItem.objects.bulk_create(
        [InductionTemplateItem(template=template, item=item, due_week=week)
         for item, week in entries]
    )
    template.updated_by, template.updated_at = actor, timezone.now()
    template.save()
    audit_record(actor=actor, action="induction_template.save", obj=template, before=before,
                 after=[(item.pk, week) for item, week in entries])
    return template


GOAL_FIELDS = ("title", "description", "target_date", "status", "last_reviewed_on")


@transaction.atomic
def development_goal_save(
    *, actor, person: Person, goal: DevelopmentGoal | None = None, learning_items=None, **fields
) -> DevelopmentGoal:
    """Add or change a goal in a personal development plan."""
    created = goal is None
    goal = goal or DevelopmentGoal(person=person)
    before = None if created else {name: getattr(goal, name) for name in GOAL_FIELDS}
    for name, value in fields.items():
        if name not in GOAL_FIELDS:
            raise TypeError(f"development_goal_save() cannot set {name}")
        setattr(goal, name, value)
    goal.updated_at = timezone.now()
    goal.save()
    if learning_items is not None:
        goal.learning_items.set(learning_items)
    audit_record(actor=actor, action="development_goal.create" if created else
                 "development_goal.update", obj=goal, before=before,
                 after={name: getattr(goal, name) for name in GOAL_FIELDS})
    return goal


@transaction.atomic
def goal_comment_add(*, actor, goal: DevelopmentGoal, author: Person, text: str) -> GoalComment:
    comment = GoalComment.objects.create(goal=goal, author=author, text=text.strip())
    audit_record(actor=actor, action="development_goal.comment", obj=comment,
                 after={"goal": goal.pk, "text": comment.text})
    return comment
