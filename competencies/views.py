"""Competencies: a coordinator's progress and one competency (self-assessment, evidence,
asking for review), a supervisor's queue and review page, and a supporter's or PCN
manager's view of one coordinator's progress.

Every view reaches people through lms.access: people outside the user's scope are not
found (404); a page for a role the user lacks is refused (403).
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lms.access import get_visible_or_404, record_owners_visible_to, require, scope_for, today
from lms.form_rendering import add_validation_errors
from lms.models import EvidenceFile, LearningRecord, Person

from . import services
from .forms import (
    ExternalRequestForm,
    FileEvidenceForm,
    LearningRecordEvidenceForm,
    ObservationEvidenceForm,
    ReturnForm,
    SelfAssessmentForm,
    SignOffForm,
    SupervisorRequestForm,
)
from .models import (
    AssessorLink,
    Competency,
    EvidenceKind,
    EvidenceLink,
    Framework,
    FrameworkStatus,
    RequestStatus,
    SelfAssessment,
    SignOff,
    SignOffRequest,
)
from .progress import State, progress_for

QUEUE_PER_PAGE = 25
REQUEST_TAG_COLOURS = {
    RequestStatus.PENDING: "purple",
    RequestStatus.SIGNED_OFF: "green",
    RequestStatus.RETURNED: "orange",
    RequestStatus.WITHDRAWN: "grey",
}
KIND_LABELS = dict(EvidenceKind.choices)


# --- loading ---------------------------------------------------------------------------------


@dataclass
class FrameworkProgress:
    """One person's progress through one framework, grouped by domain for display."""

    framework: Framework
    rows: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.rows)

    @property
    def met(self):
        return sum(1 for row in self.rows if row.state == State.MET)

    @property
    def domains(self):
        """[(domain, [progress, ...]), ...] in framework order."""
        grouped = {}
        for row in self.rows:
            grouped.setdefault(row.competency.domain, []).append(row)
        return list(grouped.items())

    @property
    def state_counts(self):
        """[(label, count)] for states other than met, in the order work moves on."""
        counts = {}
        for row in self.rows:
            if row.state != State.MET:
                key = "Signed off below the target" if row.state == State.SIGNED_OFF else row.label
                counts[key] = counts.get(key, 0) + 1
        return list(counts.items())


def framework_progress(person_id, frameworks) -> list[FrameworkProgress]:
    """Progress in each framework, in a fixed number of queries however many competencies."""
    frameworks = list(frameworks)
    if not frameworks:
        return []
    competencies = list(
        Competency.objects.filter(framework__in=frameworks)
        .select_related("framework", "domain")
        .order_by("domain__sort_order", "sort_order", "pk")
    )
    table = progress_for([person_id], competencies)
    summaries = {f.pk: FrameworkProgress(framework=f) for f in frameworks}
    for competency in competencies:
        summaries[competency.framework_id].rows.append(table[(person_id, competency.pk)])
    return list(summaries.values())


def _viewable_competencies():
    """Competencies of frameworks in use or retired (history stays readable); never drafts."""
    return Competency.objects.exclude(framework__status=FrameworkStatus.DRAFT).select_related(
        "framework", "domain"
    )


def waiting_for(scope):
    """Pending requests addressed to this user, from people they still support."""
    if scope.person_id is None:
        return SignOffRequest.objects.none()
    return SignOffRequest.objects.for_reviewer(scope.person_id).filter(
        person_id__in=scope.supervisee_ids
    )


def _attach_targets(links, person_ids, as_of):
    """Give each evidence link the learning record (`.record`) or file (`.file`) it points at.

    Two queries at most, however many links.
    """
    record_ids = [link.object_id for link in links
                  if link.kind == EvidenceKind.LEARNING_RECORD and link.object_id]
    file_ids = [link.object_id for link in links if link.kind == EvidenceKind.FILE
                and link.object_id]
    records = (
        LearningRecord.objects.filter(person_id__in=person_ids).with_item()
        .prefetch_related("certificates").in_bulk(record_ids)
        if record_ids else {}
    )
    files = (
        EvidenceFile.objects.filter(owner_id__in=person_ids).in_bulk(file_ids)
        if file_ids else {}
    )
    for record in records.values():
        record.tag_label = record.status_label(as_of)
        record.tag_colour = record.status_colour(as_of)
    for link in links:
        link.kind_label = KIND_LABELS.get(link.kind, link.kind)
        link.record = records.get(link.object_id) if link.kind == EvidenceKind.LEARNING_RECORD \
            else None
        link.file = files.get(link.object_id) if link.kind == EvidenceKind.FILE else None
    return links


def _sign_off_history(person, competency):
    """Every sign-off of this competency, newest first, superseded ones included."""
    sign_offs = list(
        SignOff.objects.filter(person=person, competency=competency)
        .select_related("superseded_by")
    )
    for sign_off in sign_offs:
        sign_off.level_name = competency.framework.level_label(sign_off.level)
        sign_off.snapshot_rows = [
            {**item, "kind_label": KIND_LABELS.get(item.get("kind"), item.get("kind", ""))}
            for item in sign_off.evidence_snapshot or []
        ]
    return sign_offs


def _label_requests(requests):
    for item in requests:
        item.tag_colour = REQUEST_TAG_COLOURS.get(item.status, "grey")
    return requests


def _person_crumbs(scope, person):
    crumbs = [("Home", reverse("home"))]
    if person.pk == scope.person_id:
        crumbs.append(("Your competencies", reverse("competencies:mine")))
    else:
        crumbs.append((f"{person.full_name}’s competencies",
                       reverse("competencies:person", args=[person.pk])))
    return crumbs


# --- progress: yours and a supervisee's ------------------------------------------------------


def _me(scope):
    return Person.objects.select_related("user", "pcn").get(pk=scope.person_id)


def _overview(request, scope, person, *, own):
    summaries = framework_progress(person.pk, Framework.objects.active())
    return render(
        request,
        "competencies/overview.html",
        {
            "person": person,
            "own": own,
            "summaries": summaries,
            # One framework in use: show it whole rather than a list of one.
            "only": summaries[0] if len(summaries) == 1 else None,
            "crumbs": [("Home", reverse("home"))],
        },
    )


def _framework_page(request, scope, person, code, *, own):
    framework = get_visible_or_404(Framework.objects.active(), code=code)
    (summary,) = framework_progress(person.pk, [framework])
    return render(
        request,
        "competencies/framework.html",
        {
            "person": person,
            "own": own,
            "summary": summary,
            "crumbs": _person_crumbs(scope, person),
        },
    )


def mine(request):
    """A care coordinator's progress in each framework in use."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    return _overview(request, scope, _me(scope), own=True)


def framework(request, code):
    """A care coordinator's progress in one framework, competency by competency."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    return _framework_page(request, scope, _me(scope), code, own=True)


def _visible_person(request, person_id):
    return get_visible_or_404(
        record_owners_visible_to(request.user).select_related("user", "pcn"), pk=person_id
    )


def person(request, person_id):
    """The same overview for a supporter or PCN manager looking at one coordinator."""
    scope = scope_for(request.user)
    someone = _visible_person(request, person_id)
    if someone.pk == scope.person_id:
        return redirect("competencies:mine")
    return _overview(request, scope, someone, own=False)


def person_framework(request, person_id, code):
    scope = scope_for(request.user)
    someone = _visible_person(request, person_id)
    if someone.pk == scope.person_id:
        return redirect("competencies:framework", code=code)
    return _framework_page(request, scope, someone, code, own=False)


# --- one competency --------------------------------------------------------------------------


def _competency_context(scope, person, competency, *, own):
    as_of = today()
    progress = progress_for([person.pk], [competency])[(person.pk, competency.pk)]
    evidence = _attach_targets(
        list(EvidenceLink.objects.current().filter(person=person, competency=competency)),
        [person.pk], as_of,
    )
    requests = _label_requests(list(
        SignOffRequest.objects.filter(person=person, competency=competency)
        .select_related("reviewer", "decided_by__person")
        .prefetch_related(Prefetch("links", queryset=AssessorLink.objects.order_by(
            "-created_at", "-pk"), to_attr="latest_links"))
    ))
    framework = competency.framework
    assessments = list(SelfAssessment.objects.filter(person=person, competency=competency))
    for assessment in assessments:
        assessment.level_name = framework.level_label(assessment.level)
    may_send_links = person.pk == scope.person_id or (
        person.pcn_id is not None and person.pcn_id in scope.managed_pcn_ids
    )
    crumbs = _person_crumbs(scope, person)
    if framework.status == FrameworkStatus.ACTIVE:
        crumbs.append((framework.name, reverse("competencies:framework", args=[framework.code])
                       if own else reverse("competencies:person_framework",
                                           args=[person.pk, framework.code])))
    return {
        "person": person,
        "own": own,
        "competency": competency,
        "framework": framework,
        "progress": progress,
        "signed_off_level_name": framework.level_label(progress.level),
        "learning_items": list(competency.learning_items.live().order_by("title")),
        "assessments": assessments,
        "evidence": evidence,
        "pending_requests": [r for r in requests if r.status == RequestStatus.PENDING],
        "requests": requests,
        "sign_offs": _sign_off_history(person, competency),
        "may_send_links": may_send_links,
        "is_active": framework.status == FrameworkStatus.ACTIVE,
        "crumbs": crumbs,
    }


def _competency_forms(request, person, competency, action, supporters):
    """Every form on the page; only the one that was posted is bound."""

    def bound(name):
        if request.method == "POST" and action == name:
            return {"data": request.POST, "files": request.FILES}
        return {}

    framework = competency.framework
    return {
        "self_assess": SelfAssessmentForm(framework=framework, **bound("self_assess")),
        "evidence_record": LearningRecordEvidenceForm(
            # Records already offered for this competency are not offered twice.
            records=LearningRecord.objects.filter(person=person).exclude(
                pk__in=EvidenceLink.objects.current().filter(
                    person=person, competency=competency, kind=EvidenceKind.LEARNING_RECORD,
                ).values("object_id")
            ).with_item().order_by("item__title"),
            **bound("evidence_record"),
        ),
        "evidence_file": FileEvidenceForm(**bound("evidence_file")),
        "evidence_observation": ObservationEvidenceForm(**bound("evidence_observation")),
        "request_supervisor": SupervisorRequestForm(supporters=supporters,
                                                    **bound("request_supervisor")),
        "request_external": ExternalRequestForm(**bound("request_external")),
    }


def _self_assess(request, person, competency, data):
    services.self_assessment_record(
        actor=request.user, person=person, competency=competency,
        level=data["level"], narrative=data["narrative"],
    )
    return "Your self-assessment has been saved.", "self-assessment"


def _add_evidence(kind, **fields):
    def add(request, person, competency, data):
        link = services.evidence_link_add(
            actor=request.user, person=person, competency=competency, kind=kind,
            **{name: data[key] for name, key in fields.items()},
        )
        return f"‘{link.description}’ has been added to your evidence.", "evidence"

    return add


def _request_supervisor(request, person, competency, data):
    reviewer = data["reviewer"]
    services.sign_off_request_create(
        actor=request.user, person=person, competency=competency, reviewer=reviewer,
    )
    return (f"You have asked {reviewer.full_name} to review this competency. It is in their "
            "list of sign-off requests.", "requests")


def _request_external(request, person, competency, data):
    # Both or neither: a request nobody was told about would wait for ever.
    with transaction.atomic():
        sign_off_request = services.sign_off_request_create(
            actor=request.user, person=person, competency=competency,
            assessor_name=data["assessor_name"], assessor_role=data["assessor_role"],
            assessor_email=data["assessor_email"],
        )
        services.assessor_link_send(actor=request.user, request=sign_off_request)
    return (f"We have emailed {sign_off_request.assessor_name} a link to review this "
            f"competency at {sign_off_request.assessor_email}.", "requests")


ACTIONS = {
    "self_assess": _self_assess,
    "evidence_record": _add_evidence(EvidenceKind.LEARNING_RECORD, target="record"),
    "evidence_file": _add_evidence(EvidenceKind.FILE, uploaded_file="file",
                                   description="description"),
    "evidence_observation": _add_evidence(EvidenceKind.OBSERVATION, note="note"),
    "request_supervisor": _request_supervisor,
    "request_external": _request_external,
}


def competency(request, competency_id):
    """One competency for the signed-in coordinator: rate yourself, add evidence, ask for review."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    me = _me(scope)
    item = get_visible_or_404(_viewable_competencies(), pk=competency_id)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in ACTIONS:
        return HttpResponseBadRequest("Unknown action")
    supporters = services.current_supporters(me).order_by("family_name", "given_name")
    forms = _competency_forms(request, me, item, action, supporters)
    if action:
        require(item.framework.status == FrameworkStatus.ACTIVE)
        form = forms[action]
        if form.is_valid():
            try:
                message, anchor = ACTIONS[action](request, me, item, form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(reverse("competencies:competency", args=[item.pk]) + f"#{anchor}")
    context = _competency_context(scope, me, item, own=True)
    context.update(
        forms=list(forms.values()),
        form_by_action=forms,
        posted=action,
        supporters=list(supporters),
    )
    return render(request, "competencies/competency.html", context)


def person_competency(request, person_id, competency_id):
    """One competency of a coordinator, read-only, for their supporters and PCN manager."""
    scope = scope_for(request.user)
    someone = _visible_person(request, person_id)
    if someone.pk == scope.person_id:
        return redirect("competencies:competency", competency_id=competency_id)
    item = get_visible_or_404(_viewable_competencies(), pk=competency_id)
    return render(request, "competencies/competency.html",
                  _competency_context(scope, someone, item, own=False))


@require_POST
def evidence_withdraw(request, pk):
    """The coordinator stops offering a piece of evidence; it is withdrawn, never deleted."""
    scope = scope_for(request.user)
    link = get_visible_or_404(
        EvidenceLink.objects.current().filter(person_id=scope.person_id or 0), pk=pk
    )
    services.evidence_link_withdraw(actor=request.user, link=link)
    messages.success(request, f"‘{link.description}’ is no longer offered as evidence. "
                              "Requests already sent keep it.")
    return redirect(reverse("competencies:competency", args=[link.competency_id]) + "#evidence")


def _own_request(request, pk):
    scope = scope_for(request.user)
    return get_visible_or_404(
        SignOffRequest.objects.filter(person_id=scope.person_id or 0)
        .select_related("competency"), pk=pk
    )


@require_POST
def request_withdraw(request, pk):
    """The coordinator takes back a request that nobody has decided yet."""
    sign_off_request = _own_request(request, pk)
    try:
        services.sign_off_request_withdraw(actor=request.user, request=sign_off_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Your request for a review of {sign_off_request.competency} "
                                  "has been withdrawn.")
    return redirect(reverse("competencies:competency", args=[sign_off_request.competency_id])
                    + "#requests")


@require_POST
def send_link(request, pk):
    """Email an external assessor a new link (the old one stops working): the coordinator or
    their PCN manager."""
    scope = scope_for(request.user)
    sign_off_request = get_visible_or_404(
        SignOffRequest.objects.filter(person__in=record_owners_visible_to(request.user))
        .select_related("person", "competency"),
        pk=pk,
    )
    someone = sign_off_request.person
    require(someone.pk == scope.person_id or (
        someone.pcn_id is not None and someone.pcn_id in scope.managed_pcn_ids))
    try:
        services.assessor_link_send(actor=request.user, request=sign_off_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new link has been emailed to "
                                  f"{sign_off_request.assessor_email}. "
                                  "Earlier links no longer work.")
    if someone.pk == scope.person_id:
        url = reverse("competencies:competency", args=[sign_off_request.competency_id])
    else:
        url = reverse("competencies:person_competency",
                      args=[someone.pk, sign_off_request.competency_id])
    return redirect(url + "#requests")


# --- reviewing -------------------------------------------------------------------------------


def queue(request):
    """Sign-off requests waiting for the signed-in supervisor, oldest first."""
    scope = scope_for(request.user)
    require(scope.is_supporter)
    requests = waiting_for(scope).select_related("person", "competency__framework")
    page = Paginator(requests, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "competencies/queue.html",
                  {"page": page, "crumbs": [("Home", reverse("home"))]})


def review(request, pk):
    """One request: its self-assessment, evidence and earlier sign-offs; the named reviewer
    signs it off or returns it. The coordinator, their supporters and PCN manager may look."""
    scope = scope_for(request.user)
    sign_off_request = get_visible_or_404(
        SignOffRequest.objects.filter(person__in=record_owners_visible_to(request.user))
        .select_related("person__pcn", "competency__framework", "competency__domain",
                        "self_assessment", "reviewer", "decided_by__person"),
        pk=pk,
    )
    item = sign_off_request.competency
    framework = item.framework
    is_reviewer = (sign_off_request.reviewer_id is not None
                   and sign_off_request.reviewer_id == scope.person_id)
    action = request.POST.get("action") if request.method == "POST" else None
    sign_off_form = SignOffForm(request.POST if action == "sign_off" else None,
                                framework=framework)
    return_form = ReturnForm(request.POST if action == "return" else None)
    if request.method == "POST":
        require(is_reviewer)
        form = {"sign_off": sign_off_form, "return": return_form}.get(action)
        if form is None:
            return HttpResponseBadRequest("Unknown action")
        response = _decide(request, sign_off_request, action, form)
        if response is not None:
            return response
    person = sign_off_request.person
    as_of = today()
    evidence = _attach_targets(list(sign_off_request.evidence.all()), [person.pk], as_of)
    self_assessment = sign_off_request.self_assessment
    crumbs = [("Home", reverse("home"))]
    if is_reviewer:
        crumbs.append(("Sign-off requests", reverse("competencies:queue")))
    elif person.pk == scope.person_id:
        crumbs.append(("Your competencies", reverse("competencies:mine")))
    else:
        crumbs.append((f"{person.full_name}’s competencies",
                       reverse("competencies:person", args=[person.pk])))
    _label_requests([sign_off_request])
    return render(
        request,
        "competencies/review.html",
        {
            "sign_off_request": sign_off_request,
            "person": person,
            "competency": item,
            "framework": framework,
            "own": person.pk == scope.person_id,
            "self_assessment_level": self_assessment
            and framework.level_label(self_assessment.level),
            "evidence": evidence,
            "sign_offs": _sign_off_history(person, item),
            "progress": progress_for([person.pk], [item])[(person.pk, item.pk)],
            "can_decide": is_reviewer and sign_off_request.status == RequestStatus.PENDING,
            "sign_off_form": sign_off_form,
            "return_form": return_form,
            "forms": [sign_off_form, return_form],
            "crumbs": crumbs,
        },
    )


def _decide(request, sign_off_request, action, form):
    """Run the decision through its service; a redirect, or None to show the form's errors."""
    data = form.cleaned_data if form.is_valid() else None
    # A request someone already decided or withdrew: the service's message says so and
    # wins over anything wrong with the form, which is no longer on the page.
    if data is None and sign_off_request.status == RequestStatus.PENDING:
        return None
    data = data or {}
    try:
        if action == "sign_off":
            sign_off = services.sign_off_record(
                actor=request.user, request=sign_off_request,
                level=data.get("level"), comment=data.get("comment", ""),
            )
            message = (f"You have signed off {sign_off_request.person.full_name} at level "
                       f"{sign_off.level} ({sign_off.level_label}) for "
                       f"{sign_off_request.competency}.")
        else:
            services.sign_off_request_return(
                actor=request.user, request=sign_off_request,
                feedback=data.get("feedback", ""),
            )
            message = (f"You have returned {sign_off_request.person.full_name}’s request for "
                       f"{sign_off_request.competency} with your feedback.")
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            add_validation_errors(form, error)
            return None
        messages.error(request, " ".join(error.messages))
        return redirect("competencies:review", pk=sign_off_request.pk)
    messages.success(request, message)
    return redirect("competencies:queue")
