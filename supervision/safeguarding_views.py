"""Safeguarding discussions (DES clause 6): a coordinator's log, a safeguarding GP's list,
one log with its addenda, and a PCN manager's counts-and-dates summary.

Text is reached only through `safeguarding_access.discussions_readable_by`: a log the user
may not read is not found (404); a page for a role the user lacks is refused (403).
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat

from lms.access import get_visible_or_404, pcns_managed_by, require, scope_for, today
from lms.form_rendering import add_validation_errors
from lms.models import Person, Role, RoleAssignment, add_months

from . import safeguarding_services as services
from .models import ConcernCategory, Escalation, SafeguardingDiscussion
from .safeguarding_access import (
    coordinators_summarised_for,
    discussions_readable_by,
    discussions_with_gp,
    is_safeguarding_gp,
    may_open_safeguarding_pages,
    named_safeguarding_gps,
)
from .safeguarding_forms import AddendumForm, DiscussionForm, WithdrawForm

PER_PAGE = 25
#: Follow-ups due within this many days are flagged as due soon.
DUE_SOON_DAYS = 14


# --- labels --------------------------------------------------------------------------------


def long_date(day: datetime.date) -> str:
    return dateformat.format(day, "j F Y")


def follow_up_state(discussion: SafeguardingDiscussion, as_of: datetime.date):
    """(words, NHS.UK tag colour) for a log's follow-up, or None when it has none to show."""
    if discussion.withdrawn_at is not None or discussion.follow_up_on is None:
        return None
    if discussion.followed_up_on is not None:
        return ("Followed up", "green")
    if discussion.follow_up_on < as_of:
        return ("Overdue", "red")
    if discussion.follow_up_on <= as_of + datetime.timedelta(days=DUE_SOON_DAYS):
        return ("Due soon", "yellow")
    return ("Not due yet", "grey")


def _label(discussions, as_of):
    for discussion in discussions:
        discussion.follow_up = follow_up_state(discussion, as_of)
    return discussions


def _page(request, queryset, as_of):
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    _label(page.object_list, as_of)
    return page


def _crumbs(scope, discussion=None):
    crumbs = [("Home", reverse("home"))]
    if discussion is None:
        return crumbs
    if discussion.care_coordinator_id == scope.person_id:
        crumbs.append(("Safeguarding discussions", reverse("safeguarding:mine")))
    else:
        crumbs.append(("Safeguarding discussions with you", reverse("safeguarding:with_you")))
    return crumbs


# --- the coordinator's pages ---------------------------------------------------------------


def _coordinator(request):
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    return scope


def mine(request):
    """A care coordinator's own safeguarding log, newest first, with their named GP."""
    scope = _coordinator(request)
    as_of = today()
    discussions = SafeguardingDiscussion.objects.filter(
        care_coordinator_id=scope.person_id
    ).select_related("discussed_with")
    return render(
        request,
        "supervision/safeguarding/mine.html",
        {
            "page": _page(request, discussions, as_of),
            "gps": list(named_safeguarding_gps(scope.person_id, as_of)),
            "as_of": as_of,
            "crumbs": _crumbs(scope),
        },
    )


def log(request):
    """Log a concern discussed with a named safeguarding GP; no form when none is named."""
    scope = _coordinator(request)
    as_of = today()
    gps = list(named_safeguarding_gps(scope.person_id, as_of))
    form = None
    if gps:
        if request.method == "POST":
            form = DiscussionForm(request.POST, gps=gps, as_of=as_of)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    discussion = services.safeguarding_discussion_record(
                        actor=request.user,
                        care_coordinator=Person.objects.get(pk=scope.person_id),
                        discussed_with=data["discussed_with"],
                        discussed_on=data["discussed_on"],
                        category=data["category"],
                        concern=data["concern"],
                        outcome=data["outcome"],
                        escalation=data["escalation"],
                        escalated_to=data["escalated_to"],
                        follow_up_on=data["follow_up_on"],
                        as_of=as_of,
                    )
                except ValidationError as error:
                    add_validation_errors(form, error)
                else:
                    messages.success(
                        request,
                        f"Your discussion with {discussion.discussed_with.full_name} on "
                        f"{long_date(discussion.discussed_on)} has been logged.",
                    )
                    return redirect("safeguarding:detail", pk=discussion.pk)
        else:
            form = DiscussionForm(gps=gps, as_of=as_of)
    return render(
        request,
        "supervision/safeguarding/log.html",
        {
            "form": form,
            "gps": gps,
            "crumbs": _crumbs(scope)
            + [("Safeguarding discussions", reverse("safeguarding:mine"))],
        },
    )


# --- the safeguarding GP's list --------------------------------------------------------------


def with_you(request):
    """A safeguarding GP's list: logs of the coordinators they are named for, and with them."""
    scope = scope_for(request.user)
    require(is_safeguarding_gp(scope))
    as_of = today()
    discussions = discussions_with_gp(request.user).select_related(
        "care_coordinator", "discussed_with"
    )
    return render(
        request,
        "supervision/safeguarding/with_you.html",
        {
            "page": _page(request, discussions, as_of),
            "as_of": as_of,
            "crumbs": _crumbs(scope),
        },
    )


# --- one log -----------------------------------------------------------------------------------


def _readable(request, pk):
    scope = scope_for(request.user)
    require(may_open_safeguarding_pages(scope))
    discussion = get_visible_or_404(
        discussions_readable_by(request.user).select_related(
            "care_coordinator", "care_coordinator__pcn", "discussed_with", "withdrawn_by"
        ),
        pk=pk,
    )
    return scope, discussion


def _detail(request, scope, discussion, addendum_form=None, status=200):
    as_of = today()
    _label([discussion], as_of)
    open_follow_up = discussion.follow_up_on is not None and discussion.followed_up_on is None
    if addendum_form is None and discussion.withdrawn_at is None:
        addendum_form = AddendumForm(follow_up_open=open_follow_up)
    return render(
        request,
        "supervision/safeguarding/detail.html",
        {
            "discussion": discussion,
            "addenda": list(discussion.addenda.select_related("added_by")),
            "own": discussion.care_coordinator_id == scope.person_id,
            "form": addendum_form,
            "as_of": as_of,
            "crumbs": _crumbs(scope, discussion),
        },
        status=status,
    )


def detail(request, pk):
    """One log in full, with its addenda in order, for the coordinator and their GP."""
    scope, discussion = _readable(request, pk)
    return _detail(request, scope, discussion)


def addendum_add(request, pk):
    """Add an addendum (POST); a GET shows the log with the addendum form."""
    scope, discussion = _readable(request, pk)
    if request.method != "POST" or discussion.withdrawn_at is not None:
        if request.method == "POST":
            messages.info(request, "This log was withdrawn, so nothing more can be added to it.")
        return redirect("safeguarding:detail", pk=discussion.pk)
    open_follow_up = discussion.follow_up_on is not None and discussion.followed_up_on is None
    form = AddendumForm(request.POST, follow_up_open=open_follow_up)
    if form.is_valid():
        try:
            services.safeguarding_addendum_add(
                actor=request.user,
                discussion=discussion,
                added_by=Person.objects.get(pk=scope.person_id),
                text=form.cleaned_data["text"],
                records_follow_up=form.cleaned_data.get("records_follow_up", False),
                as_of=today(),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            done = form.cleaned_data.get("records_follow_up")
            messages.success(
                request,
                "Your addendum has been added"
                + (" and the follow-up is recorded as done." if done else "."),
            )
            return redirect("safeguarding:detail", pk=discussion.pk)
    return _detail(request, scope, discussion, addendum_form=form)


def withdraw(request, pk):
    """The coordinator withdraws a log recorded in error, saying why; it is kept."""
    scope, discussion = _readable(request, pk)
    require(discussion.care_coordinator_id == scope.person_id)
    if discussion.withdrawn_at is not None:
        messages.info(request, "This log has already been withdrawn.")
        return redirect("safeguarding:detail", pk=discussion.pk)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.safeguarding_discussion_withdraw(
                    actor=request.user,
                    discussion=discussion,
                    withdrawn_by=Person.objects.get(pk=scope.person_id),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(
                    request,
                    f"The log of {long_date(discussion.discussed_on)} has been withdrawn. It is "
                    "kept, marked as withdrawn, and no longer counted.",
                )
                return redirect("safeguarding:detail", pk=discussion.pk)
    else:
        form = WithdrawForm()
    return render(
        request,
        "supervision/safeguarding/withdraw.html",
        {
            "discussion": discussion,
            "form": form,
            "crumbs": _crumbs(scope, discussion)
            + [("This log", reverse("safeguarding:detail", args=[discussion.pk]))],
        },
    )


# --- the PCN manager's summary: counts and dates, never text ------------------------------------


@dataclass
class CoordinatorSummary:
    person: Person
    gps: list
    last_12_months: int = 0
    latest: datetime.date | None = None
    referrals: int = 0
    overdue: int = 0
    next_follow_up: datetime.date | None = None


def _counts(discussions, as_of):
    """Per coordinator: counts over 12 months, latest date, open follow-ups (one query)."""
    year_ago = add_months(as_of, -12)
    in_year = Q(discussed_on__gt=year_ago)
    open_follow_up = Q(follow_up_on__isnull=False, followed_up_on__isnull=True)
    return {
        row["care_coordinator_id"]: row
        for row in discussions.current()
        .values("care_coordinator_id")
        .annotate(
            last_12_months=Count("pk", filter=in_year),
            latest=Max("discussed_on"),
            referrals=Count("pk", filter=in_year & ~Q(escalation=Escalation.NONE)),
            overdue=Count("pk", filter=open_follow_up & Q(follow_up_on__lt=as_of)),
            next_follow_up=Min("follow_up_on", filter=open_follow_up),
        )
        .order_by()
    }


def summary(request):
    """A PCN manager's view of DES clause 6: how often each coordinator discusses concerns.

    Counts and dates only: no concern, outcome, addendum, or who it was escalated to.
    """
    scope = scope_for(request.user)
    require(scope.is_pcn_manager)
    as_of = today()
    pcns = pcns_managed_by(request.user)
    chosen = request.GET.get("pcn")
    pcn = get_visible_or_404(pcns, pk=chosen) if chosen else pcns.first()
    coordinators = coordinators_summarised_for(request.user, pcn.pk, as_of)
    page = Paginator(coordinators, PER_PAGE).get_page(request.GET.get("page"))
    ids = [person.pk for person in page.object_list]
    counts = _counts(SafeguardingDiscussion.objects.filter(care_coordinator_id__in=ids), as_of)
    gps: dict[int, list] = {person_id: [] for person_id in ids}
    for assignment in (
        RoleAssignment.objects.current(as_of)
        .filter(role=Role.SAFEGUARDING_GP, care_coordinator_id__in=ids,
                person__left_on__isnull=True)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    ):
        gps[assignment.care_coordinator_id].append(assignment.person)
    rows = []
    for person in page.object_list:
        row = CoordinatorSummary(person=person, gps=gps[person.pk])
        for name, value in counts.get(person.pk, {}).items():
            if name != "care_coordinator_id":
                setattr(row, name, value)
        rows.append(row)
    pcn_discussions = SafeguardingDiscussion.objects.current().filter(
        care_coordinator__in=coordinators, discussed_on__gt=add_months(as_of, -12)
    )
    category_counts = dict(
        pcn_discussions.values_list("category").annotate(n=Count("pk")).order_by()
    )
    categories = [(label, category_counts.get(value, 0))
                  for value, label in ConcernCategory.choices]
    return render(
        request,
        "supervision/safeguarding/summary.html",
        {
            "pcn": pcn,
            "pcns": pcns if len(pcns) > 1 else [],
            "page": page,
            "rows": rows,
            "categories": categories,
            "total_12_months": sum(n for _label, n in categories),
            "year_ago": add_months(as_of, -12),
            "as_of": as_of,
            "crumbs": _crumbs(scope),
        },
    )
