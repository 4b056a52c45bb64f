"""DES compliance dashboards: the PCN manager's and the ICB viewer's.

Every status comes from the engine (`lms.compliance.engine`); these views only choose the
PCN and the "as at" date, check who may look, and lay the results out.

Who sees what:
- PCN managers: their PCN's care coordinators × requirements, the forecast, the trend and
  every cell's evidence (`?pcn=` picks one of several PCNs; another PCN's id is not found).
- A care coordinator: their own requirements and evidence (`/compliance/people/<own id>/`).
- ICB viewers: their ICBs' PCNs × requirements as percentages, and one PCN's counts; never
  a coordinator's name, record or evidence. Another ICB's PCN is not found.
- Anyone else: 403.
"""

import datetime
import functools
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe

from lms import audit
from lms.access import get_visible_or_404, require, scope_for, today
from lms.form_rendering import NHSDateField
from lms.models import PCN, Person, RoleAssignment

from . import engine, trend_chart
from .results import Status
from .trend_chart import percent, trend_rows, trend_svg

PEOPLE_PER_PAGE = 25
PCNS_PER_PAGE = 25
#: The forecast's windows, in days from the "as at" date.
FORECAST_WINDOWS = (30, 60, 90)
TREND_MONTHS = 12


def long_date(on: datetime.date) -> str:
    return dateformat.format(on, "j F Y")


# --- The "as at" date ------------------------------------------------------------------


class AsAtForm(forms.Form):
    as_at = NHSDateField(
        label="As at",
        required=False,
        help_text="For example, 31 3 2025. Leave it blank for today.",
    )


@dataclass
class AsAt:
    """The date the page shows, the form that chose it, and the rules in force then."""

    as_of: datetime.date
    today: datetime.date
    form: AsAtForm
    requirement_set: object | None  # engine.RequirementSet; None when no year covers today

    @property
    def is_today(self) -> bool:
        return self.as_of == self.today

    @property
    def query(self) -> dict:
        """Query parameters that carry a past date onto links; empty for today."""
        if self.is_today:
            return {}
        return {
            "as_at_day": self.as_of.day,
            "as_at_month": self.as_of.month,
            "as_at_year": self.as_of.year,
        }

    @property
    def requirements(self) -> list:
        return list(self.requirement_set.requirements) if self.requirement_set else []

    @property
    def field(self) -> SafeString:
        """The form's date field as HTML. Unbound (the usual view of today), it is the same
        on every request, so it is rendered once per process: the three-part date widget
        goes through several form templates (~0.4 ms, a tenth of a cached dashboard)."""
        if self.form.is_bound:
            return self.form["as_at"].as_field_group()
        return _blank_as_at_field()


@functools.cache
def _blank_as_at_field() -> SafeString:
    return AsAtForm()["as_at"].as_field_group()


def resolve_as_at(request, *, started_on=None, started_what: str = "") -> AsAt:
    """Read `as_at_day/_month/_year` from the query; a bad date is a field error and the page
    shows today instead. Future dates, dates before `started_on` and dates no contract year
    covers are refused with a message saying so.

    `started_on` is a date, None, or a function giving either: a function is called only
    when a past date is chosen, so the usual view of today costs no query for it."""
    now = today()
    bound = any(key.startswith("as_at_") for key in request.GET)
    form = AsAtForm(request.GET if bound else None)
    as_of, requirement_set = now, None
    if bound and form.is_valid() and form.cleaned_data["as_at"] is not None:
        chosen = form.cleaned_data["as_at"]
        if chosen <= now and callable(started_on):
            started_on = started_on()
        if chosen > now:
            form.add_error("as_at", "‘As at’ date must be today or in the past")
        elif started_on is not None and chosen < started_on:
            form.add_error(
                "as_at",
                f"‘As at’ date must be on or after {long_date(started_on)}, when "
                f"{started_what} started",
            )
        else:
            try:
                requirement_set = engine.requirement_set_for(chosen)
            except ValidationError as error:
                form.add_error("as_at", error.messages[0] if error.messages else
                               "There are no DES requirements for that date")
            else:
                as_of = chosen
    if requirement_set is None:  # today: the date was left blank or refused
        try:
            requirement_set = engine.requirement_set_for(now)
        except ValidationError:
            requirement_set = None
    return AsAt(as_of=as_of, today=now, form=form, requirement_set=requirement_set)


def with_query(url: str, **params) -> str:
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


# --- The PCN manager's dashboard --------------------------------------------------------


@dataclass
class Cell:
    requirement: object
    result: object | None  # RequirementResult
    url: str


@dataclass
class Row:
    compliance: object  # CoordinatorCompliance
    url: str
    cells: list = field(default_factory=list)

    @property
    def person(self):
        return self.compliance.person


@dataclass
class ForecastWindow:
    heading: str
    items: list


def dashboard_rows(compliances, requirements, as_at: AsAt) -> list[Row]:
    """A row per coordinator, a cell per requirement, each with the address of its evidence."""
    rows = []
    query = urlencode(as_at.query)
    suffix = f"?{query}" if query else ""
    for compliance in compliances:
        # One reverse per person; a cell's address is the person's plus the code.
        person_url = reverse("compliance:person", args=[compliance.person.pk])
        row = Row(compliance=compliance, url=person_url + suffix)
        for requirement in requirements:
            row.cells.append(Cell(
                requirement=requirement,
                result=compliance.results.get(requirement.code),
                url=f"{person_url}{requirement.code}/{suffix}",
            ))
        rows.append(row)
    return rows


def forecast_windows(items, as_of: datetime.date) -> tuple[list[ForecastWindow], list[int]]:
    """Forecast items split into not met now (lapsed on or before `as_of`, or never met),
    the next 30 days, 31–60 and 61–90, with the cumulative counts within 30, 60 and 90 days.
    The first group is always there (possibly empty) so the page reads the same each time."""
    not_met, windows = [], [[] for _ in FORECAST_WINDOWS]
    for item in items:
        days = (item.on - as_of).days
        if days <= 0:
            not_met.append(item)
            continue
        for index, limit in enumerate(FORECAST_WINDOWS):
            if days <= limit:
                windows[index].append(item)
                break
    headings = ["In the next 30 days", "In 31 to 60 days", "In 61 to 90 days"]
    groups = [ForecastWindow("Not met now", not_met)]
    groups += [ForecastWindow(h, w) for h, w in zip(headings, windows, strict=True)]
    cumulative, running = [], 0
    for window in windows:
        running += len(window)
        cumulative.append(running)
    return groups, cumulative


def _managed_pcn(request, scope):
    """The PCN to show: `?pcn=` (one the user manages, else 404) or their first, and every
    PCN they manage (for the chooser); each with its data version, all in one query."""
    pcns = engine.pcns_with_data_versions(scope.managed_pcn_ids)
    chosen = request.GET.get("pcn", "")
    if chosen:
        if not chosen.isdigit() or len(chosen) > 18:
            raise Http404
        pcn = next((p for p in pcns if p.pk == int(chosen)), None)
        if pcn is None:
            raise Http404
        return pcn, pcns
    if not pcns:
        raise Http404
    return pcns[0], pcns


#: Templates and modules that shape the cached dashboard HTML: a deploy that changes any of
#: them starts a fresh cache (the engine's code version covers the results themselves).
DASHBOARD_TEMPLATES = (
    "compliance/dashboard/_pcn_table.html",
    "compliance/dashboard/_pcn_results.html",
    "compliance/dashboard/_tag.html",
    "compliance/dashboard/_trend.html",
)

#: How long cached dashboard HTML lives at most: the data version, not this, keeps it right.
DASHBOARD_CACHE_SECONDS = engine.RESULTS_CACHE_SECONDS


def _dashboard_code_version() -> str:
    """A digest of the templates and modules in DASHBOARD_TEMPLATES' comment, read once per
    process (a deploy starts new processes)."""
    return audit.code_digest((__name__, trend_chart.__name__), DASHBOARD_TEMPLATES)


def _dashboard_key(pcn_id, as_at: AsAt) -> str:
    # A past date carries itself onto every link; today (even when chosen as a date) not.
    when = "today" if as_at.is_today else "past"
    return f"compliance:pcn-dashboard:{pcn_id}:{as_at.as_of.isoformat()}:{when}"


def _pack_html(html: str) -> bytes:
    """HTML compressed for the cache: the table and forecast repeat the same markup, so a
    30-coordinator PCN's ~240 kB is ~14 kB, and reading it back (through the database
    cache's base64 and pickle) costs a quarter of the CPU."""
    return zlib.compress(html.encode(), 1)


def unpack_html(packed: bytes) -> SafeString:
    """HTML from `dashboard_results`, rendered there by Django's autoescaping templates."""
    return mark_safe(zlib.decompress(packed).decode())  # noqa: S308


def dashboard_results(pcn, as_at: AsAt) -> dict:
    """The PCN dashboard's data-dependent HTML as at `as_at`: the table for each page of
    coordinators, and the forecast and trend below it (each packed: see `unpack_html`),
    with the coordinator count.

    Rendering 11 cells for each of 25 coordinators, the forecast and the trend was most of
    the page's time, and the HTML depends only on the PCN's data version (results, names,
    the trend), the date (and whether it is today, which decides the links' query) and the
    code and templates. So it is cached under exactly those, in one entry per PCN and date
    holding every page, so the page number (any value a visitor types) never makes an
    entry. Nothing in it depends on the viewer: the header, the PCN chooser, the "as at"
    form and the pagination links (which keep the request's query) are rendered around it.

    One cache read when cached, given `pcn.data_version` (`engine.pcns_with_data_versions`);
    else the cached results and trend (evaluated when they are not cached either) and one
    cache write.
    """
    stamp = (pcn.data_version, _dashboard_code_version(), pcn.name, get_script_prefix())
    key = _dashboard_key(pcn.pk, as_at)
    cached = cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    as_of = as_at.as_of
    requirements = as_at.requirements
    compliances = engine.cached_pcn_compliance(pcn, as_of, version=pcn.data_version)
    groups, cumulative = forecast_windows(
        # From the results already computed: the engine's forecast() would evaluate again.
        engine.forecast_from(compliances, as_of, days=FORECAST_WINDOWS[-1]), as_of,
    )
    points = engine.pcn_trend(pcn, as_of, months=TREND_MONTHS, version=pcn.data_version)
    query = urlencode(as_at.query)
    context = {
        "pcn": pcn,
        "as_at": as_at,
        "requirements": requirements,
        "coordinator_count": len(compliances),
        "fully_met": sum(1 for c in compliances if c.overall == Status.MET),
        "forecast_groups": groups,
        "forecast_cumulative": list(zip(FORECAST_WINDOWS, cumulative, strict=True)),
        "not_met_count": len(groups[0].items),
        "trend_svg": trend_svg(points, title=f"{pcn.name}: per cent of DES results met, "
                               "month by month", id_prefix="pcn-trend"),
        "trend_rows": trend_rows(points),
        "item_suffix": f"?{query}" if query else "",
    }
    paginator = Paginator(compliances, PEOPLE_PER_PAGE)
    results = {
        "coordinator_count": len(compliances),
        "tables": {
            number: _pack_html(render_to_string("compliance/dashboard/_pcn_table.html", {
                **context,
                "rows": dashboard_rows(paginator.page(number).object_list, requirements,
                                       as_at),
            }))
            for number in paginator.page_range
        },
        "rest": _pack_html(render_to_string("compliance/dashboard/_pcn_results.html",
                                            context)),
    }
    cache.set(key, (stamp, results), DASHBOARD_CACHE_SECONDS)
    return results


def dashboard(request):
    """PCN managers: coordinators × DES requirements as at a date, forecast and trend."""
    scope = scope_for(request.user)
    if not scope.is_pcn_manager and scope.is_icb_viewer:
        return redirect("compliance:icb")
    require(scope.is_pcn_manager)
    pcn, pcns = _managed_pcn(request, scope)
    as_at = resolve_as_at(request, started_on=lambda: engine.pcn_started_on(pcn),
                          started_what=pcn.name)
    context = {
        "pcn": pcn,
        "pcns": pcns if len(pcns) > 1 else [],
        "as_at_hidden": [("pcn", pcn.pk)] if len(pcns) > 1 else [],
        "as_at": as_at,
        "form": as_at.form,
        "is_icb_viewer": scope.is_icb_viewer,
        "crumbs": [("Home", reverse("home"))],
    }
    if as_at.requirement_set is not None:
        results = dashboard_results(pcn, as_at)
        # The page of a list as long as the coordinators: the rows are in the cached HTML.
        page = Paginator(range(results["coordinator_count"]), PEOPLE_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context.update({
            "coordinator_count": results["coordinator_count"],
            "page": page,
            "results_table": unpack_html(results["tables"][page.number]),
            "results_rest": unpack_html(results["rest"]),
        })
    return render(request, "compliance/dashboard/pcn.html", context)


# --- One coordinator --------------------------------------------------------------------


def _coordinator_in_scope(request, person_id):
    """A coordinator the user may see: themself, or one of a PCN they manage (else 404)."""
    scope = scope_for(request.user)
    require(scope.is_pcn_manager or scope.is_care_coordinator)
    ever_coordinators = RoleAssignment.objects.care_coordinators().values("person_id")
    visible = Person.objects.filter(pk__in=ever_coordinators).filter(
        Q(pk=scope.person_id) | Q(pcn_id__in=scope.managed_pcn_ids)
    )
    person = get_visible_or_404(visible.select_related("pcn", "user"), pk=person_id)
    return scope, person


def _person_context(request, person_id):
    scope, person = _coordinator_in_scope(request, person_id)
    started_on = (lambda: engine.pcn_started_on(person.pcn)) if person.pcn_id else None
    as_at = resolve_as_at(request, started_on=started_on,
                          started_what=person.pcn.name if person.pcn_id else "")
    is_manager = person.pcn_id in scope.managed_pcn_ids
    crumbs = [("Home", reverse("home"))]
    if is_manager:
        params = dict(as_at.query)
        if len(scope.managed_pcn_ids) > 1:
            params["pcn"] = person.pcn_id
        crumbs.append(("DES compliance", with_query(reverse("compliance:dashboard"), **params)))
    context = {
        "person": person,
        "is_self": person.pk == scope.person_id,
        "as_at": as_at,
        "form": as_at.form,
        "crumbs": crumbs,
        "person_url": with_query(reverse("compliance:person", args=[person.pk]), **as_at.query),
    }
    compliance = None
    if as_at.requirement_set is not None:
        compliance = engine.coordinator_compliance(person, as_at.as_of)
    context["compliance"] = compliance
    return context


def person_compliance(request, person_id):
    """One coordinator's results for every requirement, as at a date."""
    context = _person_context(request, person_id)
    rows = []
    if context["compliance"] is not None:
        suffix = context["person_url"].partition("?")[2]
        base = reverse("compliance:person", args=[context["person"].pk])
        for requirement in context["as_at"].requirements:
            rows.append(Cell(
                requirement=requirement,
                result=context["compliance"].results.get(requirement.code),
                url=f"{base}{requirement.code}/" + (f"?{suffix}" if suffix else ""),
            ))
    context["rows"] = rows
    return render(request, "compliance/dashboard/person.html", context)


def requirement_evidence(request, person_id, code):
    """One coordinator's one requirement: status, summary and the evidence behind it."""
    context = _person_context(request, person_id)
    requirement = next((r for r in context["as_at"].requirements if r.code == code), None)
    compliance = context["compliance"]
    if requirement is None and compliance is not None:
        raise Http404
    result = compliance.results.get(code) if compliance is not None else None
    if compliance is not None and result is None:
        raise Http404
    context.update({"requirement": requirement, "result": result, "code": code})
    context["crumbs"].append((context["person"].full_name, context["person_url"]))
    return render(request, "compliance/dashboard/requirement.html", context)


def my_compliance(request):
    """A care coordinator's own compliance page (a fixed address for navigation)."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    return redirect("compliance:person", person_id=scope.person_id)


# --- The ICB viewer's dashboard ---------------------------------------------------------


BANDS = (
    (90, "Good", "nhsuk-tag--green"),
    (60, "Needs attention", "nhsuk-tag--yellow"),
    (0, "At risk", "nhsuk-tag--red"),
)


@dataclass(frozen=True)
class Band:
    label: str
    tag_class: str


NO_DATA = Band("No coordinators", "nhsuk-tag--grey")


def band_for(value: int | None) -> Band:
    """≥ 90% Good, 60–89% Needs attention, below 60% At risk; words, not colour alone."""
    if value is None:
        return NO_DATA
    for floor, label, tag_class in BANDS:
        if value >= floor:
            return Band(label, tag_class)
    return Band(BANDS[-1][1], BANDS[-1][2])


@dataclass
class PercentCell:
    requirement: object
    value: int | None
    none_label: str = "No coordinators"

    @property
    def band(self) -> Band:
        if self.value is None:
            return Band(self.none_label, NO_DATA.tag_class)
        return band_for(self.value)


def _applicable(summary, code=None) -> int | None:
    """How many results a PCN summary's per cent is of (None when the engine does not say)."""
    applicable = getattr(summary, "applicable", None)
    if not isinstance(applicable, dict):
        return None
    return sum(applicable.values()) if code is None else applicable.get(code, 0)


def _percent_cell(summary, requirement, value) -> PercentCell:
    """A per cent, or no per cent when the PCN had no coordinators or none it applied to
    (the engine reports 0 of 0 as 0%, which would read as "At risk")."""
    if not summary.coordinator_count:
        return PercentCell(requirement, None)
    if _applicable(summary, requirement.code if requirement else None) == 0:
        return PercentCell(requirement, None, "Not applicable")
    return PercentCell(requirement, value)


def icb_rows(summaries, requirements, as_at: AsAt) -> list[dict]:
    return [
        {
            "summary": summary,
            "url": with_query(reverse("compliance:icb_pcn", args=[summary.pcn.pk]),
                              **as_at.query),
            "overall": _percent_cell(summary, None, summary.overall_percent),
            "cells": [_percent_cell(summary, r, summary.percent_met.get(r.code))
                      for r in requirements],
        }
        for summary in summaries
    ]


def icb_overall_percent(summaries) -> int | None:
    """Met results as a per cent of applicable results across every PCN (each PCN's overall
    per cent weighted by its coordinators when the summaries carry no counts)."""
    if summaries and all(isinstance(getattr(s, "met", None), dict) for s in summaries):
        met = sum(sum(s.met.values()) for s in summaries)
        applicable = sum(_applicable(s) for s in summaries)
        return percent(met, applicable)
    weighted = [(s.overall_percent, s.coordinator_count) for s in summaries
                if s.coordinator_count and s.overall_percent is not None]
    total = sum(count for _value, count in weighted)
    if not total:
        return None
    return percent(sum(value * count for value, count in weighted), 100 * total)


def icb_dashboard(request):
    """ICB viewers: their PCNs × requirements as the per cent of coordinators meeting each."""
    scope = scope_for(request.user)
    require(scope.is_icb_viewer)
    as_at = resolve_as_at(request)
    context = {
        "as_at": as_at,
        "form": as_at.form,
        "crumbs": [("Home", reverse("home"))],
        "several_icbs": len(scope.icb_ids) > 1,
    }
    if as_at.requirement_set is not None:
        summaries = sorted(engine.icb_summary(sorted(scope.icb_ids), as_at.as_of),
                           key=lambda s: (s.pcn.name, s.pcn.pk))
        page = Paginator(summaries, PCNS_PER_PAGE).get_page(request.GET.get("page"))
        overall = icb_overall_percent(summaries)
        context.update({
            "requirements": as_at.requirements,
            "page": page,
            "rows": icb_rows(page.object_list, as_at.requirements, as_at),
            "pcn_count": len(summaries),
            "coordinator_count": sum(s.coordinator_count for s in summaries),
            "overall": PercentCell(None, overall),
        })
    return render(request, "compliance/dashboard/icb.html", context)


@dataclass
class CountRow:
    requirement: object
    met: int = 0
    at_risk: int = 0
    not_met: int = 0
    not_applicable: int = 0

    @property
    def applicable(self) -> int:
        return self.met + self.at_risk + self.not_met

    @property
    def percent(self) -> int | None:
        return percent(self.met, self.applicable)

    @property
    def band(self) -> Band:
        return band_for(self.percent)


def requirement_counts(compliances, requirements) -> list[CountRow]:
    """Per requirement, how many coordinators are met, at risk, not met, not applicable."""
    rows = {r.code: CountRow(r) for r in requirements}
    for compliance in compliances:
        for code, result in compliance.results.items():
            row = rows.get(code)
            if row is not None:
                setattr(row, result.status.value, getattr(row, result.status.value) + 1)
    return list(rows.values())


def icb_pcn(request, pcn_id):
    """ICB viewers: one PCN's counts per requirement and its trend; no names, no records."""
    scope = scope_for(request.user)
    require(scope.is_icb_viewer)
    pcn = get_visible_or_404(
        PCN.objects.filter(icb_id__in=scope.icb_ids).select_related("icb"), pk=pcn_id
    )
    as_at = resolve_as_at(request, started_on=lambda: engine.pcn_started_on(pcn),
                          started_what=pcn.name)
    context = {
        "pcn": pcn,
        "as_at": as_at,
        "form": as_at.form,
        "crumbs": [
            ("Home", reverse("home")),
            ("DES compliance in your ICB", with_query(reverse("compliance:icb"), **as_at.query)),
        ],
    }
    if as_at.requirement_set is not None:
        # The data version once for both cached reads.
        version = engine.pcns_with_data_versions([pcn.pk])[0].data_version
        compliances = engine.cached_pcn_compliance(pcn, as_at.as_of, version=version)
        points = engine.pcn_trend(pcn, as_at.as_of, months=TREND_MONTHS, version=version)
        counts = requirement_counts(compliances, as_at.requirements)
        context.update({
            "coordinator_count": len(compliances),
            "fully_met": sum(1 for c in compliances if c.overall == Status.MET),
            "counts": counts,
            "trend_svg": trend_svg(points, title=f"{pcn.name}: per cent of DES results met, "
                                   "month by month", id_prefix="pcn-trend"),
            "trend_rows": trend_rows(points),
        })
    return render(request, "compliance/dashboard/icb_pcn.html", context)

