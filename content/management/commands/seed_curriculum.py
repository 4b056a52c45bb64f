"""Create the care coordinator curriculum, its editors' permissions and approval workflow.

Safe to run again: pages a person has changed since are left alone (content/services.py).
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction

from content import services
from content.curriculum_data import PCN, _item
from content.models import CurriculumIndexPage, CurriculumSectionPage
from content.models import DeliveryMode as D
from content.models import Evidence as E
from content.models import Kind as K

# The items network sessions (supervision.network_services.KIND_ITEM_CODES) credit attendance
# to, where "Ongoing development" has no natural item: action learning sets and refresher
# sessions count towards the items of that section.
PEER_SUPPORT_SECTION = {
    "slug": "peer-support",
    "title": "Peer support and ongoing development",
    "intro": (
        "Peer networks, webinars and support sessions every 2 to 4 weeks, MDT meetings and "
        "meetings with social prescribing link workers and health and wellbeing coaches. "
        "Attending a session recorded in Coordinate adds its CPD hours here."
    ),
    "items": [
        _item("local-peer-network", "Care coordinator peer network", K.ONGOING_DEVELOPMENT,
              "Meeting other care coordinators of your PCN or ICB every 2 to 4 weeks to share learning, caseload experience and support, and to reflect on practice together.",
              provider=PCN, delivery_mode=D.FACE_TO_FACE, evidence_expected=[E.ATTENDANCE]),
        _item("local-mdt", "MDT meetings", K.ONGOING_DEVELOPMENT,
              "Taking part in your PCN's multidisciplinary team (MDT) meetings and supporting their coordination and delivery, as the DES asks of care coordinators.",
              provider=PCN, delivery_mode=D.WORKPLACE, evidence_expected=[E.ATTENDANCE]),
        _item("local-joint-caseload", "Joint caseload meetings with SPLWs and HWBCs", K.ONGOING_DEVELOPMENT,
              "Meeting the social prescribing link workers and health and wellbeing coaches in your area to collaborate on caseloads. Attendance is the evidence that you work closely with them (DES clause 1(b)).",
              provider=PCN, delivery_mode=D.WORKPLACE, evidence_expected=[E.ATTENDANCE]),
        _item("local-webinars", "Webinars and support sessions", K.ONGOING_DEVELOPMENT,
              "Care coordinator network webinars and support sessions, such as those of the Personalised Care Institute and the Personalised Care Collaborative Network on Future NHS.",
              delivery_mode=D.VIRTUAL_CLASSROOM, evidence_expected=[E.ATTENDANCE]),
    ],
}


def seed_peer_support(index) -> Counter:
    """The "Peer support and ongoing development" section, next to "Ongoing development"."""
    outcomes = Counter()
    section, outcome = services._section_page(index, PEER_SUPPORT_SECTION)
    outcomes[outcome] += 1
    if outcome == "created":
        ongoing = CurriculumSectionPage.objects.child_of(index).filter(
            slug="ongoing-development").first()
        if ongoing is not None:
            section.move(ongoing, pos="right")
            section.refresh_from_db()
    frameworks = services._frameworks()
    for item_data in PEER_SUPPORT_SECTION["items"]:
        _page, outcome = services._item_page(section, item_data, frameworks)
        outcomes[outcome] += 1
    return outcomes


class Command(BaseCommand):
    help = "Create or update the curriculum pages, editor groups and approval workflow."

    @transaction.atomic
    def handle(self, *args, **options):
        outcomes = services.curriculum_seed()
        outcomes.update(seed_peer_support(CurriculumIndexPage.objects.get()))
        for outcome, count in sorted(outcomes.items()):
            self.stdout.write(f"  {count:>3} pages {outcome}")
        self.stdout.write(
            "Curriculum ready at /curriculum/. Changes are published only after a "
            "curriculum approver (clinical lead) other than their author approves them."
        )
