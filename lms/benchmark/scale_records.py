"""The rows of one block of PCNs: people and roles, peer-network sessions, learning records,
induction plans, supervision, reflections, competencies and the DES 4/7 registers.

Called by `scale.py`, which documents the invariants kept and the simplifications made.
Every function takes the `Generation` (the row sink, the curriculum and competency
catalogue, the anchor date) and a `random.Random` seeded from the run's seed and the PCN's
ODS code (and the coordinator's number in it), so a PCN's choices do not depend on the PCNs
generated before it; only the ICB-wide webinars are organised per block.
"""

import datetime
import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import count
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model

from competencies.models import (
    EvidenceKind,
    EvidenceLink,
    RequestStatus,
    SelfAssessment,
    SignOff,
    SignOffRequest,
)
from lms.compliance.models import (
    AwarenessMethod,
    DirectoryEntry,
    PartnerOrganisation,
    PracticeAwareness,
    SafeguardingCheck,
)
from lms.models import (
    FundingRoute,
    InductionPlanItem,
    LearningRecord,
    LearningStatus,
    Person,
    Role,
    RoleAssignment,
    add_months,
)
from supervision.models import (
    RSVP,
    Attendance,
    Audience,
    CadenceSetting,
    Mode,
    NetworkSession,
    NetworkSessionKind,
    Reflection,
    ReflectionComment,
    ReflectionModel,
    ReflectionShare,
    ReflectionStatus,
    SessionInvitation,
    SessionType,
    SupervisionAction,
    SupervisionSession,
)

from . import scale_text as text

TZ = ZoneInfo(settings.TIME_ZONE)
EMAIL_DOMAIN = "scale.example"
ONE_DAY = datetime.timedelta(days=1)

#: A care coordinator has been in post between these many days (stratified per PCN, so the
#: mean is close to the middle whatever the PCN's size).
TENURE_DAYS = (21, 5 * 365)
MEAN_TENURE_DAYS = sum(TENURE_DAYS) / 2
LEARNING_RECORDS = 60
COMPETENCIES = 40
REFLECTIONS = 30
#: Days between supervision sessions of each type, give or take the jitter (issue 6: clinical
#: monthly, line management every six weeks): about 20 a year, 50 over the mean tenure.
SUPERVISION = (
    (SessionType.CLINICAL, 29, 3, (45, 60, 60, 90)),
    (SessionType.LINE_MANAGEMENT, 41, 4, (30, 30, 45)),
)
#: Days within which the DES responsibilities are worked through; the rest take two years.
REQUIRED_COMPETENCIES_DAYS = 270
OTHER_COMPETENCIES_DAYS = 730
#: (kind, days between sessions, chance an invitee attends, minutes): about ten attended a
#: year, 25 over the mean tenure. Webinars are ICB-wide, organised once per block.
PCN_CALENDAR = (
    (NetworkSessionKind.JOINT_CASELOAD, 84, 0.75, 60),
    (NetworkSessionKind.MDT, 91, 0.7, 90),
    (NetworkSessionKind.PEER_NETWORK, 122, 0.75, 90),
    (NetworkSessionKind.ACTION_LEARNING, 365, 0.7, 90),
    (NetworkSessionKind.REFRESHER, 365, 0.5, 90),
)
WEBINARS = (NetworkSessionKind.WEBINAR, 122, 0.3, 60)
NETWORK_HISTORY_DAYS = TENURE_DAYS[1] + 30
NETWORK_UPCOMING_DAYS = 45
SESSION_TIMES = (datetime.time(9, 30), datetime.time(10, 0), datetime.time(12, 30),
                 datetime.time(13, 0), datetime.time(14, 0))
TENTH = Decimal("0.1")
CPD_HOURS = tuple(Decimal(h) for h in ("0.5", "1.0", "1.5", "2.0", "3.0", "4.0", "7.5"))
COURSE_KINDS = {"pci_course", "pci_elearning", "elfh_course", "universal_model",
                "cohort_specific", "pci_curriculum_area"}


# --- the run's context --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """The parts of a learning item the generator reads."""

    id: int
    code: str
    title: str
    kind: str
    refresher_months: int | None
    induction_week: int | None
    estimated_hours: Decimal | None
    provider: str
    pci_assured: bool


@dataclass(frozen=True)
class Competency:
    """The parts of a competency the generator reads."""

    id: int
    framework: str
    target_level: int
    levels: int
    evidence_kinds: int
    item_ids: frozenset


@dataclass
class Catalogue:
    """The curriculum and the competencies of the frameworks in use, loaded once."""

    induction: list  # Items in a new coordinator's induction plan, by due week
    others: list  # other Items a coordinator may record
    credit_items: dict  # {network session kind: Item attendance is credited to}
    required_competencies: list  # the DES responsibilities, on every coordinator's list
    other_competencies: list
    content_types: dict  # {model: ContentType id}


@dataclass
class Generation:
    """What every step needs: where rows go, the catalogue, the anchor date and the seed."""

    sink: object
    catalogue: Catalogue
    as_of: datetime.date
    seed: int
    serial: count = field(default_factory=lambda: count(1))

    @property
    def end_of_day(self) -> datetime.datetime:
        """The latest moment a generated row may carry: 18:00 on the anchor date."""
        return datetime.datetime.combine(self.as_of, datetime.time(18, 0), tzinfo=TZ)

    def day(self, day: datetime.date) -> datetime.date:
        """`day`, but never after the anchor date."""
        return min(day, self.as_of)

    def moment(self, day: datetime.date, rng: random.Random) -> datetime.datetime:
        """A working-hours moment on `day` (never after the anchor date)."""
        day = min(day, self.as_of)
        return datetime.datetime(day.year, day.month, day.day, between(rng, 8, 17),
                                 between(rng, 0, 59), tzinfo=TZ)

    def later(self, moment: datetime.datetime, rng, low_hours: int, high_hours: int):
        """A moment some hours after `moment`, or None if it would pass the anchor date."""
        result = moment + datetime.timedelta(hours=between(rng, low_hours, high_hours),
                                             minutes=between(rng, 0, 59))
        return result if result <= self.end_of_day else None

    def rng(self, *parts) -> random.Random:
        return random.Random("/".join(str(part) for part in (self.seed, *parts)))


@dataclass(frozen=True)
class PCNRef:
    """A PCN already written: its id, ICB and practices."""

    id: int
    ods_code: str
    name: str
    icb_id: int
    practice_ids: tuple
    practice_names: tuple


@dataclass(frozen=True)
class Staff:
    """A generated person with a user account."""

    person_id: int
    user_id: int
    given_name: str
    family_name: str
    job_title: str
    email: str
    start: datetime.date

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class Link:
    """An evidence link as a sign-off request sees it."""

    id: int
    added_at: datetime.datetime
    snapshot: dict


@dataclass
class Coordinator:
    """A care coordinator being generated, with what later steps link to."""

    staff: Staff
    pcn: PCNRef
    index: int
    practice_ids: list
    clinical: Staff
    line: Staff
    contact: Staff
    safeguarding: Staff
    #: Most coordinators keep their training current; the others miss a renewal now and then.
    diligent: bool = True
    competencies: list = field(default_factory=list)  # the DES responsibilities first
    required_competencies: int = 0
    completed: list = field(default_factory=list)  # (completed_on, record id, item id)
    sessions: list = field(default_factory=list)  # (session id, held_on), not withdrawn
    attended: list = field(default_factory=list)  # (network session id, day)
    credits: dict = field(default_factory=lambda: defaultdict(list))  # {item id: [credit]}
    links: dict = field(default_factory=lambda: defaultdict(list))  # {competency id: [Link]}

    @property
    def start(self) -> datetime.date:
        return self.staff.start

    def tenure(self, as_of) -> int:
        return (as_of - self.start).days


@dataclass
class Team:
    """A PCN's people: the manager, GPs, first points of contact, team leads, coordinators."""

    pcn: PCNRef
    manager: Staff
    gps: list
    contacts: list
    leads: list
    coordinators: list = field(default_factory=list)


def between(rng: random.Random, low: int, high: int) -> int:
    """A whole number from `low` to `high` inclusive: `rng.randint`, three times faster."""
    return low + int(rng.random() * (high - low + 1))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(TENTH, rounding=ROUND_HALF_UP)


def _hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- people and roles ----------------------------------------------------------------------------


def staff_add(g: Generation, rng, *, pcn_id, job_title, band, start,
              funding=FundingRoute.OTHER) -> Staff:
    """A person and their user account: a unique email and an unusable password (no hash)."""
    given, family = rng.choice(text.GIVEN_NAMES), rng.choice(text.FAMILY_NAMES)
    email = f"{_slug(given)}.{_slug(family)}.{next(g.serial)}@{EMAIL_DOMAIN}"
    joined = g.moment(start, rng)
    # "!" marks an unusable password, as set_unusable_password() does; the rest is seeded.
    password = "!" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=40))
    user_id = g.sink.add(get_user_model(), username=email, email=email, password=password,
                         is_active=True, date_joined=joined)
    person_id = g.sink.add(
        Person, user_id=user_id, given_name=given, family_name=family, job_title=job_title,
        pcn_id=pcn_id, employment_start_date=start, funding_route=funding, afc_band=band,
        created_at=joined,
    )
    return Staff(person_id, user_id, given, family, job_title, email, start)


def role_add(g: Generation, rng, person: Staff, role, *, starts_on, pcn_id=None, icb_id=None,
             care_coordinator: Staff | None = None, created_by=None) -> int:
    return g.sink.add(
        RoleAssignment, person_id=person.person_id, role=role, pcn_id=pcn_id, icb_id=icb_id,
        care_coordinator_id=care_coordinator.person_id if care_coordinator else None,
        starts_on=starts_on, created_by_id=created_by, created_at=g.moment(starts_on, rng),
    )


def icb_viewer_add(g: Generation, icb_id: int, ods_code: str) -> Staff:
    rng = g.rng(ods_code, "viewer")
    title, band = text.ICB_VIEWER
    start = g.as_of - datetime.timedelta(days=between(rng, 400, 2000))
    viewer = staff_add(g, rng, pcn_id=None, job_title=title, band=band, start=start)
    role_add(g, rng, viewer, Role.ICB_VIEWER, starts_on=start, icb_id=icb_id)
    return viewer


def tenures(n: int, rng) -> list[int]:
    """`n` tenures in days, one from each of n equal slices of the range, shuffled."""
    low, high = TENURE_DAYS
    values = [int(low + (high - low) * (i + rng.random()) / n) for i in range(n)]
    rng.shuffle(values)
    return values


def team_add(g: Generation, pcn: PCNRef, coordinators: int) -> Team:
    """A PCN's manager, GPs (one clinical supervisor per ~4 coordinators, the first also the
    safeguarding lead), first points of contact, team leads and care coordinators, with every
    coordinator's four support roles named."""
    rng = g.rng(pcn.ods_code, "team")

    def staff(title, band, **extra):
        start = g.as_of - datetime.timedelta(days=between(rng, 6 * 365, 15 * 365))
        return staff_add(g, rng, pcn_id=pcn.id, job_title=title, band=band, start=start, **extra)

    manager = staff(*text.PCN_MANAGER)
    role_add(g, rng, manager, Role.PCN_MANAGER, starts_on=manager.start, pcn_id=pcn.id)
    supervisors = max(1, math.ceil(coordinators / 4))
    gps = [staff(*text.SAFEGUARDING_GP)] + [
        staff(rng.choice(text.GP_TITLES), "n/a") for _ in range(supervisors - 1)
    ]
    contacts = [staff(*text.FIRST_POINT_OF_CONTACT)
                for _ in range(min(len(pcn.practice_ids), max(1, math.ceil(coordinators / 4))))]
    leads = [staff(*text.TEAM_LEAD) for _ in range(coordinators // 12)]
    team = Team(pcn, manager, gps, contacts, leads)
    line_managers = [manager, *leads]
    for index, tenure in enumerate(tenures(coordinators, rng)):
        start = g.as_of - datetime.timedelta(days=tenure)
        person = staff_add(g, rng, pcn_id=pcn.id, job_title=text.CARE_COORDINATOR,
                           band=rng.choice(("4", "4", "4", "5")), start=start,
                           funding=FundingRoute.ARRS)
        practice_ids = []
        if rng.random() < 0.3:  # practice-based; the others work across the PCN
            practice_ids = sorted(rng.sample(pcn.practice_ids, min(2, between(rng, 1, 2))))
        assignment = role_add(g, rng, person, Role.CARE_COORDINATOR, starts_on=start,
                              pcn_id=pcn.id, created_by=manager.user_id)
        g.sink.link(RoleAssignment.practices, assignment, practice_ids)
        coordinator = Coordinator(
            staff=person, pcn=pcn, index=index, practice_ids=practice_ids,
            clinical=gps[index % len(gps)], line=line_managers[index % len(line_managers)],
            contact=contacts[index % len(contacts)], safeguarding=gps[0],
        )
        for role, supporter in (
            (Role.CLINICAL_SUPERVISOR, coordinator.clinical),
            (Role.LINE_MANAGER, coordinator.line),
            (Role.FIRST_POINT_OF_CONTACT, coordinator.contact),
            (Role.SAFEGUARDING_GP, coordinator.safeguarding),
        ):
            role_add(g, rng, supporter, role, starts_on=start, pcn_id=pcn.id,
                     care_coordinator=person, created_by=manager.user_id)
        team.coordinators.append(coordinator)
    return team


# --- peer-network and MDT sessions -----------------------------------------------------------


def calendar(g: Generation, rng, interval: int) -> list[datetime.date]:
    """Session days every `interval` days (give or take a week) over the network's history
    and the next few weeks, on weekdays."""
    day = g.as_of - datetime.timedelta(days=NETWORK_HISTORY_DAYS - between(rng, 0, interval))
    last = g.as_of + datetime.timedelta(days=NETWORK_UPCOMING_DAYS)
    days = []
    while day <= last:
        weekday = day.weekday()
        days.append(day + datetime.timedelta(days=7 - weekday) if weekday >= 5 else day)
        day += datetime.timedelta(days=interval + between(rng, -7, 7))
    return days


def network_sessions_add(g: Generation, teams: list[Team]) -> None:
    """Each PCN's calendar of joint caseload, MDT, peer-network, action learning and refresher
    sessions, and one ICB-wide webinar series per block, with invitations and registers."""
    for team in teams:
        rng = g.rng(team.pcn.ods_code, "network")
        for kind, interval, attend, minutes in PCN_CALENDAR:
            for day in calendar(g, rng, interval):
                network_session_add(g, rng, team, kind, day, minutes, attend,
                                    team.coordinators, Audience.PCN)
    kind, interval, attend, minutes = WEBINARS
    organiser = teams[0]
    rng = g.rng(organiser.pcn.ods_code, "webinars")
    everyone = [c for team in teams for c in team.coordinators]
    for day in calendar(g, rng, interval):
        network_session_add(g, rng, organiser, kind, day, minutes, attend, everyone,
                            Audience.ICB)


def network_session_add(g: Generation, rng, team: Team, kind, day, minutes, attend,
                        coordinators, audience) -> None:
    """One session: invitations to the coordinators in post by then, replies, and (once it
    is over) the register, crediting each attendee's hours to their learning record."""
    invitees = [c for c in coordinators if c.start <= day]
    if not invitees:
        return
    starts_at = datetime.datetime.combine(day, rng.choice(SESSION_TIMES), tzinfo=TZ)
    ends_at = starts_at + datetime.timedelta(minutes=minutes)
    created_at = g.moment(day - datetime.timedelta(days=between(rng, 14, 35)), rng)
    facilitator = rng.choice(team.gps if kind == NetworkSessionKind.MDT
                             else [team.manager, *team.leads, team.gps[0]])
    registered = ends_at.date() <= g.as_of - datetime.timedelta(days=2) and rng.random() < 0.98
    cancelled_at = None
    if not registered and rng.random() < 0.03:
        cancelled_at = g.later(created_at, rng, 24, 240)
        if cancelled_at is not None and cancelled_at >= starts_at:
            cancelled_at = None
    title = text.NETWORK_TITLES[kind]
    with_notes = registered and rng.random() < 0.5
    online = rng.random() < 0.4
    session_id = g.sink.add(
        NetworkSession, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at,
        venue="" if online else f"{rng.choice(team.pcn.practice_names)}, meeting room",
        online_link=(f"https://teams.microsoft.com/l/meetup-join/{team.pcn.ods_code.lower()}-"
                     f"{day:%Y%m%d}-{kind}") if online else "",
        facilitator_id=facilitator.person_id, pcn_id=team.pcn.id, audience=audience,
        other_attendees=text.OTHER_ATTENDEES if kind == NetworkSessionKind.JOINT_CASELOAD
        else "",
        notes=rng.choice(text.NETWORK_NOTES) if with_notes else "",
        themes=rng.choice(text.NETWORK_THEMES) if with_notes else "",
        created_by_id=team.manager.person_id, created_at=created_at, updated_at=created_at,
        cancelled_at=cancelled_at,
        cancelled_reason=text.CANCELLED_REASON if cancelled_at else "",
    )
    item = g.catalogue.credit_items.get(kind)
    hours = _hours(minutes)
    for coordinator in invitees:
        invited_at = max(created_at, g.moment(coordinator.start, rng))
        if invited_at >= starts_at:
            invited_at = starts_at - datetime.timedelta(hours=1)
        attended = registered and rng.random() < attend
        rsvp = _reply(rng, attended, registered)
        row = {"session_id": session_id, "person_id": coordinator.staff.person_id,
               "invited_at": invited_at, "rsvp": rsvp,
               "rsvp_at": invited_at + datetime.timedelta(hours=between(rng, 1, 72))
               if rsvp != RSVP.PENDING else None}
        if row["rsvp_at"] is not None and row["rsvp_at"] >= starts_at:
            row["rsvp_at"] = invited_at
        if registered:
            recorded_at = ends_at + datetime.timedelta(hours=between(rng, 1, 40))
            row.update(
                attendance=Attendance.ATTENDED if attended else
                (Attendance.APOLOGIES if rsvp == RSVP.NO else Attendance.ABSENT),
                attendance_recorded_by_id=facilitator.person_id,
                attendance_recorded_at=recorded_at,
                cpd_hours_credited=hours if attended and item else Decimal(0),
            )
            if attended:
                coordinator.attended.append((session_id, day))
                if item:
                    coordinator.credits[item.id].append(
                        (day, hours, title, recorded_at, facilitator.user_id))
        g.sink.add(SessionInvitation, **row)


def _reply(rng, attended: bool, registered: bool) -> str:
    roll = rng.random()
    if attended or not registered:
        return RSVP.YES if roll < 0.75 else RSVP.MAYBE if roll < 0.85 else RSVP.PENDING
    return RSVP.NO if roll < 0.5 else RSVP.PENDING if roll < 0.8 else RSVP.MAYBE


# --- learning records and induction -------------------------------------------------------------


def learning_add(g: Generation, rng, cc: Coordinator) -> None:
    """The induction plan from the start date, a record for every induction item, the records
    network attendance credited, and other learning up to about 60 records."""
    catalogue = g.catalogue
    for item in catalogue.induction:
        due = cc.start + datetime.timedelta(weeks=item.induction_week)
        g.sink.add(InductionPlanItem, person_id=cc.staff.person_id, item_id=item.id, due_on=due,
                   created_at=g.moment(cc.start, rng))
        induction_record_add(g, rng, cc, item, due)
    credited = [item for item in catalogue.credit_items.values() if cc.credits.get(item.id)]
    for item in credited:
        credited_record_add(g, rng, cc, item)
    room = LEARNING_RECORDS - len(catalogue.induction) - len(credited)
    for item in rng.sample(catalogue.others, max(0, min(room, len(catalogue.others)))):
        other_record_add(g, rng, cc, item)


def induction_record_add(g: Generation, rng, cc: Coordinator, item: Item, due) -> None:
    """Induction tasks due by now are done (a few late, a few still open for recent starters);
    tasks due later are planned, started or done early. Refresher items are renewed."""
    as_of = g.as_of
    recent = cc.tenure(as_of) < 365
    if due <= as_of and not (recent and rng.random() < (0.03 if cc.diligent else 0.2)):
        if rng.random() < 0.05:
            done = due + datetime.timedelta(days=between(rng, 1, 30))
        else:
            done = due - datetime.timedelta(days=between(rng, 0, 20))
        record_add(g, rng, cc, item, LearningStatus.COMPLETED,
                   completed=g.day(max(done, cc.start)))
        return
    roll = rng.random()
    if due > as_of and roll < 0.3:
        record_add(g, rng, cc, item, LearningStatus.COMPLETED,
                   completed=cc.start + datetime.timedelta(days=between(rng, 0, cc.tenure(as_of))))
    elif roll < 0.65:
        record_add(g, rng, cc, item, LearningStatus.IN_PROGRESS,
                   started=cc.start + datetime.timedelta(days=between(rng, 0, cc.tenure(as_of))))
    else:
        record_add(g, rng, cc, item, LearningStatus.PLANNED)


def other_record_add(g: Generation, rng, cc: Coordinator, item: Item) -> None:
    roll = rng.random()
    day = cc.start + datetime.timedelta(days=between(rng, 0, cc.tenure(g.as_of)))
    if roll < 0.55:
        record_add(g, rng, cc, item, LearningStatus.COMPLETED, completed=day)
    elif roll < 0.7:
        record_add(g, rng, cc, item, LearningStatus.IN_PROGRESS, started=day)
    elif roll < 0.8:
        record_add(g, rng, cc, item, LearningStatus.ENROLLED, enrolled=day)
    elif roll < 0.95:
        record_add(g, rng, cc, item, LearningStatus.PLANNED)
    else:
        record_add(g, rng, cc, item, LearningStatus.NOT_REQUIRED,
                   reason=rng.choice(text.NOT_REQUIRED_REASONS))


def _renewed(g: Generation, rng, cc: Coordinator, completed: datetime.date, months: int
             ) -> datetime.date:
    """The latest completion of a refresher item: renewed a little before each expiry, until
    now; coordinators who are not diligent miss a renewal now and then (the record expires)."""
    while True:
        renewal = add_months(completed, months) - datetime.timedelta(days=between(rng, 0, 30))
        if renewal > g.as_of or (not cc.diligent and rng.random() < 0.1):
            return completed
        completed = renewal


def record_add(g: Generation, rng, cc: Coordinator, item: Item, stage, *, completed=None,
               started=None, enrolled=None, reason="") -> int:
    """One learning record with the dates, hours, verification and provenance its stage
    needs (the rules of lms.services.validate_learning_dates)."""
    first = completed
    if stage == LearningStatus.COMPLETED and item.refresher_months:
        completed = _renewed(g, rng, cc, completed, item.refresher_months)
    if item.kind in COURSE_KINDS:
        if stage == LearningStatus.COMPLETED:
            enrolled = max(cc.start, first - datetime.timedelta(days=between(rng, 7, 90)))
            started = min(first, enrolled + datetime.timedelta(days=between(rng, 0, 7)))
        elif stage == LearningStatus.IN_PROGRESS:
            enrolled = max(cc.start, started - datetime.timedelta(days=between(rng, 0, 14)))
    dates = [d for d in (enrolled, started, first, completed) if d]
    created_day = min(dates) if dates else cc.start + datetime.timedelta(
        days=between(rng, 0, min(30, cc.tenure(g.as_of))))
    created_at = g.moment(created_day, rng)
    updated_at = max(created_at, g.moment(max(dates), rng)) if dates else created_at
    row = dict(person_id=cc.staff.person_id, item_id=item.id, stage=stage,
               not_required_reason=reason, enrolled_on=enrolled, started_on=started,
               completed_on=completed, provider=item.provider,
               provider_pci_assured=item.pci_assured, created_by_id=cc.staff.user_id,
               created_at=created_at, updated_at=updated_at)
    if stage == LearningStatus.COMPLETED:
        hours = item.estimated_hours or rng.choice(CPD_HOURS)
        row["cpd_hours"] = hours
        if item.kind == "pci_course" or rng.random() < 0.3:
            row["hours_out_of_practice"] = hours
        if item.kind == "statutory_mandatory" and rng.random() < 0.01:
            row["imported_from"] = text.IMPORTED_FROM
        if rng.random() < (0.7 if row.get("imported_from") else 0.3):
            verified_at = g.later(updated_at, rng, 24, 30 * 24)
            if verified_at is not None:
                row.update(verified_by_id=cc.clinical.user_id, verified_at=verified_at)
    record_id = g.sink.add(LearningRecord, **row)
    if stage == LearningStatus.COMPLETED and (not row.get("imported_from")
                                              or row.get("verified_at")):
        cc.completed.append((completed, record_id, item))
    return record_id


def credited_record_add(g: Generation, rng, cc: Coordinator, item: Item) -> None:
    """The record network attendance keeps (supervision.network_services._reconcile_credit):
    the hours of every attended session added up, a line each in the notes, completed on the
    day of the latest session."""
    credits = sorted(cc.credits[item.id])
    total = sum((hours for _day, hours, *_rest in credits), Decimal(0))
    notes = "\n".join(f"Attended {title} on {_long(day)} ({_hours_text(hours)} h)"
                      for day, hours, title, *_rest in credits)
    last_day = credits[-1][0]
    record_id = g.sink.add(
        LearningRecord, person_id=cc.staff.person_id, item_id=item.id,
        stage=LearningStatus.COMPLETED, completed_on=last_day, provider=item.provider,
        provider_pci_assured=item.pci_assured, cpd_hours=total, notes=notes,
        created_by_id=credits[0][4], created_at=credits[0][3], updated_at=credits[-1][3],
    )
    cc.completed.append((last_day, record_id, item))


# --- supervision -----------------------------------------------------------------------------


def supervision_add(g: Generation, rng, cc: Coordinator) -> None:
    """Clinical supervision about monthly and line management about six-weekly from the start
    date (within the default cadence); about one coordinator in ten has let clinical
    supervision lapse lately."""
    for session_type, interval, jitter, durations in SUPERVISION:
        supporter = cc.clinical if session_type == SessionType.CLINICAL else cc.line
        lapse = between(rng, 45, 100) if (
            session_type == SessionType.CLINICAL and rng.random() < 0.1) else 0
        last = g.as_of - datetime.timedelta(days=lapse)
        day = cc.start + datetime.timedelta(days=between(rng, 5, 20))
        while day <= last:
            supervision_session_add(g, rng, cc, session_type, supporter, day, interval,
                                    rng.choice(durations))
            day += datetime.timedelta(days=interval + between(rng, -jitter, jitter))


def supervision_session_add(g: Generation, rng, cc: Coordinator, session_type, supporter,
                            day, interval, minutes) -> None:
    """A session recorded by one party and confirmed by the other (recent ones may still be
    waiting); confirming makes it evidence for each competency it names."""
    coordinator_recorded = rng.random() < 0.55
    recorder, other = (cc.staff, supporter) if coordinator_recorded else (supporter, cc.staff)
    recorded_at = g.moment(day + datetime.timedelta(days=between(rng, 0, 2)), rng)
    withdrawn = rng.random() < 0.01
    confirmed_at = None
    if not withdrawn and ((g.as_of - day).days > 14 or rng.random() < 0.5):
        confirmed_at = g.later(recorded_at, rng, 1, 5 * 24)
    topics = text.CLINICAL_TOPICS if session_type == SessionType.CLINICAL else text.LINE_TOPICS
    withdrawn_at = g.later(recorded_at, rng, 1, 48) if withdrawn else None
    session_id = g.sink.add(
        SupervisionSession, care_coordinator_id=cc.staff.person_id, session_type=session_type,
        held_on=day, duration_minutes=minutes, mode=rng.choice(Mode.values),
        topics=rng.choice(topics),
        notes=rng.choice(text.SESSION_NOTES) if rng.random() < 0.5 else "",
        next_session_on=day + datetime.timedelta(days=interval) if rng.random() < 0.7
        else None,
        recorded_by_id=recorder.person_id, recorded_at=recorded_at, updated_at=recorded_at,
        confirmed_by_id=other.person_id if confirmed_at else None, confirmed_at=confirmed_at,
        confirmation_comment=rng.choice(text.CONFIRMATION_COMMENTS) if confirmed_at else "",
        withdrawn_at=withdrawn_at, withdrawn_by_id=recorder.person_id if withdrawn_at else None,
        withdrawn_reason=text.WITHDRAWN_REASON if withdrawn_at else "",
    )
    g.sink.link(SupervisionSession.supervisors, session_id, [supporter.person_id])
    if withdrawn_at:
        return
    cc.sessions.append((session_id, day))
    if session_type == SessionType.CLINICAL and cc.competencies and rng.random() < 0.15:
        chosen = rng.sample(cc.competencies, min(len(cc.competencies), between(rng, 1, 2)))
        g.sink.link(SupervisionSession.competencies, session_id, [c.id for c in chosen])
        if confirmed_at:
            label = SessionType(session_type).label
            for competency in chosen:
                evidence_add(g, cc, competency, EvidenceKind.SUPERVISION_SESSION,
                             description=f"{label} on {day:%d %B %Y}", added_at=confirmed_at,
                             added_by=other.user_id, target=(SupervisionSession, session_id))
    if rng.random() < 0.2:
        for _ in range(between(rng, 1, 2)):
            action_add(g, rng, session_id, day, rng.choice((cc.staff, cc.staff, supporter)))


def action_add(g: Generation, rng, session_id, held_on, owner: Staff) -> None:
    due = held_on + datetime.timedelta(days=between(rng, 7, 42))
    done = None
    if due < g.as_of and rng.random() < 0.85:
        done = g.day(held_on + datetime.timedelta(days=between(rng, 1, (due - held_on).days + 10)))
    g.sink.add(SupervisionAction, session_id=session_id, description=rng.choice(text.ACTIONS),
               owner_id=owner.person_id, due_on=due, done_on=done,
               done_recorded_by_id=owner.person_id if done else None)


# --- reflections -------------------------------------------------------------------------------

REFLECTION_FIELDS = {
    ReflectionModel.GIBBS: ("description", "feelings", "evaluation", "analysis", "conclusion",
                            "action_plan"),
    ReflectionModel.DRISCOLL: ("what", "so_what", "now_what"),
    ReflectionModel.FREE: ("body",),
}


def reflections_add(g: Generation, rng, cc: Coordinator) -> None:
    """About monthly reflections; complete ones linked to competencies are evidence; some are
    shared with the clinical supervisor (a few with the line manager too), with comments."""
    tenure = cc.tenure(g.as_of)
    number = round(REFLECTIONS * tenure / MEAN_TENURE_DAYS * rng.uniform(0.8, 1.2))
    days = sorted(cc.start + datetime.timedelta(days=between(rng, 0, tenure))
                  for _ in range(number))
    for day in days:
        reflection_add(g, rng, cc, day)


def reflection_add(g: Generation, rng, cc: Coordinator, day) -> None:
    model = rng.choices(ReflectionModel.values, weights=(5, 3, 2))[0]
    complete = rng.random() < 0.85
    fields = REFLECTION_FIELDS[model]
    texts = {name: text.REFLECTION_TEXTS[name] for name in
             (fields if complete else fields[: between(rng, 0, len(fields))])}
    created_at = g.moment(day + datetime.timedelta(days=between(rng, 0, 2)), rng)
    title = rng.choice(text.REFLECTION_TITLES)
    reflection_id = g.sink.add(
        Reflection, author_id=cc.staff.person_id, title=title, reflected_on=day, model=model,
        status=ReflectionStatus.COMPLETE if complete else ReflectionStatus.DRAFT,
        created_at=created_at, updated_at=created_at, **texts,
    )
    if cc.competencies and rng.random() < 0.35:
        chosen = rng.sample(cc.competencies, min(len(cc.competencies), between(rng, 1, 2)))
        g.sink.link(Reflection.competencies, reflection_id, [c.id for c in chosen])
        if complete:
            for competency in chosen:
                evidence_add(g, cc, competency, EvidenceKind.REFLECTION, description=title,
                             added_at=created_at, added_by=cc.staff.user_id,
                             target=(Reflection, reflection_id))
    earlier = [pk for pk, held_on in cc.sessions if held_on <= day]
    if earlier and rng.random() < 0.2:
        g.sink.link(Reflection.supervision_sessions, reflection_id, [earlier[-1]])
    attended = [pk for pk, held_on in cc.attended if held_on <= day]
    if attended and rng.random() < 0.1:
        g.sink.link(Reflection.network_sessions, reflection_id, [attended[-1]])
    done = [item.id for completed, _pk, item in cc.completed if completed <= day]
    if done and rng.random() < 0.2:
        g.sink.link(Reflection.learning_items, reflection_id, [rng.choice(done)])
    if complete and rng.random() < 0.35:
        shares_add(g, rng, cc, reflection_id, created_at)


def shares_add(g: Generation, rng, cc: Coordinator, reflection_id, created_at) -> None:
    people = [cc.clinical] + ([cc.line] if rng.random() < 0.15 and cc.line != cc.clinical
                              else [])
    for person in people:
        shared_at = g.later(created_at, rng, 0, 72)
        if shared_at is None:
            return
        revoked_at = g.later(shared_at, rng, 24, 2000) if rng.random() < 0.03 else None
        g.sink.add(ReflectionShare, reflection_id=reflection_id, shared_with_id=person.person_id,
                   shared_at=shared_at, revoked_at=revoked_at)
        if person is cc.clinical and not revoked_at and rng.random() < 0.3:
            commented = g.later(shared_at, rng, 2, 240)
            if commented:
                g.sink.add(ReflectionComment, reflection_id=reflection_id,
                           author_id=person.person_id, created_at=commented,
                           text=rng.choice(text.SHARED_COMMENTS))
                replied = g.later(commented, rng, 2, 72) if rng.random() < 0.3 else None
                if replied:
                    g.sink.add(ReflectionComment, reflection_id=reflection_id,
                               author_id=cc.staff.person_id, created_at=replied,
                               text=rng.choice(text.AUTHOR_REPLIES))


# --- competencies ------------------------------------------------------------------------------


def competencies_choose(g: Generation, rng, cc: Coordinator) -> None:
    """The DES responsibilities, then others of the frameworks in use: about 40 in all."""
    catalogue = g.catalogue
    required = list(catalogue.required_competencies)
    rng.shuffle(required)
    room = max(0, COMPETENCIES - len(required))
    cc.competencies = required + rng.sample(catalogue.other_competencies,
                                            min(room, len(catalogue.other_competencies)))
    cc.required_competencies = len(required)


def evidence_add(g: Generation, cc: Coordinator, competency: Competency, kind, *,
                 description, added_at, added_by, target=None, note="") -> int:
    """An evidence link, remembered with the snapshot a sign-off request would take of it."""
    content_type = g.catalogue.content_types[target[0]] if target else None
    object_id = target[1] if target else None
    link_id = g.sink.add(
        EvidenceLink, person_id=cc.staff.person_id, competency_id=competency.id, kind=kind,
        content_type_id=content_type, object_id=object_id, description=description[:300],
        note=note, added_by_id=added_by, added_at=added_at,
    )
    snapshot = {
        "id": link_id, "kind": kind, "description": description[:300], "note": note,
        "object": f"{content_type}:{object_id}" if object_id else "",
        "added_at": added_at.astimezone(datetime.UTC).isoformat(),
    }
    cc.links[competency.id].append(Link(link_id, added_at, snapshot))
    return link_id


def competencies_add(g: Generation, rng, cc: Coordinator) -> None:
    """Each chosen competency started in turn: the DES responsibilities over the first nine
    months, the others over the first two years (or the tenure so far)."""
    required = cc.competencies[: cc.required_competencies]
    others = cc.competencies[cc.required_competencies:]
    for group, days in ((required, REQUIRED_COMPETENCIES_DAYS), (others, OTHER_COMPETENCIES_DAYS)):
        span = max(1, min(cc.tenure(g.as_of), days) - 7)
        for index, competency in enumerate(group):
            started = g.day(cc.start + datetime.timedelta(
                days=7 + int(span * (index + rng.random()) / len(group))))
            # Every coordinator has something waiting for review: the last competency
            # started is still with the supervisor (so no supervisor's queue is empty).
            waiting = competency is cc.competencies[-1]
            competency_journey(g, rng, cc, competency, started, waiting=waiting)


def competency_journey(g: Generation, rng, cc: Coordinator, competency: Competency,
                       started: datetime.date, *, waiting: bool = False) -> None:
    """Self-assessment, evidence, a sign-off request to a named supervisor and its outcome:
    most signed off, a few returned (and asked again), recent ones pending, a few superseded
    by a later sign-off at a higher level."""
    levels = competency.levels
    level = min(levels, rng.choice((2, 3, 3)))
    assessment = self_assess(g, rng, cc, competency, started, level)
    last = started
    record = _record_for(rng, cc, competency, started + datetime.timedelta(days=10))
    if record is not None:
        completed, record_id, item = record
        day = g.day(max(started, completed) + datetime.timedelta(days=between(rng, 0, 10)))
        evidence_add(g, cc, competency, EvidenceKind.LEARNING_RECORD, description=item.title,
                     added_at=g.moment(day, rng), added_by=cc.staff.user_id,
                     target=(LearningRecord, record_id))
        last = max(last, day)
    if competency.evidence_kinds >= 2 or record is None or rng.random() < 0.5:
        last = observation_add(g, rng, cc, competency, last)
    asked = last + datetime.timedelta(days=between(rng, 5, 30))
    if waiting:
        asked = min(asked, g.as_of)
    if asked > g.as_of:
        return
    reviewer = cc.clinical if rng.random() < 0.85 else cc.line
    request = request_add(g, rng, cc, competency, reviewer, asked, assessment, waiting=waiting)
    if request.status == RequestStatus.RETURNED and rng.random() < 0.9:
        again = request.decided_at.date() + datetime.timedelta(days=between(rng, 10, 40))
        if again + datetime.timedelta(days=5) <= g.as_of:
            observation_add(g, rng, cc, competency, request.decided_at.date())
            request = request_add(g, rng, cc, competency, reviewer,
                                  again + datetime.timedelta(days=5), assessment,
                                  may_return=False)
    if request.status != RequestStatus.SIGNED_OFF:
        return
    sign_off_id = g.sink.next_id(SignOff)
    level = _signed_level(rng, competency)
    later = request.decided_at.date() + datetime.timedelta(days=between(rng, 60, 120))
    superseded_by = None
    if level < levels and later + datetime.timedelta(days=30) <= g.as_of and rng.random() < 0.06:
        higher = self_assess(g, rng, cc, competency, later, level + 1)
        again = request_add(g, rng, cc, competency, reviewer,
                            later + datetime.timedelta(days=between(rng, 5, 20)), higher,
                            may_return=False, may_wait=False)
        if again.status == RequestStatus.SIGNED_OFF:
            superseded_by = (sign_off_add(g, rng, cc, competency, reviewer, again, level + 1),
                             again.decided_at)
    sign_off_add(g, rng, cc, competency, reviewer, request, level, pk=sign_off_id,
                 superseded_by=superseded_by)


def self_assess(g: Generation, rng, cc: Coordinator, competency, day, level) -> tuple:
    at = g.moment(day, rng)
    pk = g.sink.add(SelfAssessment, person_id=cc.staff.person_id, competency_id=competency.id,
                    level=level, narrative=rng.choice(text.SELF_ASSESSMENT_NARRATIVES),
                    created_at=at)
    return pk, at


def observation_add(g: Generation, rng, cc, competency, after: datetime.date) -> datetime.date:
    day = g.day(after + datetime.timedelta(days=between(rng, 3, 25)))
    evidence_add(g, cc, competency, EvidenceKind.OBSERVATION, description="Observation note",
                 note=rng.choice(text.OBSERVATION_NOTES), added_at=g.moment(day, rng),
                 added_by=cc.staff.user_id)
    return day


def _record_for(rng, cc: Coordinator, competency: Competency, by: datetime.date):
    """A completed learning record to cite: one the competency links to, else any completed
    by then, else the first completed afterwards."""
    done = [entry for entry in cc.completed if entry[0] <= by]
    linked = [entry for entry in done if entry[2].id in competency.item_ids]
    choices = linked or done
    if choices:
        return rng.choice(choices)
    return min(cc.completed, key=lambda entry: entry[0], default=None)


def _signed_level(rng, competency: Competency) -> int:
    roll = rng.random()
    level = competency.target_level
    if roll < 0.1:
        level += 1
    elif roll < 0.11:
        level -= 1
    return max(1, min(competency.levels, level))


@dataclass(frozen=True)
class Request:
    id: int
    status: str
    decided_at: datetime.datetime | None
    evidence_snapshot: list


def request_add(g: Generation, rng, cc: Coordinator, competency, reviewer: Staff, day,
                assessment, *, may_return=True, may_wait=True, waiting=False) -> Request:
    """A request with the evidence current when it was made (sign_off_request_create) and
    its status on the anchor date."""
    created_at = g.moment(day, rng)
    assessment_id, assessed_at = assessment
    evidence = [link for link in cc.links[competency.id] if link.added_at < created_at]
    age = (g.as_of - day).days
    roll = rng.random()
    decided_at = g.later(created_at, rng, 24, 21 * 24)
    status = RequestStatus.SIGNED_OFF
    if waiting or decided_at is None or (may_wait and ((age < 30 and roll < 0.6)
                                                       or roll < 0.01)):
        status, decided_at = RequestStatus.PENDING, None
    elif may_return and roll < 0.09:
        status = RequestStatus.RETURNED
    snapshot = [link.snapshot for link in evidence]
    request_id = g.sink.add(
        SignOffRequest, person_id=cc.staff.person_id, competency_id=competency.id,
        self_assessment_id=assessment_id if assessed_at <= created_at else None,
        reviewer_id=reviewer.person_id, evidence_snapshot=snapshot, status=status,
        feedback=rng.choice(text.RETURN_FEEDBACK) if status == RequestStatus.RETURNED else "",
        requested_by_id=cc.staff.user_id, created_at=created_at, decided_at=decided_at,
        decided_by_id=reviewer.user_id if decided_at else None,
    )
    g.sink.link(SignOffRequest.evidence, request_id, [link.id for link in evidence])
    return Request(request_id, status, decided_at, snapshot)


def sign_off_add(g: Generation, rng, cc: Coordinator, competency, reviewer: Staff,
                 request: Request, level, *, pk=None, superseded_by=None) -> int:
    """A sign-off as sign_off_record writes it, with the request's evidence snapshot;
    `superseded_by` is (the same rater's later sign-off, when it was made)."""
    row = dict(
        request_id=request.id, person_id=cc.staff.person_id, competency_id=competency.id,
        level=level, comment=rng.choice(text.SIGN_OFF_COMMENTS), signed_by_id=reviewer.user_id,
        rater_key=f"user:{reviewer.user_id}", assessor_name=reviewer.full_name,
        assessor_role=reviewer.job_title, assessor_email=reviewer.email,
        evidence_snapshot=request.evidence_snapshot, signed_at=request.decided_at,
        superseded_by_id=superseded_by[0] if superseded_by else None,
        superseded_at=superseded_by[1] if superseded_by else None,
    )
    if pk is not None:
        row["id"] = pk
    return g.sink.add(SignOff, **row)


# --- directory and registers ---------------------------------------------------------------


def directory_entry_add(g: Generation, rng, team: Team, cc: Coordinator) -> None:
    """Most coordinators are listed a few weeks after starting (a few from a date to come)."""
    if rng.random() >= 0.92:
        return
    listed_from = cc.start + datetime.timedelta(days=between(rng, 7, 60))
    entry_id = g.sink.add(
        DirectoryEntry, person_id=cc.staff.person_id, pcn_id=team.pcn.id,
        display_name=cc.staff.full_name, about=text.DIRECTORY_ABOUT,
        how_to_refer=text.HOW_TO_REFER, listed_from=listed_from,
        updated_by_id=team.manager.user_id,
        updated_at=g.moment(listed_from - datetime.timedelta(days=between(rng, 0, 7)), rng),
    )
    g.sink.link(DirectoryEntry.practices, entry_id, cc.practice_ids or team.pcn.practice_ids)


def registers_add(g: Generation, team: Team) -> None:
    """The PCN's partner register with safeguarding checks (a few overdue, a few never
    checked, a few archived), practice awareness records and, for some, a cadence setting."""
    rng = g.rng(team.pcn.ods_code, "registers")
    manager = team.manager
    town = team.pcn.name.removesuffix(" PCN")
    diligent = rng.random() < 0.65
    for name, offers in rng.sample(text.PARTNERS, between(rng, 4, 10)):
        partner_add(g, rng, team, f"{town} {name}", offers, diligent)
    for practice_id in team.pcn.practice_ids:
        awareness_add(g, rng, team, practice_id)
    if rng.random() < 0.2:
        g.sink.add(CadenceSetting, pcn_id=team.pcn.id, session_type=SessionType.CLINICAL,
                   interval_days=35, updated_by_id=manager.user_id,
                   updated_at=g.moment(g.as_of - datetime.timedelta(days=between(rng, 30, 400)),
                                       rng))


def partner_add(g: Generation, rng, team: Team, name, offers, diligent: bool) -> None:
    """A partner with a safeguarding check about yearly since it was added; in the PCNs that
    are not diligent a few were never checked and a few missed a review (now overdue). A few
    partners were archived later."""
    added_on = g.as_of - datetime.timedelta(days=between(rng, 60, 1800))
    created_at = g.moment(added_on, rng)
    checks = []
    if diligent or rng.random() >= 0.1:
        checked_on = added_on + datetime.timedelta(days=between(rng, 0, 30))
        while checked_on <= g.as_of:
            checks.append(checked_on)
            if not diligent and rng.random() < 0.15:  # the next review was missed
                break
            checked_on = add_months(checked_on, 12) - datetime.timedelta(days=between(rng, 0, 30))
    archived_at = None
    if rng.random() < 0.08:
        archived_at = g.later(g.moment(checks[-1] if checks else added_on, rng), rng, 24, 4800)
    partner_id = g.sink.add(
        PartnerOrganisation, pcn_id=team.pcn.id, name=name, offers=offers,
        contact_name=f"{rng.choice(text.GIVEN_NAMES)} {rng.choice(text.FAMILY_NAMES)}",
        contact_email=f"hello@{_slug(name)}.example", website=f"https://{_slug(name)}.example",
        added_on=added_on, created_by_id=team.manager.user_id, created_at=created_at,
        updated_at=created_at, archived_at=archived_at,
        archived_by_id=team.manager.user_id if archived_at else None,
        archived_reason=text.ARCHIVED_REASON if archived_at else "",
    )
    for checked_on in checks:
        g.sink.add(
            SafeguardingCheck, partner_id=partner_id, checked_on=checked_on,
            checked_by_id=rng.choice([team.manager, *team.contacts]).person_id,
            outcome=rng.choice(text.CHECK_OUTCOMES), review_due_on=add_months(checked_on, 12),
            recorded_by_id=team.manager.user_id, recorded_at=g.moment(checked_on, rng),
        )


def awareness_add(g: Generation, rng, team: Team, practice_id) -> None:
    """One to three times a practice's staff were told who the coordinators in post were;
    coordinators who started after the latest time are not yet known to that practice."""
    first_start = min(c.start for c in team.coordinators)
    latest = g.as_of - datetime.timedelta(days=between(rng, 5, 200))
    days = {latest} | {latest - datetime.timedelta(days=between(rng, 100, 900))
                       for _ in range(between(rng, 0, 2))}
    for told_on in sorted(days):
        if told_on < first_start:
            continue
        told = [c.staff.person_id for c in team.coordinators if c.start <= told_on]
        record_id = g.sink.add(
            PracticeAwareness, practice_id=practice_id, told_on=told_on,
            method=rng.choice(AwarenessMethod.values),
            told_by_id=rng.choice([team.manager, *team.contacts]).person_id,
            notes=text.AWARENESS_NOTE, recorded_by_id=team.manager.user_id,
            recorded_at=g.moment(told_on, rng),
        )
        g.sink.link(PracticeAwareness.coordinators, record_id, told)


# --- one block -------------------------------------------------------------------------------


def block_add(g: Generation, pcns: list[tuple[PCNRef, int]]) -> int:
    """Every row of a block of PCNs of one ICB; returns how many coordinators it holds."""
    teams = [team_add(g, pcn, coordinators) for pcn, coordinators in pcns]
    for team in teams:
        for cc in team.coordinators:
            competencies_choose(g, g.rng(team.pcn.ods_code, cc.index, "competencies"), cc)
    network_sessions_add(g, teams)
    for team in teams:
        for cc in team.coordinators:
            rng = g.rng(team.pcn.ods_code, cc.index)
            cc.diligent = rng.random() < 0.75
            learning_add(g, rng, cc)
            supervision_add(g, rng, cc)
            reflections_add(g, rng, cc)
            competencies_add(g, rng, cc)
            directory_entry_add(g, rng, team, cc)
        registers_add(g, team)
    return sum(len(team.coordinators) for team in teams)
