"""Build DES compliance data in tests, with explicit dates.

`compliant_coordinator(pcn, as_of)` makes a care coordinator for whom every requirement is
MET on `as_of` (and stays met for at least the 30-day at-risk horizon). Each piece is also a
helper of its own, so a test can build one requirement's met, at-risk and not-met states.

Rows are written directly, not through services, so dates can be anything (services refuse
dates in the future of the real clock) and building 30 coordinators stays fast.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from competencies.framework_data import DES
from competencies.models import (
    Competency,
    Domain,
    EvidenceKind,
    EvidenceLink,
    Framework,
    RequestStatus,
    SignOff,
    SignOffRequest,
)
from content.models import FrameworkVersion, Kind, LearningItemPage
from lms.compliance.models import (
    AwarenessMethod,
    DirectoryEntry,
    PartnerOrganisation,
    PracticeAwareness,
    SafeguardingCheck,
)
from lms.compliance.requirements import requirement_set_for
from lms.models import (
    InductionPlanItem,
    LearningRecord,
    LearningStatus,
    Person,
    Role,
    RoleAssignment,
    add_months,
)
from supervision.models import (
    Attendance,
    NetworkSession,
    NetworkSessionKind,
    SessionInvitation,
    SessionType,
    SupervisionSession,
)
from tests.curriculum import curriculum_section, learning_item
from tests.factories import PersonFactory

DES_FRAMEWORK = DES["framework"]["code"]  # "des-care-coordinator-2024-25"
KEY, WIDER = "key-responsibilities", "wider-responsibilities"


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """An aware datetime at `hour` o'clock local time on `day`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- curriculum and frameworks ----------------------------------------------------------------


@dataclass
class Curriculum:
    pci_course: LearningItemPage
    pci_elearning: LearningItemPage
    information_governance: LearningItemPage  # statutory, refreshed every 12 months
    fire_safety: LearningItemPage  # statutory, refreshed every 24 months
    local_induction: LearningItemPage
    cc2015: LearningItemPage  # Care Certificate 2015, standard 1
    cc2025: LearningItemPage  # Care Certificate 2025, standard 1
    framework: Framework  # the DES responsibilities framework

    @property
    def statutory(self):
        return [self.information_governance, self.fire_safety]

    def care_certificate_for(self, as_of):
        """The Care Certificate standard that counts for induction on `as_of`."""
        version = requirement_set_for(as_of).care_certificate_version
        return self.cc2015 if version == "care-certificate-2015" else self.cc2025


def _item(section, code, **fields):
    existing = LearningItemPage.objects.filter(code=code).first()
    return existing or learning_item(section, code, **fields)


def _framework_version(code, version, effective_from, effective_to=None):
    return FrameworkVersion.objects.get_or_create(
        code=code,
        defaults=dict(name="Care Certificate", version=version,
                      effective_from=effective_from, effective_to=effective_to),
    )[0]


def des_framework(*, with_wider=True) -> Framework:
    """The DES responsibilities framework (2(a)-(i), 3(a)-(c)) from the seed data, without its
    learning-item links. Met: signed off at target with two kinds of evidence."""
    framework = Framework.objects.filter(code=DES_FRAMEWORK).first()
    if framework is not None:
        return framework
    data = DES["framework"]
    framework = Framework.objects.create(**data)
    for position, domain_data in enumerate(DES["domains"]):
        if domain_data["code"] == WIDER and not with_wider:
            continue
        domain = Domain.objects.create(
            framework=framework, code=domain_data["code"], name=domain_data["name"],
            sort_order=position,
        )
        for order, c in enumerate(domain_data["competencies"]):
            Competency.objects.create(
                framework=framework, domain=domain, code=c["code"], title=c["title"],
                descriptor=c["descriptor"], target_level=c["target_level"],
                target_by=c["target_by"], sort_order=order,
            )
    return framework


def des_curriculum(*, framework=True) -> Curriculum:
    """The few items and frameworks the rules read; safe to call again (returns the same)."""
    cc2015 = _framework_version("care-certificate-2015", "2015", datetime.date(2015, 4, 1),
                                datetime.date(2025, 7, 31))
    cc2025 = _framework_version("care-certificate-2025", "2025", datetime.date(2025, 3, 1))
    section = None
    if not LearningItemPage.objects.filter(code="des-builder-ig").exists():
        section = curriculum_section("DES builder", slug="des-builder")
    return Curriculum(
        pci_course=_item(section, "des-builder-pci-course", kind=Kind.PCI_COURSE,
                         title="Health coaching skills (PCI accredited)",
                         provider="PCI-assured provider", pci_assured=True),
        pci_elearning=_item(section, "des-builder-pci-elearning", kind=Kind.PCI_ELEARNING,
                            title="Core skills in personalised care"),
        information_governance=_item(
            section, "des-builder-ig", kind=Kind.STATUTORY_MANDATORY,
            title="Information governance and data security", refresher_months=12,
        ),
        fire_safety=_item(section, "des-builder-fire", kind=Kind.STATUTORY_MANDATORY,
                          title="Fire safety", refresher_months=24),
        local_induction=_item(section, "des-builder-local-induction", kind=Kind.LOCAL_INDUCTION,
                              title="Induction to the PCN", in_induction=True, induction_week=2),
        cc2015=_item(section, "des-builder-cc2015-01", kind=Kind.CARE_CERTIFICATE,
                     title="Standard 1: Understand your role (2015)", framework_version=cc2015,
                     standard_number=1),
        cc2025=_item(section, "des-builder-cc2025-01", kind=Kind.CARE_CERTIFICATE,
                     title="Standard 1: Understand your role (2025)", framework_version=cc2025,
                     standard_number=1),
        framework=des_framework() if framework else None,
    )


# --- people and roles -------------------------------------------------------------------------


def coordinator(pcn, *, started_on, **person_fields) -> Person:
    """A care coordinator of the PCN whose role (and employment) started on `started_on`."""
    person = PersonFactory(pcn=pcn, employment_start_date=started_on, **person_fields)
    RoleAssignment.objects.create(person=person, role=Role.CARE_COORDINATOR, pcn=pcn,
                                  starts_on=started_on)
    return person


SUPPORTER_TITLES = {
    Role.CLINICAL_SUPERVISOR: ("Grace", "Supervisor", "GP partner"),
    Role.FIRST_POINT_OF_CONTACT: ("Fern", "Contact", "Practice manager"),
    Role.SAFEGUARDING_GP: ("Sam", "Safeguarding", "Safeguarding lead GP"),
}


def pcn_person(pcn, given_name, family_name, job_title) -> Person:
    """One person of the PCN with this name, made once and reused."""
    person = Person.objects.filter(pcn=pcn, given_name=given_name, family_name=family_name,
                                   job_title=job_title).first()
    return person or PersonFactory(pcn=pcn, given_name=given_name, family_name=family_name,
                                   job_title=job_title)


def support(cc, role, *, starts_on, ends_on=None, person=None) -> RoleAssignment:
    """Name someone (by default the PCN's builder person for the role) in a support role."""
    if person is None:
        person = pcn_person(cc.pcn, *SUPPORTER_TITLES[role])
    return RoleAssignment.objects.create(
        person=person, role=role, pcn=cc.pcn, care_coordinator=cc, starts_on=starts_on,
        ends_on=ends_on,
    )


# --- learning ---------------------------------------------------------------------------------


def record(person, item, *, stage=LearningStatus.COMPLETED, on=None, **fields) -> LearningRecord:
    """A learning record at a stage; `on` is the enrolment, start or completion date."""
    dates = {}
    if stage == LearningStatus.COMPLETED:
        dates = dict(enrolled_on=on, started_on=on, completed_on=on)
    elif stage == LearningStatus.IN_PROGRESS:
        dates = dict(enrolled_on=on, started_on=on)
    elif stage == LearningStatus.ENROLLED:
        dates = dict(enrolled_on=on)
    record, _ = LearningRecord.objects.update_or_create(
        person=person, item=item, defaults=dict(stage=stage, **dates, **fields)
    )
    return record


def statutory_done(person, completed_on, items=None):
    """Every live statutory and mandatory item (or these) completed on `completed_on`."""
    if items is None:
        items = LearningItemPage.objects.live().filter(kind=Kind.STATUTORY_MANDATORY)
    return [record(person, item, on=completed_on) for item in items]


def induction_plan(person, entries, *, completed_on=None) -> list[InductionPlanItem]:
    """Plan items from (item, due_on) pairs; each completed on `completed_on` if given."""
    plan = []
    for item, due_on in entries:
        plan.append(InductionPlanItem.objects.create(person=person, item=item, due_on=due_on))
        if completed_on is not None:
            record(person, item, on=completed_on)
    return plan


# --- joint working, supervision ---------------------------------------------------------------


def joint_working(person, on, *, kind=NetworkSessionKind.JOINT_CASELOAD,
                  attendance=Attendance.ATTENDED) -> NetworkSession:
    """A joint caseload (or MDT) meeting on `on` with `person`'s attendance recorded."""
    session = NetworkSession.objects.create(
        kind=kind, title=f"{NetworkSessionKind(kind).label} {on:%d %b}", starts_at=at(on, 10),
        ends_at=at(on, 11), facilitator=person, pcn=person.pcn, created_by=person,
    )
    SessionInvitation.objects.create(session=session, person=person, attendance=attendance)
    return session


def clinical_supervision(cc, held_on, *, supervisor=None, confirmed=True,
                         session_type=SessionType.CLINICAL) -> SupervisionSession:
    supervisor = supervisor or pcn_person(cc.pcn, *SUPPORTER_TITLES[Role.CLINICAL_SUPERVISOR])
    session = SupervisionSession.objects.create(
        care_coordinator=cc, session_type=session_type, held_on=held_on, duration_minutes=60,
        topics="Caseload review.", recorded_by=supervisor,
        confirmed_by=cc if confirmed else None, confirmed_at=at(held_on, 17) if confirmed
        else None,
    )
    session.supervisors.add(supervisor)
    return session


# --- competencies -----------------------------------------------------------------------------


def sign_off_domain(person, domain_code, on, *, except_codes=(), level=3,
                    kinds=(EvidenceKind.OBSERVATION, EvidenceKind.REFLECTION),
                    assessor="Dr Grace Supervisor"):
    """Sign off every competency of a DES domain for `person` on `on`, with evidence of
    `kinds` added the day before; competencies whose code is in `except_codes` are left."""
    competencies = [
        c for c in Competency.objects.filter(framework__code=DES_FRAMEWORK,
                                             domain__code=domain_code)
        if c.code not in except_codes
    ]
    EvidenceLink.objects.bulk_create([
        EvidenceLink(person=person, competency=c, kind=kind, description=f"{kind} for {c.code}",
                     note="Seen in practice.", added_at=at(on - days(1)))
        for c in competencies for kind in kinds
    ])
    requests = SignOffRequest.objects.bulk_create([
        SignOffRequest(person=person, competency=c, status=RequestStatus.SIGNED_OFF,
                       assessor_name=assessor, created_at=at(on - days(1)),
                       decided_at=at(on))
        for c in competencies
    ])
    return SignOff.objects.bulk_create([
        SignOff(request=r, person=person, competency=c, level=level, comment="Competent.",
                rater_key=f"email:{assessor.lower().replace(' ', '.')}@example.nhs.uk",
                assessor_name=assessor, signed_at=at(on))
        for r, c in zip(requests, competencies, strict=True)
    ])


# --- DES 4 and 7 ------------------------------------------------------------------------------


def partner(pcn, *, added_on, checked_on=None, review_due_on=None, checked_by=None,
            name="Riverside Befriending") -> PartnerOrganisation:
    """A partner organisation, checked on `checked_on` (if given) with its next review due."""
    organisation = PartnerOrganisation.objects.create(
        pcn=pcn, name=name, offers="Friendship and belonging.", added_on=added_on,
    )
    if checked_on is not None:
        check(organisation, checked_on=checked_on,
              review_due_on=review_due_on or add_months(checked_on, 12), checked_by=checked_by)
    return organisation


def check(organisation, *, checked_on, review_due_on, checked_by=None) -> SafeguardingCheck:
    checked_by = checked_by or pcn_person(organisation.pcn, "Jo", "Register", "PCN manager")
    return SafeguardingCheck.objects.create(
        partner=organisation, checked_on=checked_on, checked_by=checked_by,
        outcome="Safeguarding policy seen; named lead.", review_due_on=review_due_on,
    )


def directory_listing(person, *, listed_from, listed_until=None) -> DirectoryEntry:
    entry = DirectoryEntry.objects.create(
        person=person, pcn=person.pcn, display_name=person.full_name,
        how_to_refer="Ask reception to book you in.", listed_from=listed_from,
        listed_until=listed_until,
    )
    entry.practices.set(person.pcn.practices.all())
    return entry


def practices_told(people, told_on, *, practices=None, method=AwarenessMethod.STAFF_MEETING,
                   told_by=None) -> list[PracticeAwareness]:
    """Each practice (default: every practice of the first person's PCN) told on `told_on`
    about these care coordinators."""
    people = people if isinstance(people, list | tuple) else [people]
    pcn = people[0].pcn
    practices = pcn.practices.all() if practices is None else practices
    told_by = told_by or pcn_person(pcn, "Jo", "Register", "PCN manager")
    records = []
    for practice in practices:
        awareness = PracticeAwareness.objects.create(
            practice=practice, told_on=told_on, method=method, told_by=told_by,
        )
        awareness.coordinators.set(people)
        records.append(awareness)
    return records


def register_current(pcn, as_of) -> PartnerOrganisation:
    """The PCN's partner register met on `as_of` (a partner checked, review a year away);
    made once per PCN."""
    existing = PartnerOrganisation.objects.filter(pcn=pcn).first()
    return existing or partner(pcn, added_on=as_of - days(400), checked_on=as_of - days(100),
                               review_due_on=as_of + days(265))


# --- the whole picture ------------------------------------------------------------------------


def compliant_coordinator(pcn, as_of, *, started_on=None, **person_fields) -> Person:
    """A care coordinator for whom every requirement is MET on `as_of`, and stays met for 30
    days but for monthly clinical supervision (next due 24 days on).

    Started 18 months earlier; PCI qualified; joint working 20 days ago; key and wider
    responsibilities signed off; partner register current; first point of contact, GP
    supervisor and safeguarding GP named; supervised a week ago; listed and every practice
    told; statutory and mandatory training current; induction complete (with the Care
    Certificate version of `as_of`'s contract year)."""
    curriculum = des_curriculum()
    started_on = started_on or add_months(as_of, -18)
    cc = coordinator(pcn, started_on=started_on, **person_fields)
    record(cc, curriculum.pci_course, on=as_of - days(200), provider="PCI-assured provider",
           provider_pci_assured=True)
    joint_working(cc, as_of - days(20))
    sign_off_domain(cc, KEY, as_of - days(60))
    sign_off_domain(cc, WIDER, as_of - days(60))
    register_current(pcn, as_of)
    for role in (Role.FIRST_POINT_OF_CONTACT, Role.CLINICAL_SUPERVISOR, Role.SAFEGUARDING_GP):
        support(cc, role, starts_on=started_on)
    clinical_supervision(cc, as_of - days(7))
    directory_listing(cc, listed_from=started_on)
    practices_told(cc, as_of - days(100))
    statutory_done(cc, as_of - days(30))
    induction_plan(
        cc,
        [(curriculum.local_induction, started_on + days(14)),
         (curriculum.care_certificate_for(as_of), started_on + days(84))],
        completed_on=started_on + days(10),
    )
    return cc


def result(person, code, as_of):
    """One requirement's result for one person on `as_of`, through the engine."""
    from lms.compliance import engine

    return engine.coordinator_compliance(person, as_of).results[code]
