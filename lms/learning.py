"""Domain rules for learning: PCI training status, induction plans and progress.

Plain functions over records and an explicit `as_of` date; no requests, no writes.
"""

import datetime
from dataclasses import dataclass, field

from content.models import Kind, LearningItemPage

from .models import (
    PCN,
    InductionPlanItem,
    InductionTemplate,
    LearningRecord,
    LearningStatus,
)

#: Learning items whose records evidence DES clause 1(a), PCI training.
PCI_KINDS = (Kind.PCI_COURSE, Kind.PCI_ELEARNING)


class PCIState:
    NONE = "none"
    ENROLLED = "enrolled"
    UNDERTAKING = "undertaking"
    QUALIFIED = "qualified"

    LABELS = {
        NONE: "No PCI training recorded",
        ENROLLED: "Enrolled",
        UNDERTAKING: "Undertaking",
        QUALIFIED: "Qualified",
    }


@dataclass
class PCITrainingStatus:
    """DES 1(a): enrolled in, undertaking or qualified from PCI training, with dates."""

    state: str = PCIState.NONE
    enrolled_on: datetime.date | None = None
    undertaking_since: datetime.date | None = None
    qualified_on: datetime.date | None = None
    provider: str = ""
    pci_assured: bool = False
    records: list = field(default_factory=list)

    @property
    def label(self):
        return PCIState.LABELS[self.state]

    @property
    def met(self):
        return self.state != PCIState.NONE


def _earliest(dates):
    dates = [d for d in dates if d]
    return min(dates) if dates else None


def pci_training_status(records, as_of: datetime.date) -> PCITrainingStatus:
    """Derive DES 1(a) from one person's records of PCI items (course and e-learning).

    Qualified: the accredited course completed. Undertaking: any PCI item started or
    completed. Enrolled: any PCI item enrolled. Records dated after `as_of` and imported
    records not yet verified do not count.
    """
    relevant = [
        r for r in records
        if r.item.kind in PCI_KINDS and r.counts and r.stage != LearningStatus.NOT_REQUIRED
    ]
    status = PCITrainingStatus(records=relevant)

    def on_or_before(day):
        return day if day and day <= as_of else None

    qualified = [
        r for r in relevant
        if r.item.kind == Kind.PCI_COURSE and r.stage == LearningStatus.COMPLETED
        and on_or_before(r.completed_on)
    ]
    started = [
        on_or_before(r.started_on) or on_or_before(r.completed_on)
        for r in relevant
        if r.stage in (LearningStatus.IN_PROGRESS, LearningStatus.COMPLETED)
    ]
    enrolled = [
        on_or_before(r.enrolled_on) or on_or_before(r.started_on) or on_or_before(r.completed_on)
        for r in relevant
    ]
    status.enrolled_on = _earliest(enrolled)
    status.undertaking_since = _earliest(started)
    if qualified:
        best = min(qualified, key=lambda r: r.completed_on)
        status.state = PCIState.QUALIFIED
        status.qualified_on = best.completed_on
        status.provider = best.provider or best.item.provider
        status.pci_assured = best.provider_pci_assured or best.item.pci_assured
    elif status.undertaking_since:
        status.state = PCIState.UNDERTAKING
    elif status.enrolled_on:
        status.state = PCIState.ENROLLED
    if status.state in (PCIState.UNDERTAKING, PCIState.ENROLLED):
        latest = max(relevant, key=lambda r: (r.started_on or r.enrolled_on or datetime.date.min))
        status.provider = latest.provider or latest.item.provider
        status.pci_assured = latest.provider_pci_assured or latest.item.pci_assured
    return status


def induction_template_entries(pcn: PCN | None) -> list[tuple[LearningItemPage, int]]:
    """(item, due week) pairs: the PCN's own template, or the curriculum's induction defaults."""
    template = (
        InductionTemplate.objects.filter(pcn=pcn).first() if pcn is not None else None
    )
    if template is not None:
        return [
            (entry.item, entry.due_week)
            for entry in template.items.select_related("item").filter(item__live=True)
        ]
    return [
        (item, item.induction_week)
        for item in LearningItemPage.objects.live().in_induction()
    ]


class TaskStatus:
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"
    OVERDUE = "Overdue"


@dataclass
class InductionTask:
    plan_item: InductionPlanItem
    record: LearningRecord | None
    status: str

    @property
    def item(self):
        return self.plan_item.item


@dataclass
class InductionProgress:
    tasks: list

    @property
    def total(self):
        return len(self.tasks)

    @property
    def completed(self):
        return sum(1 for t in self.tasks if t.status == TaskStatus.COMPLETED)

    @property
    def overdue(self):
        return [t for t in self.tasks if t.status == TaskStatus.OVERDUE]

    @property
    def percent(self):
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def is_complete(self):
        return bool(self.tasks) and self.completed == self.total

    def next_actions(self, limit=3):
        """The earliest-due tasks not yet completed, overdue first."""
        open_tasks = [t for t in self.tasks if t.status != TaskStatus.COMPLETED]
        return sorted(open_tasks, key=lambda t: t.plan_item.due_on)[:limit]


def induction_task_status(plan_item, record, as_of: datetime.date) -> str:
    """Completed, In progress, Overdue (due date passed) or Not started."""
    return task_status_due_on(plan_item.due_on, record, as_of)


def task_status_due_on(due_on: datetime.date, record, as_of: datetime.date) -> str:
    """`induction_task_status` from the plan item's due date alone (for wide tables)."""
    if record is not None and record.counts and record.stage in (
        LearningStatus.COMPLETED, LearningStatus.NOT_REQUIRED
    ):
        return TaskStatus.COMPLETED
    if due_on < as_of:
        return TaskStatus.OVERDUE
    if record is not None and record.stage in (LearningStatus.ENROLLED, LearningStatus.IN_PROGRESS):
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED


def induction_progress(plan_items, records, as_of: datetime.date) -> InductionProgress:
    """One person's induction tasks with their statuses, from their plan and their records."""
    by_item = {r.item_id: r for r in records}
    return InductionProgress(
        tasks=[
            InductionTask(
                plan_item=p,
                record=by_item.get(p.item_id),
                status=induction_task_status(p, by_item.get(p.item_id), as_of),
            )
            for p in plan_items
        ]
    )
