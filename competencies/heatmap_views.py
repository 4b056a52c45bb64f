"""PCN managers: their care coordinators × one framework's competencies, and its CSV.

Cells are status words (Met, Level N, Requested, Returned, In progress, Not started)
on NHS.UK tags, never colour alone. Rows come from lms.report_views.matrix_people,
the same people as the training matrix; 403 for anyone who manages no PCN.
"""

from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse

from lms.access import require, scope_for, today
from lms.models import Person
from lms.report_cache import cached_cells
from lms.report_views import csv_response, matrix_people

from .models import Competency, Domain, Framework
from .progress import CompetencyProgress, State, progress_for

HEATMAP_PEOPLE_PER_PAGE = 25


# --- Domain ----------------------------------------------------------------------------


def cell_label(progress: CompetencyProgress) -> str:
    """The short word for a cell: 'Level 2' where the matrix would say 'Signed off at level 2'."""
    if progress.state == State.SIGNED_OFF:
        return f"Level {progress.level}"
    return progress.label


@dataclass(frozen=True, slots=True)
class HeatmapCell:
    """What a heatmap cell shows, worked out once: `CompetencyProgress` works its state out
    again for every property read (met, colour, words), and a page has ~750 cells."""

    state: str
    short_label: str

    @property
    def met(self) -> bool:
        return self.state == State.MET

    @property
    def colour(self) -> str:
        return State.COLOURS[self.state]


def heatmap_cell(progress: CompetencyProgress) -> HeatmapCell:
    state = progress.state
    if state == State.SIGNED_OFF:
        return HeatmapCell(state, f"Level {progress.level}")
    return HeatmapCell(state, progress.label)


@dataclass
class HeatmapRow:
    person: Person
    cells: list = field(default_factory=list)  # HeatmapCell, one per column

    @property
    def all_met(self) -> bool:
        return all(cell.met for cell in self.cells)


def heatmap_cell_values(person_ids, competencies) -> dict[int, tuple]:
    """{person id: one (state, short label) per competency}: four queries, whatever their
    number. Plain values, so that they can be cached (`cached_heatmap_cell_values`)."""
    table = progress_for(person_ids, competencies, summary=True)
    values = {}
    for pk in person_ids:
        cells = [heatmap_cell(table[(pk, c.pk)]) for c in competencies]
        values[pk] = tuple((cell.state, cell.short_label) for cell in cells)
    return values


def heatmap_rows(people, competencies, only_not_met=False, cell_values=None
                 ) -> list[HeatmapRow]:
    """A row per person, a cell per competency, less those who met everything when asked.

    `cell_values` (as `heatmap_cell_values` gives or the cache holds) are built here when
    not given: four queries, whatever the number of people.
    """
    people = list(people)
    competencies = list(competencies)
    if cell_values is None:
        cell_values = heatmap_cell_values([p.pk for p in people], competencies)
    rows = []
    for person in people:
        row = HeatmapRow(person, [HeatmapCell(*values) for values in cell_values[person.pk]])
        if not (only_not_met and row.all_met):
            rows.append(row)
    return rows


def cached_heatmap_cell_values(user, people, framework, domain, competencies, as_of
                               ) -> dict[int, tuple]:
    """`heatmap_cell_values` for everyone the user may see in the heatmap, cached by the data
    versions of their PCNs (`lms.report_cache`): one entry serves every page, "only not
    met" and the CSV."""
    person_ids = [p.pk for p in people]
    if not person_ids or not competencies:
        return {}
    pcn_ids = set(scope_for(user, as_of).managed_pcn_ids)
    pcn_ids.update(p.pcn_id for p in people if p.pcn_id)
    return cached_cells(
        "heatmap", builder=__name__, pcn_ids=pcn_ids, as_of=as_of,
        columns=(framework.pk, domain.pk if domain else None,
                 tuple(c.pk for c in competencies)),
        person_ids=person_ids,
        build=lambda ids: heatmap_cell_values(ids, competencies),
    )


# --- Filters ---------------------------------------------------------------------------


class HeatmapFilterForm(forms.Form):
    framework = forms.ModelChoiceField(
        label="Framework", queryset=Framework.objects.none(), required=False, empty_label=None
    )
    domain = forms.ModelChoiceField(
        label="Area", queryset=Domain.objects.none(), required=False, empty_label="All areas"
    )
    only_not_met = forms.BooleanField(
        label="Only show care coordinators who have not met every competency shown",
        required=False,
    )

    def __init__(self, *args, frameworks, framework=None, shown=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks
        self.fields["domain"].queryset = (
            framework.domains.order_by("sort_order", "pk") if framework else Domain.objects.none()
        )
        if shown is not None:
            # A form only shown, never validated: its choices come from the (frameworks,
            # areas) already loaded, rather than a query per select as it is drawn.
            framework_list, domain_list = shown
            self.fields["framework"].choices = [(f.pk, str(f)) for f in framework_list]
            self.fields["domain"].choices = [("", self.fields["domain"].empty_label)] + [
                (d.pk, str(d)) for d in domain_list
            ]


@dataclass
class Heatmap:
    framework: Framework | None
    domain: Domain | None
    only_not_met: bool
    competencies: list
    rows: list
    filter_form: HeatmapFilterForm
    as_of: object
    page: object = None  # the shown page of rows; `rows` is then that page's rows only


def _heatmap(request, page_number=None) -> Heatmap:
    """Resolve the filters (a bad value falls back to the default) and build the rows.

    With a `page_number` (the page, not the CSV), `page` is that page of rows. Cells are
    then drawn for that page's people only, unless "only not met" must first look at
    everyone's cells to know who is shown; their values come from the cache
    (`cached_heatmap_cell_values`), built for everyone the manager may see when missing.
    """
    require(scope_for(request.user).is_pcn_manager)
    as_of = today()
    frameworks = Framework.objects.active()
    framework_list = list(frameworks)  # the default, and the choices shown
    query = request.GET
    # The framework decides which areas are valid, so it is read on its own first.
    framework_form = HeatmapFilterForm({"framework": query.get("framework", "")},
                                       frameworks=frameworks)
    framework_form.is_valid()
    framework = framework_form.cleaned_data.get("framework") or (
        framework_list[0] if framework_list else None)
    form = HeatmapFilterForm(query, frameworks=frameworks, framework=framework)
    form.is_valid()
    # An area from another framework (left over after switching framework) is ignored.
    domain = form.cleaned_data.get("domain")
    only_not_met = bool(form.cleaned_data.get("only_not_met"))
    competencies, rows, page = [], [], None
    if framework is not None:
        competencies = Competency.objects.in_framework(framework).select_related(
            "framework", "domain")
        if domain is not None:
            competencies = competencies.filter(domain=domain)
        competencies = list(competencies)
        people = list(matrix_people(request.user, as_of))
        cell_values = cached_heatmap_cell_values(request.user, people, framework, domain,
                                                 competencies, as_of)
        if page_number is not None and not only_not_met:
            page = Paginator(people, HEATMAP_PEOPLE_PER_PAGE).get_page(page_number)
            page.object_list = rows = heatmap_rows(page.object_list, competencies,
                                                   cell_values=cell_values)
        else:
            rows = heatmap_rows(people, competencies, only_not_met, cell_values)
    if page_number is not None and page is None:
        page = Paginator(rows, HEATMAP_PEOPLE_PER_PAGE).get_page(page_number)
    # Shown unbound: a stale or mistyped filter is silently dropped, not reported as an error.
    display_form = HeatmapFilterForm(
        initial={"framework": framework, "domain": domain, "only_not_met": only_not_met},
        frameworks=frameworks, framework=framework,
        shown=(framework_list,
               list(framework.domains.order_by("sort_order", "pk")) if framework else []),
    )
    return Heatmap(framework, domain, only_not_met, competencies, rows, display_form, as_of,
                   page)


def _filter_query(heatmap: Heatmap) -> str:
    query = QueryDict(mutable=True)
    if heatmap.framework:
        query["framework"] = heatmap.framework.pk
    if heatmap.domain:
        query["domain"] = heatmap.domain.pk
    if heatmap.only_not_met:
        query["only_not_met"] = "on"
    return query.urlencode()


# --- Views -----------------------------------------------------------------------------


def heatmap(request):
    """PCN managers: where each of their care coordinators stands on each competency."""
    data = _heatmap(request, page_number=request.GET.get("page") or 1)
    page = data.page
    return render(request, "competencies/heatmap.html", {
        # Not "form": base.html would title the page "Error:" for a bad filter value.
        "filter_form": data.filter_form,
        "heatmap": data,
        "framework": data.framework,
        "competencies": data.competencies,
        "page": page,
        "filter_query": _filter_query(data),
        "has_frameworks": data.framework is not None,
        "crumbs": [("Home", reverse("home"))],
    })


def heatmap_csv(request):
    """The same heatmap (same filters, every page) as CSV, guarded against formulas."""
    data = _heatmap(request)
    header = ["Name", "Email", "PCN"] + [
        f"{c.title} ({c.code})" for c in data.competencies
    ]
    lines = [header]
    for row in data.rows:
        lines.append([
            row.person.full_name, row.person.email,
            row.person.pcn.name if row.person.pcn else "",
            *(cell.short_label for cell in row.cells),
        ])
    code = data.framework.code if data.framework else "none"
    return csv_response(lines, f"competency-heatmap-{code}-{data.as_of.isoformat()}.csv")
