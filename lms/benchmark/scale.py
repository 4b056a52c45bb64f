"""A realistic, deterministic national dataset for the benchmark (`manage.py seed_scale`).

By default 42 ICBs, 1,250 PCNs and 10,000 care coordinators with the people around them,
and per coordinator about 60 learning records, 40 competencies worked through (self-
assessment, evidence, sign-off requests and sign-offs), 50 supervision sessions, 30
reflections and 25 peer-network or MDT attendances, plus induction plans and each PCN's
DES 4 and 7 registers: about six million rows.

Shape (what the benchmark needs, for the default and `--small` alike): the ICB with the most
care coordinators (the first by ODS code) has about 30 PCNs and 1,000 coordinators, and
among them one PCN with exactly 30 current coordinators and one with exactly 1.
`benchmark_subjects()` finds them, and the people to sign in as, by query.

Deterministic: every random choice comes from `random.Random` seeded with the run's seed and
the PCN's ODS code, every date from the anchor date (`--as-of`, default 1 November 2026),
and ids are allocated in order from the tables' largest ids (scale_sink.py). The same seed
and options on the same database give the same rows. The clock and uuid4 are never read.

Invariants kept, as the services keep them:
- People: one user each, unique email, an unusable password ("!" and a seeded string, as
  set_unusable_password makes, without hashing 15,000 passwords). Every coordinator has a
  care coordinator role in their PCN and a named clinical supervisor (a GP of the PCN, one
  per ~4 coordinators), line manager (the PCN manager or a team lead), first point of
  contact (a practice manager) and safeguarding GP (the PCN's safeguarding lead), each
  assignment naming the coordinator, in the coordinator's PCN, from their start date.
  One PCN manager per PCN, one ICB viewer per ICB.
- Learning records: one per person and item, dates in order and never after the anchor
  date, provider copied from the item, CPD hours and hours out of practice on completions,
  verification by the clinical supervisor after the last change, imported records that
  count only once verified. Refresher items are renewed before each expiry, and a few
  renewals are missed, so some records have expired by the anchor date.
- Induction plans: every coordinator's plan from the curriculum's induction defaults and
  their start date, as role_assign makes it; tasks due are done (a few late; recent starters
  have a few overdue), later ones planned, started or done early.
- Network sessions (supervision/network_services.py): facilitated by someone of the
  organising PCN; invitees are its coordinators in post by then (an ICB-wide webinar's are
  the block's coordinators, all of one ICB); the register is taken after the session; each
  attendee is credited the session's length (to 0.1 h), and the learning record of the item
  the kind counts towards holds the credited hours added up, a line per attendance in its
  notes, completed on the day of the latest session, created by the facilitator.
- Supervision sessions: recorded by one party, confirmed later by the other (recent ones
  may still be waiting), the supervisor of the right type as the only supervisor; a
  confirmed session naming competencies is evidence for each (supervision_session_confirm);
  actions owned by a party, due after the session, done before the anchor date or open.
- Reflections: a complete one naming competencies is evidence for each; shares only with
  current supporters; comments only from the author and people it is shared with.
- Competencies: self-assessments; evidence links (learning records, observation notes,
  confirmed sessions, complete reflections) with the snapshot the services take; sign-off
  requests to the coordinator's clinical supervisor or line manager with the evidence
  current when asked; sign-offs with the rater key, assessor details and the request's
  snapshot; a rater's later sign-off supersedes their earlier one. Recent requests and a
  few older ones are pending, so supervisors' queues are not empty; a few are returned with
  feedback and asked again.
- Registers: partners with yearly safeguarding checks (review due 12 months after each),
  a few overdue, never checked or archived; directory entries listing most coordinators
  from a few weeks after they started; practice awareness records naming the coordinators
  in post when each practice was told (coordinators who joined since are not yet told).

Simplifications (the data stays valid; the services would need per-row calls to mirror):
- No audit entries: this is bulk-generated data, not anybody's action.
- Nobody has left and no support role has changed hands: every assignment runs from the
  coordinator's start date with no end.
- No uploaded files (certificates, evidence files, directory photos, partner policies): they
  would need the file storage.
- Induction plans use today's curriculum defaults, whenever the coordinator started (Care
  Certificate 2025 standards even for someone who started in 2022), and no PCN has its
  own induction template.
- No development goals, safeguarding discussions, addenda, evidence packs, invitations or
  reminders; network sessions credit the item of their kind (none names its own item).
- Invitations, replies and registers are written as they end up, not step by step.
"""

import datetime
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from competencies.models import Competency, FrameworkStatus, SignOffRequest
from content.models import Kind, LearningItemPage
from lms.models import ICB, PCN, LearningRecord, Person, Practice, Role, RoleAssignment
from supervision.models import Reflection, SupervisionSession
from supervision.network_services import KIND_ITEM_CODES

from . import scale_records as records
from . import scale_text as text
from .scale_sink import RowSink

AS_OF = datetime.date(2026, 11, 1)
#: The benchmark's big ICB, and the two PCNs whose pages must cost the same.
BIG_ICB_PCNS = 30
BIG_ICB_COORDINATORS = 1000
SUBJECT_SIZES = (30, 1)
#: Coordinators reserved per PCN outside the big ICB before the big ICB takes its share.
OTHER_PCN_RESERVE = 3
#: A block (one transaction) holds PCNs of one ICB up to about this many coordinators.
BLOCK_COORDINATORS = 120
#: The curriculum's responsibilities framework: on every coordinator's list.
REQUIRED_FRAMEWORK = "des-care-coordinator-2024-25"
PROGRESS_SECONDS = 5.0


class ScaleError(Exception):
    """The dataset cannot be generated with these options or into this database."""


@dataclass(frozen=True)
class ScaleOptions:
    icbs: int = 42
    pcns: int = 1250
    coordinators: int = 10_000
    seed: int = 2026
    as_of: datetime.date = AS_OF


#: `--small`: two ICBs, six PCNs (the 30- and 1-coordinator PCNs among them), 45 coordinators.
SMALL = {"icbs": 2, "pcns": 6, "coordinators": 45}


# --- the national shape ------------------------------------------------------------------------


@dataclass(frozen=True)
class PCNShape:
    ods_code: str
    name: str
    coordinators: int
    practices: int


@dataclass(frozen=True)
class ICBShape:
    ods_code: str
    name: str
    pcns: tuple


def _split(total: int, parts: int, rng, minimum: int, avoid=()) -> list[int]:
    """`total` split into `parts` sizes of at least `minimum`, uneven, none in `avoid`."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    spare = total - parts * minimum
    shares = [spare * w / sum(weights) for w in weights]
    sizes = [minimum + int(share) for share in shares]
    by_remainder = sorted(range(parts), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    for i in range(parts):
        while sizes[i] in avoid:
            donor = next((j for j in range(parts) if j != i and sizes[j] - 1 >= minimum
                          and sizes[j] - 1 not in avoid), None)
            if donor is None:
                raise ScaleError(f"Cannot split {total} into {parts} avoiding {sorted(avoid)}.")
            sizes[donor] -= 1
            sizes[i] += 1
    return sizes


def _icb_names(count: int, rng) -> list[str]:
    pairs = [(a, b) for a in text.ICB_PLACES for b in text.ICB_PLACES_SECOND]
    rng.shuffle(pairs)
    names = [f"NHS {a} and {b} Integrated Care Board" for a, b in pairs[:count]]
    names += [f"NHS Region {n} Integrated Care Board" for n in range(len(names) + 1, count + 1)]
    return names


def _pcn_names(count: int, rng) -> list[str]:
    pairs = [(town, suffix) for town in text.TOWNS for suffix in text.PCN_SUFFIXES]
    rng.shuffle(pairs)
    names = [f"{town} {suffix} PCN" for town, suffix in pairs[:count]]
    names += [f"Network {n} PCN" for n in range(len(names) + 1, count + 1)]
    return names


def _icb_code(index: int) -> str:
    """Q, a letter and a digit, in index order: QA0, QA1 ... QA9, QB0 ..."""
    return f"Q{'ABCDEFGHJKLMNPSTUVWXYZ'[index // 10]}{index % 10}"


def national_shape(options: ScaleOptions) -> list[ICBShape]:
    """ICBs with their PCNs and coordinator counts; the first ICB is the benchmark's big one."""
    icbs, pcns, coordinators = options.icbs, options.pcns, options.coordinators
    if not 2 <= icbs <= 220:
        raise ScaleError("Choose from 2 to 220 ICBs.")
    if pcns < icbs + 1 or pcns > 60_000:
        raise ScaleError("Choose at least one more PCN than ICBs (the big ICB needs two), "
                         "and at most 60,000.")
    rng = random.Random(f"{options.seed}/shape")
    big_pcns = min(BIG_ICB_PCNS, pcns - (icbs - 1), max(2, pcns // 2))
    other_pcns = pcns - big_pcns
    big_coordinators = min(BIG_ICB_COORDINATORS, coordinators - other_pcns * OTHER_PCN_RESERVE)
    least = sum(SUBJECT_SIZES) + 2 * (big_pcns - 2)
    if big_coordinators < least:
        raise ScaleError(
            f"{coordinators:,} coordinators are too few for {pcns:,} PCNs: the big ICB needs "
            f"{least} and every other PCN {OTHER_PCN_RESERVE}."
        )
    big_sizes = list(SUBJECT_SIZES) + _split(big_coordinators - sum(SUBJECT_SIZES),
                                             big_pcns - 2, rng, 2, avoid=SUBJECT_SIZES)
    rng.shuffle(big_sizes)
    icb_pcn_counts = [big_pcns] + _split(other_pcns, icbs - 1, rng, 1)
    other_sizes = _split(coordinators - big_coordinators, other_pcns, rng, 1)
    sizes = iter(big_sizes + other_sizes)
    icb_names, pcn_names = _icb_names(icbs, rng), _pcn_names(pcns, rng)
    shape, number = [], 0
    for index, count in enumerate(icb_pcn_counts):
        pcn_shapes = []
        for _ in range(count):
            pcn_shapes.append(PCNShape(f"U{10000 + number}", pcn_names[number], next(sizes),
                                       rng.randint(3, 8)))
            number += 1
        shape.append(ICBShape(_icb_code(index), icb_names[index], tuple(pcn_shapes)))
    return shape


def blocks(icb: ICBShape) -> list[list[PCNShape]]:
    """The ICB's PCNs in runs of about BLOCK_COORDINATORS coordinators (never across ICBs)."""
    result, current, size = [], [], 0
    for pcn in icb.pcns:
        if current and size + pcn.coordinators > BLOCK_COORDINATORS:
            result.append(current)
            current, size = [], 0
        current.append(pcn)
        size += pcn.coordinators
    if current:
        result.append(current)
    return result


# --- what the dataset reads from the database ---------------------------------------------------


def prerequisites_ensure(stdout=None) -> None:
    """The curriculum and the competency frameworks, seeded if their tables are empty."""
    if not LearningItemPage.objects.exists():
        call_command("seed_curriculum", stdout=stdout)
    if not Competency.objects.exists():
        call_command("seed_frameworks", stdout=stdout)


def catalogue_load() -> records.Catalogue:
    """Live learning items and the competencies of the frameworks in use, in a fixed order."""
    items = [
        records.Item(i.pk, i.code, i.title, i.kind, i.refresher_months,
                     i.induction_week if i.in_induction else None, i.estimated_hours,
                     i.provider, i.pci_assured)
        for i in LearningItemPage.objects.live().order_by("path")
    ]
    if not items:
        raise ScaleError("The curriculum is empty: run seed_curriculum first.")
    by_code = {item.code: item for item in items}
    credit_items = {kind: by_code[code] for kind, code in KIND_ITEM_CODES.items()
                    if code in by_code}
    credit_ids = {item.id for item in credit_items.values()}
    induction = sorted((i for i in items if i.induction_week), key=lambda i: i.induction_week)
    others = [i for i in items if not i.induction_week and i.id not in credit_ids
              # Care Certificate standards outside induction are the retired version's.
              and i.kind != Kind.CARE_CERTIFICATE]
    linked = defaultdict(set)
    for competency_id, item_id in Competency.learning_items.through.objects.values_list(
        "competency_id", "learningitempage_id"
    ):
        linked[competency_id].add(item_id)
    competencies = [
        records.Competency(c.pk, c.framework.code, c.target_level, len(c.framework.scale),
                           c.framework.evidence_kinds_required, frozenset(linked[c.pk]))
        for c in Competency.objects.filter(framework__status=FrameworkStatus.ACTIVE)
        .select_related("framework").order_by("framework__code", "domain__sort_order",
                                              "sort_order", "pk")
    ]
    if not competencies:
        raise ScaleError("There are no competency frameworks in use: run seed_frameworks.")
    return records.Catalogue(
        induction=induction,
        others=others,
        credit_items=credit_items,
        required_competencies=[c for c in competencies if c.framework == REQUIRED_FRAMEWORK],
        other_competencies=[c for c in competencies if c.framework != REQUIRED_FRAMEWORK],
        content_types={model: ContentType.objects.get_for_model(model).pk
                       for model in (LearningRecord, Reflection, SupervisionSession)},
    )


def already_seeded(shape: list[ICBShape]) -> bool:
    """Scale data is here: generated people, or the ICB codes this run would use."""
    return (
        Person.objects.filter(user__email__endswith=f"@{records.EMAIL_DOMAIN}").exists()
        or ICB.objects.filter(ods_code__in=[icb.ods_code for icb in shape]).exists()
    )


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Progress:
    """Rows so far, rows per second and time taken, every few seconds."""

    write: object
    coordinators: int
    started: float = 0.0
    last: float = 0.0
    done: int = 0
    shown: int = -1
    writing: float = 0.0  # seconds spent writing rows (the rest is generating them)

    def __post_init__(self):
        self.started = self.last = time.monotonic()

    def tick(self, rows: int, coordinators: int, *, force=False) -> None:
        self.done += coordinators
        now = time.monotonic()
        if (force and self.shown != self.done) or now - self.last >= PROGRESS_SECONDS:
            self.last, self.shown = now, self.done
            elapsed = now - self.started
            self.write(
                f"{self.done:>7,}/{self.coordinators:,} coordinators  {rows:>11,} rows  "
                f"{rows / max(elapsed, 0.001):>9,.0f} rows/s  {elapsed:>7.1f} s "
                f"({self.writing:.0f} s writing)"
            )


@dataclass(frozen=True)
class ScaleReport:
    rows: int
    seconds: float
    coordinators: int
    writing_seconds: float = 0.0
    digest: str = ""  # with `digest=True`: a hash of every row, in order
    start_ids: dict = field(default_factory=dict)  # {model label: first id generated}

    @property
    def rows_per_second(self) -> float:
        return self.rows / max(self.seconds, 0.001)


def organisations_add(g: records.Generation, shape: list[ICBShape]) -> dict:
    """ICBs, PCNs and their practices, and each ICB's viewer; {PCN ODS code: PCNRef}."""
    rng = g.rng("organisations")
    refs, practice_number = {}, 0
    for icb in shape:
        icb_id = g.sink.add(ICB, ods_code=icb.ods_code, name=icb.name)
        records.icb_viewer_add(g, icb_id, icb.ods_code)
        for pcn in icb.pcns:
            pcn_id = g.sink.add(PCN, ods_code=pcn.ods_code, name=pcn.name, icb_id=icb_id)
            ids, names = [], []
            for _ in range(pcn.practices):
                name = f"{rng.choice(text.STREETS)} {rng.choice(text.PRACTICE_KINDS)}"
                letter = "BCDEFGHJKLMNPRSTVW"[practice_number // 100_000]
                ids.append(g.sink.add(Practice, ods_code=f"{letter}{practice_number % 100_000:05d}",
                                      name=name, pcn_id=pcn_id))
                names.append(name)
                practice_number += 1
            refs[pcn.ods_code] = records.PCNRef(pcn_id, pcn.ods_code, pcn.name, icb_id,
                                                tuple(ids), tuple(names))
    return refs


def _generate(g: records.Generation, shape: list[ICBShape], progress: Progress) -> None:
    """Organisations first, then each block of PCNs: generated, then written in one
    transaction, so memory holds one block at a time."""
    with transaction.atomic():
        refs = organisations_add(g, shape)
        g.sink.write()
    for icb in shape:
        for block in blocks(icb):
            done = records.block_add(g, [(refs[p.ods_code], p.coordinators) for p in block])
            started = time.monotonic()
            with transaction.atomic():
                g.sink.write()
            progress.writing += time.monotonic() - started
            progress.tick(g.sink.rows_written, done)


def seed_scale(options: ScaleOptions, *, write=print, digest: bool = False) -> ScaleReport:
    """Generate the dataset in blocks of PCNs, one transaction each, printing progress.

    Refuses (ScaleError) if scale data is already in the database: start again from a fresh
    database. Needs the curriculum and frameworks (`prerequisites_ensure`).
    """
    shape = national_shape(options)
    if already_seeded(shape):
        raise ScaleError(
            "Scale data is already in this database, and seed_scale runs only once. To start "
            "again, use a fresh database (dropdb and createdb, then migrate)."
        )
    g = records.Generation(RowSink(digest=digest), catalogue_load(), options.as_of,
                           options.seed)
    total = sum(pcn.coordinators for icb in shape for pcn in icb.pcns)
    progress = Progress(write, total)
    try:
        _generate(g, shape, progress)
    finally:
        g.sink.reset_sequences()
    progress.tick(g.sink.rows_written, 0, force=True)
    g.sink.analyze()
    return ScaleReport(g.sink.rows_written, time.monotonic() - progress.started, total,
                       progress.writing, g.sink.digest,
                       {model._meta.label: pk for model, pk in g.sink.start_ids.items()})


def plan_digest(options: ScaleOptions, start_ids: dict) -> str:
    """The digest `seed_scale(options, digest=True)` reported, recomputed without writing
    anything, from the same first ids ({model label: id}, as in its report)."""
    sink = RowSink(dry_run=True, start_ids={apps.get_model(label): pk
                                            for label, pk in start_ids.items()})
    g = records.Generation(sink, catalogue_load(), options.as_of, options.seed)
    shape = national_shape(options)
    _generate(g, shape, Progress(lambda message: None, 0))
    return sink.digest


# --- what the benchmark measures ---------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkSubjects:
    """The big ICB, the 30- and 1-coordinator PCNs in it, and people to sign in as."""

    icb: ICB
    pcn_30: PCN
    pcn_1: PCN
    coordinator: Person  # the longest-serving coordinator of pcn_30: the fullest record
    supervisor: Person  # in pcn_30, the one with the most pending sign-off requests
    pcn_manager: Person  # pcn_30's manager
    pcn_1_manager: Person
    icb_viewer: Person  # the big ICB's viewer


def benchmark_subjects(as_of: datetime.date = AS_OF) -> BenchmarkSubjects:
    """Find the benchmark's subjects by query, whatever their generated names.

    The big ICB is the one with the most current care coordinators (ties: lowest ODS code);
    in it, the PCNs with exactly 30 and exactly 1 current coordinators (lowest ODS code).
    """
    current = RoleAssignment.objects.current(as_of)
    per_pcn = dict(
        current.care_coordinators().filter(person__left_on__isnull=True)
        .values_list("pcn_id").annotate(n=Count("person_id", distinct=True))
    )
    pcns = {pcn.pk: pcn for pcn in PCN.objects.filter(pk__in=per_pcn).select_related("icb")}
    per_icb = defaultdict(int)
    for pcn_id, n in per_pcn.items():
        per_icb[pcns[pcn_id].icb] += n
    if not per_icb:
        raise LookupError("No care coordinators: run seed_scale first.")
    icb = min(per_icb, key=lambda i: (-per_icb[i], i.ods_code))
    in_icb = sorted((p for p in pcns.values() if p.icb_id == icb.pk), key=lambda p: p.ods_code)

    def pcn_with(size):
        for pcn in in_icb:
            if per_pcn[pcn.pk] == size:
                return pcn
        raise LookupError(f"No PCN with exactly {size} coordinators in {icb}: run seed_scale.")

    pcn_30, pcn_1 = pcn_with(30), pcn_with(1)

    def holder(**where):
        assignment = current.filter(**where).select_related("person__user").order_by(
            "starts_on", "pk").first()
        if assignment is None:
            raise LookupError(f"Nobody holds {where}.")
        return assignment.person

    busiest = (
        SignOffRequest.objects.pending().filter(reviewer__pcn=pcn_30)
        .values("reviewer_id").annotate(n=Count("pk")).order_by("-n", "reviewer_id").first()
    )
    supervisor = (
        Person.objects.select_related("user").get(pk=busiest["reviewer_id"]) if busiest
        else holder(role=Role.CLINICAL_SUPERVISOR, pcn=pcn_30)
    )
    return BenchmarkSubjects(
        icb=icb, pcn_30=pcn_30, pcn_1=pcn_1,
        coordinator=holder(role=Role.CARE_COORDINATOR, pcn=pcn_30),
        supervisor=supervisor,
        pcn_manager=holder(role=Role.PCN_MANAGER, pcn=pcn_30),
        pcn_1_manager=holder(role=Role.PCN_MANAGER, pcn=pcn_1),
        icb_viewer=holder(role=Role.ICB_VIEWER, icb=icb),
    )


def shape_summary(shape: list[ICBShape]) -> str:
    pcns = sum(len(icb.pcns) for icb in shape)
    coordinators = sum(p.coordinators for icb in shape for p in icb.pcns)
    big = shape[0]
    return (f"{len(shape)} ICBs, {pcns:,} PCNs, {coordinators:,} care coordinators; "
            f"{big.ods_code} has {len(big.pcns)} PCNs and "
            f"{sum(p.coordinators for p in big.pcns):,} coordinators "
            f"(average {math.floor(coordinators / pcns)} per PCN)")
