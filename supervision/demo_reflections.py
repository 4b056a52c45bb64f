"""Demo reflections for the demo people (run after `seed_demo`); idempotent.

Each state a page can show: a draft, complete entries in each model, one shared with a
supervisor who has commented (and a reply), ones shared and waiting for a comment (the
supervisor's home panel counts them), one linked to a competency (so it is evidence), and
an archived one. A reflection whose author already has one of the same title is skipped.
"""

import datetime

from competencies.models import Competency, FrameworkStatus
from content.models import LearningItemPage
from lms.models import Person

from .models import Reflection, ReflectionModel, ReflectionStatus, SupervisionSession
from .reflection_services import (
    reflection_archive,
    reflection_comment_add,
    reflection_save,
    reflection_share,
)

GIBBS, DRISCOLL, FREE = ReflectionModel.GIBBS, ReflectionModel.DRISCOLL, ReflectionModel.FREE
DRAFT, COMPLETE = ReflectionStatus.DRAFT, ReflectionStatus.COMPLETE

# author, title, days ago, model, status, texts, share with, comments [(email, text)],
# link a competency, learning item code, archived
REFLECTIONS = [
    {
        "author": "amira.khan@riverside.example",
        "title": "Introducing myself at the practice team meeting",
        "days_ago": 12, "model": DRISCOLL, "status": COMPLETE,
        "texts": {
            "what": "I was asked to explain my role to the whole practice team at their "
            "monthly meeting. I had prepared five minutes but was given two, and several "
            "receptionists asked how referrals to me would work.",
            "so_what": "Most of the team had not heard of care coordinators. I realised that "
            "a clear referral route matters more to them than a description of the role.",
            "now_what": "I will write a one-page referral guide with the practice manager and "
            "ask to come back in three months to hear how it is going.",
        },
        "share_with": ["grace.hughes@riverside.example"],
        "comments": [
            ("grace.hughes@riverside.example",
             "A good reflection. The referral guide is a great idea: bring a draft to our "
             "next supervision and we can look at it together."),
            ("amira.khan@riverside.example", "Thank you, I will bring it next time."),
        ],
        "competency": True, "item": "local-pcn-induction",
    },
    {
        "author": "amira.khan@riverside.example",
        "title": "My first joint home visit",
        "days_ago": 3, "model": GIBBS, "status": DRAFT,
        "texts": {
            "description": "I joined our social prescribing link worker on a home visit to an "
            "older person who had stopped going out since a fall.",
            "feelings": "I was nervous about saying the wrong thing, and relieved that the "
            "link worker led the conversation.",
        },
    },
    {
        "author": "ben.okafor@riverside.example",
        "title": "Supporting a carer at breaking point",
        "days_ago": 9, "model": GIBBS, "status": COMPLETE,
        "texts": {
            "description": "A carer told me on the phone they could no longer cope. I "
            "listened, then discussed it with our safeguarding GP the same day.",
            "feelings": "I felt the weight of it afterwards and was worried I had promised "
            "too much.",
            "evaluation": "Listening without rushing to solutions worked well. I was less "
            "clear about what I could offer next.",
            "analysis": "I had not yet learned the local carers' support offer well enough "
            "to describe it with confidence.",
            "conclusion": "I could have said I would call back with options rather than "
            "trying to answer everything during the call.",
            "action_plan": "Learn the carers' centre referral criteria, and agree a script "
            "for difficult calls with my supervisor.",
        },
        "share_with": ["grace.hughes@riverside.example"],
        "competency": True,
    },
    {
        "author": "ben.okafor@riverside.example",
        "title": "What the health coaching course changed for me",
        "days_ago": 200, "model": FREE, "status": COMPLETE,
        "texts": {
            "body": "Before the course I gave advice; now I ask more questions and let people "
            "find their own next step. Conversations take a little longer at first but "
            "the plans people make stick.",
        },
        "item": "pci-health-coaching-course",
    },
    {
        "author": "chloe.evans@riverside.example",
        "title": "Learning the practice's appointment system",
        "days_ago": 5, "model": FREE, "status": DRAFT,
        "texts": {"body": "Notes so far: the booking rules differ between the two sites."},
    },
    {
        "author": "dev.patel@hillside.example",
        "title": "Chairing my first MDT huddle",
        "days_ago": 14, "model": DRISCOLL, "status": COMPLETE,
        "texts": {
            "what": "The usual chair was away and I ran the weekly MDT huddle for the "
            "first time.",
            "so_what": "Keeping to time was hard when one case needed a longer discussion. "
            "Agreeing actions at the end of each case helped.",
            "now_what": "Next time I will ask for complex cases in advance so we can plan "
            "the time.",
        },
        "share_with": ["hamid.ali@hillside.example"],
    },
    {
        "author": "erin.walsh@hillside.example",
        "title": "Peer network session on personal health budgets",
        "days_ago": 400, "model": DRISCOLL, "status": COMPLETE,
        "texts": {
            "what": "A peer network session on personal health budgets.",
            "so_what": "I understood who is eligible and how to start the conversation.",
            "now_what": "Share the eligibility summary with my practice team.",
        },
        "archived": True,
    },
]


def seed(as_of: datetime.date) -> None:
    """Create the demo reflections that are not there yet."""
    emails = {entry["author"] for entry in REFLECTIONS}
    for entry in REFLECTIONS:
        emails.update(entry.get("share_with", []))
        emails.update(email for email, _text in entry.get("comments", []))
    people = {
        person.user.email: person
        for person in Person.objects.select_related("user").filter(user__email__in=emails)
    }
    competency = (
        Competency.objects.filter(framework__status=FrameworkStatus.ACTIVE)
        .order_by("framework__name", "domain__sort_order", "sort_order", "pk")
        .first()
    )
    for entry in REFLECTIONS:
        author = people.get(entry["author"])
        if author is None:
            continue
        if Reflection.objects.filter(author=author, title=entry["title"]).exists():
            continue
        _seed_one(entry, author, people, competency, as_of)


def _seed_one(entry, author, people, competency, as_of):
    actor = author.user
    item = None
    if entry.get("item"):
        item = LearningItemPage.objects.live().filter(code=entry["item"]).first()
    session = (
        SupervisionSession.objects.current().filter(
            care_coordinator=author, held_on__lte=as_of - datetime.timedelta(
                days=entry["days_ago"])
        ).first()
    )
    reflection = reflection_save(
        actor=actor,
        author=author,
        title=entry["title"],
        reflected_on=as_of - datetime.timedelta(days=entry["days_ago"]),
        model=entry["model"],
        status=entry["status"],
        texts=entry["texts"],
        competencies=[competency] if competency and entry.get("competency") else [],
        learning_items=[item] if item else [],
        supervision_sessions=[session] if session else [],
        as_of=as_of,
    )
    sharees = [people[email] for email in entry.get("share_with", []) if email in people]
    if sharees:
        reflection_share(actor=actor, reflection=reflection, people=sharees, as_of=as_of)
    for email, text in entry.get("comments", []):
        if email in people:
            reflection_comment_add(actor=people[email].user, reflection=reflection,
                                   author=people[email], text=text, as_of=as_of)
    if entry.get("archived"):
        reflection_archive(actor=actor, reflection=reflection)
