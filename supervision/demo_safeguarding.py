"""Demo safeguarding discussions for the demo people (run after `seed_demo`); idempotent.

Riverside coordinators discuss concerns with Isaac Brown, their safeguarding GP; Dev, in
Hillside, with Hamid Ali. The set shows each state a page can show: a referral, an
escalation, a follow-up overdue, one due soon, one done, an addendum and a withdrawn log.
"""

import datetime

from lms.models import Person

from .models import ConcernCategory, Escalation, SafeguardingDiscussion
from .safeguarding_services import (
    safeguarding_addendum_add,
    safeguarding_discussion_record,
    safeguarding_discussion_withdraw,
)

# (coordinator, GP, days ago, category, concern, outcome, escalation, to whom,
#  follow-up date in days from today (negative: in the past) or None)
LOGS = [
    ("amira.khan@riverside.example", "isaac.brown@riverside.example", 20,
     ConcernCategory.DOMESTIC_VIOLENCE,
     "During a home visit a patient said their partner controls their money and phone, and "
     "seemed anxious when the partner came in.",
     "Agreed the patient's GP will offer a private appointment and share IDVA service "
     "details. I will check the appointment was offered.",
     Escalation.NONE, "", 7),
    ("ben.okafor@riverside.example", "isaac.brown@riverside.example", 150,
     ConcernCategory.ABUSE,
     "An older patient living alone has unexplained bruising and a family member is "
     "collecting their pension.",
     "Isaac agreed this meets the threshold for an adult safeguarding referral and made it "
     "the same day.",
     Escalation.REFERRAL, "Local authority adult safeguarding team", -136),
    ("ben.okafor@riverside.example", "isaac.brown@riverside.example", 45,
     ConcernCategory.MENTAL_HEALTH,
     "A patient I support for social isolation mentioned feeling hopeless and not seeing "
     "the point in going on.",
     "Isaac called the patient that afternoon and arranged an urgent review with the "
     "community mental health team.",
     Escalation.ESCALATION, "Community mental health crisis team", -15),
    ("ben.okafor@riverside.example", "isaac.brown@riverside.example", 9,
     ConcernCategory.OTHER,
     "A carer told me they can no longer manage the person they care for and is at "
     "breaking point.",
     "Agreed to refer the carer for a carer's assessment and to check in with them.",
     Escalation.NONE, "", 3),
    ("dev.patel@hillside.example", "hamid.ali@hillside.example", 60,
     ConcernCategory.ABUSE,
     "Neighbours reported that a patient with dementia is often left alone and without "
     "food.",
     "Hamid referred to adult social care; a welfare visit was arranged.",
     Escalation.REFERRAL, "Adult social care front door", None),
]


def seed(as_of: datetime.date) -> None:
    """Create the demo logs for any demo coordinator who has none yet."""
    people = {p.user.email: p for p in Person.objects.select_related("user").filter(
        user__email__in={row[0] for row in LOGS} | {row[1] for row in LOGS})}
    seeded = set(
        SafeguardingDiscussion.objects.filter(care_coordinator__in=people.values())
        .values_list("care_coordinator__user__email", flat=True)
    )
    created = {}
    for cc_email, gp_email, days_ago, category, concern, outcome, escalation, to_whom, \
            follow_up in LOGS:
        cc, gp = people.get(cc_email), people.get(gp_email)
        if cc is None or gp is None or cc_email in seeded:
            continue
        # Never before the coordinator started (Amira is new this month).
        if cc.employment_start_date:
            days_ago = min(days_ago, max((as_of - cc.employment_start_date).days, 0))
        discussed_on = as_of - datetime.timedelta(days=days_ago)
        discussion = safeguarding_discussion_record(
            actor=cc.user, care_coordinator=cc, discussed_with=gp, discussed_on=discussed_on,
            category=category, concern=concern, outcome=outcome, escalation=escalation,
            escalated_to=to_whom,
            follow_up_on=max(as_of + datetime.timedelta(days=follow_up), discussed_on)
            if follow_up is not None else None,
            as_of=as_of,
        )
        created.setdefault(cc_email, []).append(discussion)

    ben_logs = created.get("ben.okafor@riverside.example")
    if ben_logs:
        referral, escalated, _carer = ben_logs
        gp, ben = referral.discussed_with, referral.care_coordinator
        safeguarding_addendum_add(
            actor=gp.user, discussion=referral, added_by=gp, as_of=as_of,
            text="The safeguarding team confirmed a section 42 enquiry is under way and "
            "asked us to continue regular contact.",
            records_follow_up=True,
        )
        safeguarding_addendum_add(
            actor=ben.user, discussion=escalated, added_by=ben, as_of=as_of,
            text="Correction: the conversation was by phone, not at the practice.",
        )
        # The same discussion logged twice by mistake, then withdrawn.
        duplicate = safeguarding_discussion_record(
            actor=ben.user, care_coordinator=ben, discussed_with=gp,
            discussed_on=escalated.discussed_on, category=escalated.category,
            concern=escalated.concern, outcome=escalated.outcome,
            escalation=escalated.escalation, escalated_to=escalated.escalated_to,
            as_of=as_of,
        )
        safeguarding_discussion_withdraw(
            actor=ben.user, discussion=duplicate, withdrawn_by=ben,
            reason="Logged twice by mistake.",
        )
