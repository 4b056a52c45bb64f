"""Demo organisations and people for every role; safe to run again."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from lms import services
from lms.models import ICB, PCN, Person, Practice, Role, RoleAssignment

DEMO_PASSWORD = "Coordinate-demo-2026"

ICB_DATA = ("QRV", "NHS Riverside and Hills Integrated Care Board")
PCNS = {
    "U81001": (
        "Riverside Central PCN",
        [("Y81011", "Riverside Medical Centre"), ("Y81012", "Quayside Surgery"),
         ("Y81013", "Mill Lane Health Centre")],
    ),
    "U81002": (
        "Hillside Villages PCN",
        [("Y81021", "Hillside Surgery"), ("Y81022", "Orchard Green Practice"),
         ("Y81023", "Moorview Medical Practice")],
    ),
}

CC = "Care coordinator"
# (email, given, family, job title, PCN ODS code, funding, band, years in post)
PEOPLE = [
    ("amira.khan@riverside.example", "Amira", "Khan", CC, "U81001", "arrs", "4", 0),
    ("ben.okafor@riverside.example", "Ben", "Okafor", CC, "U81001", "arrs", "4", 2),
    ("chloe.evans@riverside.example", "Chloe", "Evans", CC, "U81001", "arrs", "4", 1),
    ("dev.patel@hillside.example", "Dev", "Patel", CC, "U81002", "arrs", "4", 1),
    ("erin.walsh@hillside.example", "Erin", "Walsh", CC, "U81002", "arrs", "4", 3),
    ("grace.hughes@riverside.example", "Grace", "Hughes", "GP partner", "U81001", "other", "n/a", 8),
    ("isaac.brown@riverside.example", "Isaac", "Brown", "GP, safeguarding lead", "U81001", "other",
     "n/a", 10),
    ("fiona.reid@riverside.example", "Fiona", "Reid", "Practice manager", "U81001", "other", "7", 6),
    ("hamid.ali@hillside.example", "Hamid", "Ali", "GP partner", "U81002", "other", "n/a", 12),
    ("jo.smith@riverside.example", "Jo", "Smith", "PCN manager", "U81001", "other", "8a", 4),
    ("kate.lewis@hillside.example", "Kate", "Lewis", "PCN manager", "U81002", "other", "8a", 5),
    ("liam.turner@icb.example", "Liam", "Turner", "Primary care workforce lead", None, "other",
     "8b", 3),
    ("maya.green@riverside.example", "Maya", "Green", "PCN training lead", "U81001", "other", "6",
     2),
]


class Command(BaseCommand):
    help = "Create demo organisations and people for every role, and print their sign-ins."

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.localdate()
        icb, _ = ICB.objects.get_or_create(ods_code=ICB_DATA[0], defaults={"name": ICB_DATA[1]})
        pcns, practices = {}, {}
        for code, (name, practice_rows) in PCNS.items():
            pcns[code], _ = PCN.objects.get_or_create(
                ods_code=code, defaults={"name": name, "icb": icb}
            )
            for p_code, p_name in practice_rows:
                practices[p_code], _ = Practice.objects.get_or_create(
                    ods_code=p_code, defaults={"name": p_name, "pcn": pcns[code]}
                )
        people = {}
        for email, given, family, title, pcn_code, funding, band, years in PEOPLE:
            start = (
                today.replace(day=1)
                if years == 0
                else today.replace(day=1) - datetime.timedelta(days=365 * years)
            )
            person = Person.objects.filter(user__email=email).first()
            if person is None:
                person = services.person_create(
                    actor=None,
                    email=email,
                    given_name=given,
                    family_name=family,
                    pcn=pcns.get(pcn_code),
                    job_title=title,
                    employment_start_date=start,
                    funding_route=funding,
                    afc_band=band,
                    password=DEMO_PASSWORD,
                )
            people[given.lower()] = person

        def assign(who, role, **scope):
            person = people[who]
            existing = RoleAssignment.objects.current(today).filter(person=person, role=role)
            if "care_coordinator" in scope:
                existing = existing.filter(care_coordinator=scope["care_coordinator"])
            if existing.exists():
                return
            starts_on = person.employment_start_date or today
            if "care_coordinator" in scope:
                starts_on = max(starts_on, scope["care_coordinator"].employment_start_date)
            services.role_assign(actor=None, person=person, role=role, starts_on=starts_on,
                                 **scope)

        riverside, hillside = pcns["U81001"], pcns["U81002"]
        assign("amira", Role.CARE_COORDINATOR, pcn=riverside)
        assign("ben", Role.CARE_COORDINATOR, pcn=riverside)
        assign("chloe", Role.CARE_COORDINATOR, pcn=riverside,
               practices=[practices["Y81012"]])
        assign("dev", Role.CARE_COORDINATOR, pcn=hillside)
        assign("erin", Role.CARE_COORDINATOR, pcn=hillside,
               practices=[practices["Y81021"], practices["Y81022"]])
        for cc in ("amira", "ben", "chloe"):
            assign("grace", Role.CLINICAL_SUPERVISOR, care_coordinator=people[cc])
            assign("isaac", Role.SAFEGUARDING_GP, care_coordinator=people[cc])
            assign("jo", Role.LINE_MANAGER, care_coordinator=people[cc])
        for cc in ("amira", "ben"):
            # Chloe has no first point of contact yet: the manager's page shows the gap.
            assign("fiona", Role.FIRST_POINT_OF_CONTACT, care_coordinator=people[cc])
        for cc in ("dev", "erin"):
            assign("hamid", Role.CLINICAL_SUPERVISOR, care_coordinator=people[cc])
            assign("hamid", Role.SAFEGUARDING_GP, care_coordinator=people[cc])
            assign("hamid", Role.FIRST_POINT_OF_CONTACT, care_coordinator=people[cc])
            assign("kate", Role.LINE_MANAGER, care_coordinator=people[cc])
        assign("jo", Role.PCN_MANAGER, pcn=riverside)
        assign("kate", Role.PCN_MANAGER, pcn=hillside)
        assign("liam", Role.ICB_VIEWER, icb=icb)
        assign("maya", Role.CURRICULUM_EDITOR)
        # A second person approves Maya's changes before they are published.
        assign("grace", Role.CURRICULUM_APPROVER)

        self._seed_learning(people, today)
        self._print_sign_ins(people)

    def _seed_learning(self, people, today):
        """Induction plans and a spread of learning records, once the curriculum exists."""
        from content.models import LearningItemPage

        items = {item.code: item for item in LearningItemPage.objects.live()}
        if not items:
            self.stdout.write("No curriculum yet: run seed_curriculum for learning records.")
            return
        for key in ("amira", "ben", "chloe", "dev", "erin"):
            services.induction_plan_generate(actor=None, person=people[key])

        def ago(days):
            return today - datetime.timedelta(days=days)

        # (person, item code, stage, enrolled days ago, completed days ago)
        records = [
            ("amira", "local-pcn-induction", "completed", None, 0),
            ("amira", "pci-elearning-core-skills", "enrolled", 0, None),
            ("ben", "pci-health-coaching-course", "completed", 600, 540),
            ("ben", "pci-elearning-core-skills", "completed", 700, 690),
            ("ben", "cstf-information-governance", "completed", None, 345),  # expires soon
            ("ben", "cstf-fire-safety", "completed", None, 760),  # expired
            ("ben", "cstf-safeguarding-adults", "completed", None, 400),
            ("ben", "local-pcn-induction", "completed", None, 720),
            ("chloe", "pci-health-coaching-course", "in_progress", 60, None),
            ("chloe", "cstf-information-governance", "completed", None, 120),
            ("dev", "pci-elearning-pcsp", "enrolled", 20, None),
            ("erin", "pci-health-coaching-course", "completed", 1000, 950),
        ]
        for who, code, stage, enrolled, completed in records:
            person, item = people[who], items.get(code)
            if item is None or person.learning_records.filter(item=item).exists():
                continue
            services.learning_record_save(
                actor=None,
                person=person,
                item=item,
                stage=stage,
                enrolled_on=ago(enrolled) if enrolled is not None else None,
                started_on=ago(enrolled) if stage == "in_progress" else None,
                completed_on=ago(completed) if completed is not None else None,
                as_of=today,
            )
        # Established coordinators finished induction long ago (Chloe still has a few open);
        # refresher items were renewed within their period.
        for who, left_open in (("ben", 0), ("erin", 0), ("chloe", 5)):
            person = people[who]
            plan = list(person.induction_items.select_related("item").order_by("due_on"))
            done = set(person.learning_records.values_list("item_id", flat=True))
            for plan_item in plan[: len(plan) - left_open]:
                if plan_item.item_id in done or plan_item.due_on >= today:
                    continue
                completed_on = (
                    ago(200) if plan_item.item.refresher_months
                    else plan_item.due_on - datetime.timedelta(days=2)
                )
                services.learning_record_save(
                    actor=None, person=person, item=plan_item.item, stage="completed",
                    completed_on=completed_on, as_of=today,
                )

    def _print_sign_ins(self, people):
        rows = [
            ("Care coordinator (new, in induction)", "amira"),
            ("Care coordinator (established)", "ben"),
            ("GP clinical supervisor, curriculum approver", "grace"),
            ("Safeguarding GP", "isaac"),
            ("First point of contact", "fiona"),
            ("PCN manager (Riverside Central)", "jo"),
            ("PCN manager (Hillside Villages)", "kate"),
            ("ICB viewer", "liam"),
            ("Curriculum editor", "maya"),
        ]
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})\n")
        for label, key in rows:
            self.stdout.write(f"  {label:<46} {people[key].email}")
        self.stdout.write("")
