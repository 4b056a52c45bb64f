"""Demo DES 4 partner registers, DES 7 directory entries and practice awareness records for the
demo people (after seed_demo).

Riverside Central has four partners (one review overdue, one due soon, two checked), Amira,
Ben and Chloe listed in its directory, and its practices told about them, except that Mill
Lane Health Centre has not yet been told about Chloe. Hillside Villages has two partners and
Dev and Erin listed, with no practice told yet. Idempotent: a partner already there (same PCN
and name), a coordinator already with an entry, or a practice with a record is left alone.
Everything goes through the services, dated relative to `as_of`.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from lms.models import Person, RoleAssignment

from . import directory_services, partner_services
from .models import AwarenessMethod, DirectoryEntry, PartnerOrganisation, PracticeAwareness

EMAILS = {
    "jo": "jo.smith@riverside.example",
    "kate": "kate.lewis@hillside.example",
    "fiona": "fiona.reid@riverside.example",
    "hamid": "hamid.ali@hillside.example",
    "amira": "amira.khan@riverside.example",
    "ben": "ben.okafor@riverside.example",
    "chloe": "chloe.evans@riverside.example",
    "dev": "dev.patel@hillside.example",
    "erin": "erin.walsh@hillside.example",
}
DEMO_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# (manager, name, offers, contact name, email, phone, website, checks:
#  [(days ago, checker, what was checked, with an evidence file)])
PARTNERS = [
    ("jo", "Riverside Men's Shed",
     "A workshop where men over 50 meet, make and mend things together: friendship, "
     "belonging and practical skills.",
     "Dave Morris", "shed@riverside-shed.example", "01632 960 101",
     "https://riverside-shed.example",
     [(400, "jo", "Safeguarding policy seen (2024); named lead Dave Morris; volunteers "
                  "DBS-checked.", False)]),  # review overdue
    ("jo", "Age UK Riverside",
     "Befriending calls and visits, benefits advice and a lunch club for older people.",
     "Pat Jones", "pat.jones@ageuk-riverside.example", "01632 960 102",
     "https://ageuk-riverside.example",
     [(350, "fiona", "Safeguarding adults policy and training records seen; named lead.",
       True)]),  # due soon
    ("jo", "Quayside Walking for Health",
     "Free weekly group walks led by trained volunteers: activity, company and confidence.",
     "Sam Carter", "walks@quayside.example", "", "",
     [(420, "jo", "Policy seen; walk leaders trained.", False),
      (60, "jo", "Policy reviewed (2026 version); walk leaders' training in date.", True)]),
    ("jo", "Riverside Community Kitchen",
     "Cook-and-eat sessions teaching healthy meals on a budget, with a shared meal.",
     "Priya Shah", "hello@riverside-kitchen.example", "01632 960 104", "",
     [(150, "fiona", "Safeguarding policy and lone-working procedure seen.", False)]),
    ("kate", "Hillside Villages Good Neighbours",
     "Volunteer drivers, shopping help and friendly visits for people living alone.",
     "Rose Bennett", "rose@goodneighbours.example", "01632 960 201", "",
     [(90, "kate", "Safeguarding policy and volunteer DBS checks seen.", True)]),
    ("kate", "Moorview Carers' Café",
     "A monthly café for unpaid carers: peer support, information and a break.",
     "", "cafe@moorview-carers.example", "", "https://moorview-carers.example",
     [(200, "hamid", "Safeguarding policy seen; named lead is the café coordinator.",
       False)]),
]

HOW_TO_REFER = ("Ask reception to book a care coordinator appointment, or send a task to "
                "the care coordinator team in the clinical system.")
# (person, about, practice ODS codes (empty: all of the PCN's))
ENTRIES = [
    ("amira", "I help people with long-term conditions plan their care and find support "
              "in the community. I work Monday to Thursday.", ()),
    ("ben", "I coordinate care for people living with frailty and their carers, and run the "
            "practice's personalised care reviews.", ()),
    ("chloe", "I am based at Quayside Surgery and help people get ready for their annual "
              "reviews and link them to local groups.", ("Y81012",)),
    ("dev", "I support people after a hospital stay and help them plan what matters to them.",
     ()),
    ("erin", "I work with Hillside Surgery and Orchard Green Practice, linking people to "
             "support for their health and wellbeing.", ("Y81021", "Y81022")),
]
#: Riverside's practices told about its coordinators: (ODS code, days ago, method, who, about).
AWARENESS = [
    ("Y81011", 20, AwarenessMethod.STAFF_MEETING, "jo", ("amira", "ben", "chloe")),
    ("Y81012", 18, AwarenessMethod.EMAIL, "fiona", ("amira", "ben", "chloe")),
    ("Y81013", 15, AwarenessMethod.NEWSLETTER, "jo", ("amira", "ben")),  # not told of Chloe
]


def _people():
    return {key: Person.objects.select_related("user", "pcn").get(user__email=email)
            for key, email in EMAILS.items()}


def _seed_partners(people, as_of):
    for (manager, name, offers, contact, email, phone, website, checks) in PARTNERS:
        pcn = people[manager].pcn
        if PartnerOrganisation.objects.filter(pcn=pcn, name=name).exists():
            continue
        first_check = max(days for days, *_rest in checks)
        partner = partner_services.partner_create(
            actor=people[manager].user, pcn=pcn, as_of=as_of, name=name, offers=offers,
            contact_name=contact, contact_email=email, contact_phone=phone, website=website,
            added_on=as_of - datetime.timedelta(days=first_check + 7),
        )
        for days, checker, outcome, with_file in sorted(checks, reverse=True):
            evidence = None
            if with_file:
                evidence = SimpleUploadedFile("safeguarding-policy.pdf", DEMO_PDF,
                                              content_type="application/pdf")
            partner_services.safeguarding_check_record(
                actor=people[manager].user, partner=partner,
                checked_on=as_of - datetime.timedelta(days=days), checked_by=people[checker],
                outcome=outcome, as_of=as_of, evidence_file=evidence,
            )


def _coordinator_start(person, as_of):
    assignment = (
        RoleAssignment.objects.current(as_of).care_coordinators()
        .filter(person=person, pcn_id=person.pcn_id).order_by("starts_on").first()
    )
    return assignment.starts_on if assignment else None


def _seed_directory(people, as_of):
    for key, about, codes in ENTRIES:
        person = people[key]
        pcn = person.pcn
        started = _coordinator_start(person, as_of)
        if started is None or DirectoryEntry.objects.filter(person=person, pcn=pcn).exists():
            continue
        practices = list(pcn.practices.order_by("name"))
        if codes:
            practices = [p for p in practices if p.ods_code in codes]
        # Listed a couple of months back (or from their start), as the manager did then.
        listed_from = max(started, as_of - datetime.timedelta(days=60))
        manager = people["jo" if pcn == people["jo"].pcn else "kate"]
        directory_services.directory_entry_list(
            actor=manager.user, pcn=pcn, person=person, as_of=listed_from,
            listed_from=listed_from, display_name=f"{person.given_name} {person.family_name}",
            how_to_refer=HOW_TO_REFER, about=about, practices=practices,
        )


def _seed_awareness(people, as_of):
    pcn = people["jo"].pcn
    practices = {p.ods_code: p for p in pcn.practices.all()}
    for code, days, method, teller, about in AWARENESS:
        practice = practices.get(code)
        if practice is None or PracticeAwareness.objects.filter(practice=practice).exists():
            continue
        coordinators = [people[k] for k in about
                        if _coordinator_start(people[k], as_of) is not None]
        if not coordinators:
            continue
        directory_services.awareness_record(
            actor=people["jo"].user, practice=practice, as_of=as_of,
            told_on=as_of - datetime.timedelta(days=days), method=method,
            told_by=people[teller], coordinators=coordinators,
            notes="Told with a link to the “Meet your care coordinators” page.",
        )


@transaction.atomic
def seed(as_of: datetime.date) -> None:
    people = _people()
    _seed_partners(people, as_of)
    _seed_directory(people, as_of)
    _seed_awareness(people, as_of)
