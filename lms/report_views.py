"""Reports and downloads: the training matrix, learning-record CSV/PDF, portable records.

Every view checks permission itself: the matrix and import are for PCN managers (403
otherwise); a person's record is reached only through `record_owners_visible_to`
(404 outside the scope).
"""

import csv
import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import get_valid_filename

from content.models import Kind, LearningItemPage

from . import portability
from .access import (
    get_visible_or_404,
    people_manageable_by,
    record_owners_visible_to,
    require,
    scope_for,
    today,
)
from .learning import TaskStatus, task_status_due_on
from .models import (
    STATUS_TAG_COLOURS,
    InductionPlanItem,
    LearningRecord,
    LearningStatus,
    Person,
    RoleAssignment,
    add_months,
)
from .report_cache import cached_cells

MATRIX_PEOPLE_PER_PAGE = 25
MATRIX_PERSON_FIELDS = ("given_name", "family_name", "pcn__name", "user__email")
# What a matrix cell reads from a learning record (status, expiry, verification).
MATRIX_RECORD_FIELDS = ("person_id", "item_id", "stage", "completed_on", "imported_from",
                        "verified_at")  # person, item, then RecordFacts' fields in order
REQUIRED = "required"
INDUCTION = "induction"
KIND_CHOICES = [
    (REQUIRED, "Required: statutory, mandatory and induction"),
    (INDUCTION, "Induction plan items"),
    *Kind.choices,
]
STATUS_CHOICES = [
    ("", "Everyone"),
    ("expired", "Expired"),
    ("expiring-30", "Expired or expiring within 30 days"),
    ("expiring-60", "Expired or expiring within 60 days"),
    ("expiring-90", "Expired or expiring within 90 days"),
    ("overdue", "Induction overdue"),
    ("gaps", "Not completed (anything missing)"),
]


# --- CSV -------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): prefix with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(rows, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # so Excel reads UTF-8 names correctly
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Training matrix: domain -----------------------------------------------------------


@dataclass
class Cell:
    """One person's standing on one item, in words (never colour alone)."""

    item: "MatrixItem | None"
    # The record the cell was classified from; rows drawn from cached values leave it None.
    record: "RecordFacts | None"
    key: str  # completed, expiring, expired, overdue, not_recorded, or a LearningStatus
    label: str
    colour: str
    expires_on: datetime.date | None = None
    due_on: datetime.date | None = None
    note: str = ""

    @property
    def done(self):
        return self.key in ("completed", "expiring", LearningStatus.NOT_REQUIRED)


@dataclass
class MatrixRow:
    person: Person
    cells: list = field(default_factory=list)


@dataclass(frozen=True)
class MatrixItem:
    """A column: what the matrix and its CSV read of a learning item, as plain values.

    A live Wagtail page instance costs far more to build than the matrix ever reads of it.
    """

    pk: int
    title: str
    code: str
    refresher_months: int | None

    refresher_display = property(LearningItemPage.refresher_display.fget)


@dataclass(frozen=True)
class RecordFacts:
    """What a matrix cell reads of a learning record (status, expiry, verification), as plain
    values: building ~1,100 LearningRecord instances per page cost more than the cells."""

    stage: str
    completed_on: datetime.date | None
    imported_from: str
    verified_at: datetime.datetime | None

    counts = property(LearningRecord.counts.fget)

    def expires_on(self, item) -> datetime.date | None:
        """As `LearningRecord.expires_on`, for this record of `item`."""
        months = item.refresher_months
        if self.stage != LearningStatus.COMPLETED or not self.completed_on or not months:
            return None
        return add_months(self.completed_on, months)


STAGE_LABELS = dict(LearningStatus.choices)


def matrix_cell(item, record, due_on, as_of) -> Cell:
    """Classify one (person, item): expired, expiring within 30 days, overdue, and so on.

    `record` is the person's `RecordFacts` for the item, or None; `due_on` is the person's
    induction plan date for the item, or None if not in the plan. The same words as
    `LearningRecord.status`, `status_label` and `status_colour` give.
    """
    overdue = due_on is not None and (
        task_status_due_on(due_on, record, as_of) == TaskStatus.OVERDUE
    )
    if record is None:
        if overdue:
            return Cell(item, None, "overdue", "Overdue", "red", due_on=due_on)
        return Cell(item, None, "not_recorded", "Not recorded", "white", due_on=due_on)
    expires_on = record.expires_on(item)
    if not record.counts:
        return Cell(item, record, "unverified", "Not verified", "yellow", expires_on,
                    due_on, "Imported: not verified")
    if expires_on is not None and expires_on <= as_of:
        return Cell(item, record, "expired", "Expired", "red", expires_on, due_on)
    status = record.stage
    if status == LearningStatus.COMPLETED:
        if expires_on and expires_on <= as_of + datetime.timedelta(days=30):
            return Cell(item, record, "expiring", "Expires soon", "orange", expires_on, due_on)
        return Cell(item, record, "completed", "Completed", "green", expires_on, due_on)
    if overdue:
        return Cell(item, record, "overdue", "Overdue", "red", expires_on, due_on,
                    STAGE_LABELS[status])
    return Cell(item, record, status, STAGE_LABELS[status], STATUS_TAG_COLOURS[status],
                expires_on, due_on)


def row_matches(row: MatrixRow, status_filter: str, as_of: datetime.date) -> bool:
    """Whether a person has any cell that the status filter asks about."""
    if not status_filter:
        return True
    if status_filter == "expired":
        return any(c.key == "expired" for c in row.cells)
    if status_filter.startswith("expiring-"):
        horizon = as_of + datetime.timedelta(days=int(status_filter.removeprefix("expiring-")))
        return any(
            c.key in ("expired", "expiring", "completed") and c.expires_on
            and c.expires_on <= horizon
            for c in row.cells
        )
    if status_filter == "overdue":
        return any(c.key == "overdue" for c in row.cells)
    if status_filter == "gaps":
        return any(not c.done for c in row.cells)
    return True


def matrix_items(kind: str) -> list[MatrixItem]:
    """The columns: required items (statutory/mandatory plus induction), or one kind."""
    items = LearningItemPage.objects.live()
    if kind == REQUIRED:
        items = items.filter(Q(kind=Kind.STATUTORY_MANDATORY) | Q(in_induction=True))
    elif kind == INDUCTION:
        items = items.filter(in_induction=True)
    else:
        items = items.filter(kind=kind)
    return [
        MatrixItem(*values) for values in items.order_by("kind", "path").values_list(
            "pk", "title", "code", "refresher_months")
    ]


def matrix_people(user, as_of):
    """Current care coordinators (who have not left) of the PCNs the user manages."""
    scope = scope_for(user, as_of)
    coordinator_ids = (
        RoleAssignment.objects.current(as_of).care_coordinators()
        .filter(pcn_id__in=scope.managed_pcn_ids).values("person_id")
    )
    return (
        people_manageable_by(user, as_of).active().filter(pk__in=coordinator_ids)
        .select_related("pcn", "user").order_by("family_name", "given_name", "pk")
        # What a row and the CSV show (name, email, PCN): not every column of three tables.
        .only(*MATRIX_PERSON_FIELDS)
    )


#: What a cell shows, in order: the plain values cached per person (`lms.report_cache`).
CELL_VALUES = ("key", "label", "colour", "expires_on", "due_on", "note")


def matrix_cell_values(person_ids, items, as_of) -> dict[int, tuple]:
    """{person id: one tuple of CELL_VALUES per item}: two queries, whatever their number."""
    item_ids = [item.pk for item in items]
    # Plain values, only what a cell reads, and no ordering: the default orders by the
    # item's page path, a join and a sort that a lookup table does not need.
    records = {
        (person_id, item_id): RecordFacts(*facts)
        for person_id, item_id, *facts in LearningRecord.objects.filter(
            person__in=person_ids, item_id__in=item_ids
        ).order_by().values_list(*MATRIX_RECORD_FIELDS)
    }
    plan = {
        (person_id, item_id): due_on
        for person_id, item_id, due_on in InductionPlanItem.objects.filter(
            person__in=person_ids, item_id__in=item_ids
        ).order_by().values_list("person_id", "item_id", "due_on")
    }
    values = {}
    for pk in person_ids:
        cells = [matrix_cell(item, records.get((pk, item.pk)), plan.get((pk, item.pk)), as_of)
                 for item in items]
        values[pk] = tuple((c.key, c.label, c.colour, c.expires_on, c.due_on, c.note)
                           for c in cells)
    return values


def training_matrix(people, items, as_of, status_filter="", cell_values=None
                    ) -> list[MatrixRow]:
    """Rows of cells for these people and items, those the status filter asks about.

    `cell_values` ({person id: tuple per item}, as `matrix_cell_values` gives or the cache
    holds) are built here when not given: two queries, whatever the number of people.
    """
    people = list(people)
    items = list(items)
    if cell_values is None:
        cell_values = matrix_cell_values([p.pk for p in people], items, as_of)
    rows = []
    for person in people:
        row = MatrixRow(person, [
            Cell(item, None, *values) for item, values in zip(items, cell_values[person.pk],
                                                              strict=True)
        ])
        if row_matches(row, status_filter, as_of):
            rows.append(row)
    return rows


def cached_matrix_cell_values(user, people, items, kind, as_of) -> dict[int, tuple]:
    """`matrix_cell_values` for everyone the user may see in the matrix, cached by the data
    versions of their PCNs (`lms.report_cache`): one entry serves every page, every status
    filter and the CSV."""
    person_ids = [p.pk for p in people]
    if not person_ids:
        return {}
    pcn_ids = set(scope_for(user, as_of).managed_pcn_ids)
    pcn_ids.update(p.pcn_id for p in people if p.pcn_id)
    return cached_cells(
        "training-matrix", builder=__name__, pcn_ids=pcn_ids, as_of=as_of,
        columns=(kind, tuple(item.pk for item in items)), person_ids=person_ids,
        build=lambda ids: matrix_cell_values(ids, items, as_of),
    )


class MatrixFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Learning", choices=KIND_CHOICES, required=False)
    status = forms.ChoiceField(label="Show people with", choices=STATUS_CHOICES, required=False)

    def values(self):
        if self.is_valid():
            return self.cleaned_data["kind"] or REQUIRED, self.cleaned_data["status"]
        return REQUIRED, ""


def _matrix_filters(request):
    require(scope_for(request.user).is_pcn_manager)
    as_of = today()
    form = MatrixFilterForm(request.GET or None)
    kind, status = form.values()
    items = matrix_items(kind)
    return as_of, form, kind, status, items, list(matrix_people(request.user, as_of))


def _matrix(request):
    """The filters and every matching row (the CSV has every page)."""
    as_of, form, kind, status, items, people = _matrix_filters(request)
    cell_values = cached_matrix_cell_values(request.user, people, items, kind, as_of)
    return as_of, form, kind, status, items, training_matrix(people, items, as_of, status,
                                                             cell_values)


def matrix_page(people, items, as_of, status_filter, page_number, cell_values=None):
    """One page of rows: cells are drawn for that page's people only, unless a status filter
    must first look at everyone's cells to know who matches."""
    if status_filter:
        rows = training_matrix(people, items, as_of, status_filter, cell_values)
        return Paginator(rows, MATRIX_PEOPLE_PER_PAGE).get_page(page_number)
    page = Paginator(people, MATRIX_PEOPLE_PER_PAGE).get_page(page_number)
    page.object_list = training_matrix(page.object_list, items, as_of, cell_values=cell_values)
    return page


# --- Training matrix: views ------------------------------------------------------------


def training_matrix_view(request):
    """PCN managers: their care coordinators × required learning, with status words."""
    as_of, form, kind, status, items, people = _matrix_filters(request)
    cell_values = cached_matrix_cell_values(request.user, people, items, kind, as_of)
    page = matrix_page(people, items, as_of, status, request.GET.get("page"), cell_values)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "lms/reports/training_matrix.html", {
        # Not "form": base.html would title a bad filter value "Error:" with no summary.
        "filter_form": form,
        "items": items,
        "page": page,
        "as_of": as_of,
        "kind_label": dict(KIND_CHOICES)[kind],
        "status": status,
        "filter_query": query.urlencode(),
        "crumbs": [("Home", reverse("home"))],
    })


def training_matrix_csv(request):
    """The same matrix (same filters, every page) as CSV."""
    as_of, _form, _kind, _status, items, rows = _matrix(request)
    header = ["Name", "Email", "PCN"]
    for item in items:
        header += [f"{item.title} ({item.code}): status", f"{item.title} ({item.code}): expires on"]
    lines = [header]
    for row in rows:
        line = [row.person.full_name, row.person.email, row.person.pcn.name]
        for cell in row.cells:
            label = cell.label
            if cell.key == "overdue" and cell.due_on:
                label += f" (due {cell.due_on.isoformat()})"
            if cell.note:
                label += f" ({cell.note})"
            line += [label, cell.expires_on.isoformat() if cell.expires_on else ""]
        lines.append(line)
    return csv_response(lines, f"training-matrix-{as_of.isoformat()}.csv")


# --- A person's learning record: CSV and PDF -------------------------------------------


def _own_person(request):
    scope = scope_for(request.user)
    require(scope.person_id is not None)
    return Person.objects.select_related("pcn", "user").get(pk=scope.person_id)


def _person_in_scope(request, person_id):
    return get_visible_or_404(
        record_owners_visible_to(request.user).select_related("pcn", "user"), pk=person_id
    )


def _file_stem(person, as_of):
    return get_valid_filename(
        f"learning-record-{person.given_name}-{person.family_name}-{as_of.isoformat()}"
    )


def _record_csv(person):
    as_of = today()
    summary = portability.learning_record_summary(person, as_of)
    return csv_response(portability.summary_csv_rows(summary), _file_stem(person, as_of) + ".csv")


def _record_pdf(person):
    as_of = today()
    summary = portability.learning_record_summary(person, as_of)
    return attachment(portability.summary_pdf(summary), "application/pdf",
                      _file_stem(person, as_of) + ".pdf")


def my_record_csv(request):
    """The signed-in person's own learning record as CSV."""
    return _record_csv(_own_person(request))


def my_record_pdf(request):
    """The signed-in person's own learning record as PDF."""
    return _record_pdf(_own_person(request))


def person_record_csv(request, person_id):
    """A supervisee's or PCN member's learning record as CSV (404 outside the scope)."""
    return _record_csv(_person_in_scope(request, person_id))


def person_record_pdf(request, person_id):
    return _record_pdf(_person_in_scope(request, person_id))


# --- Portable record -------------------------------------------------------------------


def portable_export(request, person_id=None):
    """A zip of the record to take to another PCN: the person, or their PCN manager."""
    if person_id is None:
        person = _own_person(request)
    else:
        person = get_visible_or_404(
            people_manageable_by(request.user).select_related("pcn", "user"), pk=person_id
        )
    as_of = today()
    content = portability.portable_record_export(actor=request.user, person=person, as_of=as_of)
    return attachment(content, "application/zip", portability.export_file_name(person, as_of))


class PortableImportForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Whose record is this?",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        help_text="Someone in your PCN who has not left.",
        error_messages={"required": "Choose the person whose record this is"},
    )
    file = forms.FileField(
        label="Learning record file",
        help_text="The .zip file exported from Coordinate by their previous PCN.",
        error_messages={"required": "Select the learning record file"},
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


def _import_message(person, result) -> str:
    parts = [
        f"{len(result.created)} record{'s' if len(result.created) != 1 else ''} "
        f"({result.certificates} certificate{'s' if result.certificates != 1 else ''}) "
        f"imported for {person.full_name} from {result.source}. They count once a supervisor "
        "or PCN manager verifies them."
    ]
    if result.skipped_existing:
        parts.append(
            "Skipped because a record already exists: "
            + ", ".join(title for _code, title in result.skipped_existing) + "."
        )
    if result.skipped_unknown:
        parts.append(
            "Skipped because this curriculum has no such item: "
            + ", ".join(f"{title} ({code})" for code, title in result.skipped_unknown)
            + ". Add these by hand if they still matter."
        )
    return " ".join(parts)


def portable_import(request):
    """PCN managers: import a new starter's portable record into their PCN."""
    require(scope_for(request.user).is_pcn_manager)
    people = people_manageable_by(request.user).active().select_related("user")
    posted = request.method == "POST"
    form = PortableImportForm(request.POST if posted else None,
                              request.FILES if posted else None, people=people)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            result = portability.portable_record_import(
                actor=request.user, person=person, upload=form.cleaned_data["file"],
                as_of=today(),
            )
        except portability.PortableRecordError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _import_message(person, result))
            return redirect("people:detail", pk=person.pk)
    return render(request, "lms/reports/portable_import.html", {
        "form": form,
        "crumbs": [("Home", reverse("home")), ("People", reverse("people:list"))],
    })
