"""Demo supervision sessions for the demo people (run after `seed_demo`); idempotent.

Riverside: Grace Hughes supervises Amira, Ben and Chloe clinically; Jo Smith is their line
manager; Fiona Reid is Amira's and Ben's first point of contact. Hillside: Hamid Ali
supervises Dev and Erin; Kate Lewis line-manages them, and Hillside expects clinical
supervision every four weeks. The set shows every state the pages can show: records
waiting for either party, confirmed ones with a comment, an addendum and evidence, a
withdrawn duplicate, open, overdue and done actions, and overdue, due-soon and on-track
cadence.
"""

import datetime

from competencies.models import Competency, FrameworkStatus
from lms.models import PCN, DevelopmentGoal, Person

from .models import CadenceSetting, Mode, SessionType, SupervisionSession
from .session_services import (
    AgreedAction,
    cadence_settings_save,
    session_addendum_add,
    supervision_action_done,
    supervision_session_confirm,
    supervision_session_record,
    supervision_session_withdraw,
)

EMAILS = {
    "amira": "amira.khan@riverside.example",
    "ben": "ben.okafor@riverside.example",
    "chloe": "chloe.evans@riverside.example",
    "dev": "dev.patel@hillside.example",
    "erin": "erin.walsh@hillside.example",
    "grace": "grace.hughes@riverside.example",
    "fiona": "fiona.reid@riverside.example",
    "jo": "jo.smith@riverside.example",
    "hamid": "hamid.ali@hillside.example",
    "kate": "kate.lewis@hillside.example",
}
HILLSIDE_ODS = "U81002"
HILLSIDE_CLINICAL_DAYS = 28

CLINICAL, LINE, COACHING = (
    SessionType.CLINICAL, SessionType.LINE_MANAGEMENT, SessionType.COACHING,
)

# Each session: who, what, when (days before as_of), and what happened to the record after.
# actions: (description, owner, due days after the session, done days after or None)
SESSIONS = [
    {
        "cc": "ben", "by": "ben", "with": ["grace"], "type": CLINICAL, "ago": 70,
        "minutes": 60, "mode": Mode.IN_PERSON,
        "topics": "Reviewed my caseload of housebound patients and how to close cases well "
        "when goals are met.",
        "notes": "Agreed I hand over to the district nursing team rather than keep cases "
        "open out of habit.",
        "actions": [("Write a short checklist for closing a case", "ben", 14, 12)],
        "next": 31, "confirm": ("grace", ""),
    },
    {
        "cc": "ben", "by": "grace", "with": ["grace"], "type": CLINICAL, "ago": 18,
        "minutes": 45, "mode": Mode.VIDEO,
        "topics": "Personalised care and support planning for people living with frailty; "
        "preparing for the frailty huddle.",
        "notes": "Ben is ready to lead the care planning conversation at the next huddle.",
        "actions": [
            ("Draft a care and support plan template for the frailty huddle", "ben", 14, None),
            ("Share the frailty pathway slides", "grace", 7, None),
        ],
        "next": 31, "competencies": 1, "goal": True,
        "confirm": ("ben", "A fair summary. Thank you."),
        "addendum": ("ben", "The huddle moved to the first Tuesday of the month, so the "
                     "template is due a week later than we said."),
    },
    {
        "cc": "ben", "by": "jo", "with": ["jo"], "type": LINE, "ago": 50, "minutes": 30,
        "mode": Mode.IN_PERSON,
        "topics": "Annual leave, rota for the winter vaccination clinics and training time.",
        "actions": [("Book the health coaching refresher", "ben", 30, None)],
        "confirm": ("ben", ""),
    },
    {
        "cc": "amira", "by": "amira", "with": ["grace"], "type": CLINICAL, "ago": 10,
        "minutes": 60, "mode": Mode.IN_PERSON,
        "topics": "First supervision: my induction plan, what a good first month looks "
        "like, and who to ask for what.",
        "actions": [("Complete the PCI core skills e-learning", "amira", 21, None)],
        "next": 28,
    },
    {
        "cc": "amira", "by": "fiona", "with": ["fiona"], "type": COACHING, "ago": 5,
        "minutes": 30, "mode": Mode.PHONE,
        "topics": "Buddying call: using the practice clinical system, and finding the "
        "social prescribing referral form.",
    },
    {
        "cc": "chloe", "by": "chloe", "with": ["grace"], "type": CLINICAL, "ago": 40,
        "minutes": 60, "mode": Mode.VIDEO,
        "topics": "Working with carers; keeping boundaries when a family calls every day.",
        "actions": [("Read the carers' support guidance", "chloe", 14, 10)],
        "confirm": ("grace", ""),
    },
    {
        "cc": "chloe", "by": "chloe", "with": ["grace"], "type": CLINICAL, "ago": 40,
        "minutes": 60, "mode": Mode.VIDEO,
        "topics": "Working with carers; keeping boundaries.",
        "withdraw": "Recorded twice: the first record is the right one.",
    },
    {
        "cc": "chloe", "by": "jo", "with": ["jo"], "type": LINE, "ago": 20, "minutes": 30,
        "mode": Mode.IN_PERSON,
        "topics": "Settling into Quayside Surgery; workload and the new referral tracker.",
        "next": 42, "confirm": ("chloe", ""),
    },
    {
        "cc": "dev", "by": "hamid", "with": ["hamid"], "type": CLINICAL, "ago": 25,
        "minutes": 50, "mode": Mode.IN_PERSON,
        "topics": "Supporting people with long-term conditions to set their own goals; "
        "using the patient activation measure.",
        "actions": [("Try the goal-setting approach with three people", "dev", 21, None)],
        "next": 28,
    },
    {
        "cc": "erin", "by": "erin", "with": ["hamid"], "type": CLINICAL, "ago": 12,
        "minutes": 60, "mode": Mode.VIDEO,
        "topics": "Case reflection on a complex discharge; what went well in joint working "
        "with the social prescriber.",
        "next": 28, "confirm": ("hamid", "Good reflection."),
    },
    {
        "cc": "erin", "by": "kate", "with": ["kate"], "type": LINE, "ago": 36, "minutes": 30,
        "mode": Mode.IN_PERSON,
        "topics": "Objectives for the year and the joint caseload meeting schedule.",
        "confirm": ("erin", ""),
    },
]


def _day(as_of, days_ago, person):
    """`days_ago` before as_of, but never before the coordinator started (Amira is new)."""
    day = as_of - datetime.timedelta(days=days_ago)
    start = person.employment_start_date
    return max(day, start) if start and start <= as_of else day


def seed(as_of: datetime.date) -> None:
    """Create the demo sessions for any demo coordinator who has none yet."""
    people = {
        key: person
        for key in EMAILS
        for person in Person.objects.select_related("user").filter(user__email=EMAILS[key])
    }
    seeded = set(
        SupervisionSession.objects.filter(
            care_coordinator__in=[people[k] for k in ("amira", "ben", "chloe", "dev", "erin")
                                  if k in people]
        ).values_list("care_coordinator_id", flat=True)
    )
    competencies = list(
        Competency.objects.filter(framework__status=FrameworkStatus.ACTIVE)
        .order_by("framework__name", "domain__sort_order", "sort_order", "pk")[:2]
    )
    for row in SESSIONS:
        if any(key not in people for key in [row["cc"], row["by"], *row["with"]]):
            continue
        cc = people[row["cc"]]
        if cc.pk in seeded:
            continue
        _seed_one(row, people, cc, competencies, as_of)
    _seed_cadence(people)


def _seed_one(row, people, cc, competencies, as_of):
    held_on = _day(as_of, row["ago"], cc)
    recorder = people[row["by"]]
    goals = []
    if row.get("goal"):
        goals = list(DevelopmentGoal.objects.filter(person=cc).order_by("pk")[:1])
    session = supervision_session_record(
        actor=recorder.user,
        recorded_by=recorder,
        care_coordinator=cc,
        session_type=row["type"],
        held_on=held_on,
        duration_minutes=row["minutes"],
        supervisors=[people[key] for key in row["with"]],
        mode=row["mode"],
        topics=row["topics"],
        notes=row.get("notes", ""),
        competencies=competencies[: row.get("competencies", 0)],
        goals=goals,
        actions=[
            AgreedAction(text, people[owner], held_on + datetime.timedelta(days=due))
            for text, owner, due, _done in row.get("actions", [])
        ],
        next_session_on=held_on + datetime.timedelta(days=row["next"]) if row.get("next")
        else None,
        as_of=as_of,
    )
    if row.get("withdraw"):
        supervision_session_withdraw(actor=recorder.user, session=session, by=recorder,
                                     reason=row["withdraw"])
        return
    if row.get("confirm"):
        key, comment = row["confirm"]
        supervision_session_confirm(actor=people[key].user, session=session, by=people[key],
                                    comment=comment, as_of=as_of)
    if row.get("addendum"):
        key, text = row["addendum"]
        session_addendum_add(actor=people[key].user, session=session, by=people[key], text=text)
    done = {text: days for text, _owner, _due, days in row.get("actions", []) if days}
    for action in session.actions.all():
        if action.description in done:
            day = min(held_on + datetime.timedelta(days=done[action.description]), as_of)
            supervision_action_done(actor=action.owner.user, action=action, by=action.owner,
                                    as_of=day)


def _seed_cadence(people):
    """Hillside expects clinical supervision every four weeks."""
    hillside = PCN.objects.filter(ods_code=HILLSIDE_ODS).first()
    kate = people.get("kate")
    if hillside is None or kate is None:
        return
    if not CadenceSetting.objects.filter(pcn=hillside).exists():
        cadence_settings_save(actor=kate.user, pcn=hillside,
                              intervals={CLINICAL: HILLSIDE_CLINICAL_DAYS})
