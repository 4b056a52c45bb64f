"""Demo peer-network, MDT and joint caseload sessions for the demo people (after seed_demo).

Riverside has a peer network and a joint caseload meeting with their registers taken (CPD hours
credited), an action learning set two days ago whose register Grace still has to take, an
upcoming peer network, an ICB-wide webinar and a cancelled refresher; Hillside has an upcoming
MDT meeting. Idempotent: a session already there (same PCN and title) is left alone. No emails.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from lms.models import Person

from . import network_services as services
from .models import RSVP, Attendance, Audience, NetworkSession
from .models import NetworkSessionKind as Kind

RIVERSIDE_CCS = ("amira", "ben", "chloe")
EMAILS = {
    "amira": "amira.khan@riverside.example",
    "ben": "ben.okafor@riverside.example",
    "chloe": "chloe.evans@riverside.example",
    "dev": "dev.patel@hillside.example",
    "erin": "erin.walsh@hillside.example",
    "grace": "grace.hughes@riverside.example",
    "fiona": "fiona.reid@riverside.example",
    "hamid": "hamid.ali@hillside.example",
    "jo": "jo.smith@riverside.example",
    "kate": "kate.lewis@hillside.example",
}
A, P, X = Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.ABSENT

# (key, organiser, facilitator, kind, title, days from as_of, start, end, where, audience,
#  invitees, replies, register, extra fields)
SESSIONS = [
    ("peer-past", "jo", "fiona", Kind.PEER_NETWORK,
     "Riverside care coordinator peer network: the frailty cohort", -14, "13:00", "14:30",
     {"venue": "Riverside Medical Centre, meeting room 2"}, Audience.PCN,
     RIVERSIDE_CCS, {"amira": RSVP.YES, "ben": RSVP.YES, "chloe": RSVP.NO},
     {"amira": A, "ben": A, "chloe": P},
     {"themes": "Frailty caseload, using the PCSP template, looking after yourself",
      "notes": "Shared approaches to the frailty cohort and the new personalised care and "
               "support plan template. Agreed to bring one case each (anonymised) next time."}),
    ("joint-past", "jo", "jo", Kind.JOINT_CASELOAD,
     "Joint caseload meeting with SPLWs and HWBCs", -9, "10:00", "11:00",
     {"venue": "Quayside Surgery, seminar room",
      "other_attendees": "Sam Carter (social prescribing link worker), Priya Shah (health and "
                         "wellbeing coach)"},
     Audience.PCN, RIVERSIDE_CCS, {"ben": RSVP.YES, "chloe": RSVP.YES, "amira": RSVP.MAYBE},
     {"ben": A, "chloe": A, "amira": X},
     {"themes": "Loneliness referrals, weight management, who leads on shared patients",
      "notes": "Agreed who leads for patients shared between care coordination and social "
               "prescribing, and a monthly slot to review shared caseloads."}),
    ("als-recent", "grace", "grace", Kind.ACTION_LEARNING,
     "Action learning set: coordinating hospital discharges", -2, "14:00", "15:30",
     {"online_link": "https://teams.microsoft.com/l/meetup-join/demo-riverside-als"},
     Audience.PCN, RIVERSIDE_CCS, {"amira": RSVP.YES, "ben": RSVP.YES, "chloe": RSVP.YES},
     None, {}),
    ("mdt-next", "kate", "hamid", Kind.MDT, "Hillside MDT meeting", 5, "09:00", "10:30",
     {"venue": "Hillside Surgery, library"}, Audience.PCN, ("dev", "erin", "hamid"),
     {"erin": RSVP.YES}, None, {}),
    ("webinar-next", "jo", "jo", Kind.WEBINAR,
     "Care coordinator network webinar: personalised care and support planning", 7,
     "12:30", "13:30",
     {"online_link": "https://teams.microsoft.com/l/meetup-join/demo-icb-webinar"},
     Audience.ICB, ("amira", "ben", "chloe", "dev", "erin"),
     {"amira": RSVP.YES, "dev": RSVP.MAYBE}, None,
     {"description": "Fifteen minutes on what a good personalised care and support plan looks "
                     "like, then questions and sharing across the ICB's PCNs."}),
    ("peer-next", "jo", "fiona", Kind.PEER_NETWORK,
     "Riverside care coordinator peer network: bring a case", 14, "13:00", "14:30",
     {"venue": "Riverside Medical Centre, meeting room 2"}, Audience.PCN,
     RIVERSIDE_CCS, {}, None, {}),
    ("refresher-cancelled", "jo", "grace", Kind.REFRESHER,
     "Refresher: shared decision making conversations", 21, "15:00", "16:30",
     {"venue": "Mill Lane Health Centre"}, Audience.PCN, RIVERSIDE_CCS, {}, None,
     {"cancelled": "The trainer is unavailable; it will be arranged again in the new year."}),
]


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@transaction.atomic
def seed(as_of: datetime.date) -> None:
    people = {key: Person.objects.select_related("user", "pcn").get(user__email=email)
              for key, email in EMAILS.items()}
    end_of_day = _at(as_of, "23:59")
    for (_key, organiser, facilitator, kind, title, days, start, end, where, audience,
         invitees, replies, register, extra) in SESSIONS:
        pcn = people[organiser].pcn
        if NetworkSession.objects.filter(pcn=pcn, title=title).exists():
            continue
        day = as_of + datetime.timedelta(days=days)
        extra = dict(extra)
        cancelled = extra.pop("cancelled", None)
        themes, notes = extra.pop("themes", None), extra.pop("notes", None)
        description = extra.pop("description", "")
        session = services.network_session_create(
            actor=people[organiser].user, pcn=pcn, created_by=people[organiser],
            kind=kind, title=title, starts_at=_at(day, start), ends_at=_at(day, end),
            facilitator=people[facilitator], audience=audience,
            description=description,
            **where,
        )
        services.invitations_send(
            actor=people[organiser].user, session=session,
            people=[people[k] for k in invitees], as_of=as_of, notify=False,
        )
        for who, reply in replies.items():
            invitation = session.invitations.get(person=people[who])
            services.rsvp_record(actor=people[who].user, invitation=invitation, rsvp=reply,
                                 now=session.starts_at - datetime.timedelta(days=1))
        if register:
            services.register_save(
                actor=people[facilitator].user, recorded_by=people[facilitator],
                session=session, as_of=as_of, now=max(end_of_day, session.ends_at),
                attendance={people[who].pk: state for who, state in register.items()},
                notes=notes, themes=themes,
            )
        if cancelled:
            services.network_session_cancel(actor=people[organiser].user, session=session,
                                             reason=cancelled, notify=False)
