"""Build a person's records in every area (subject access and retention tests).

`fill(person, n, supporter=..., tag=...)` writes `n` rows in each area about `person`, with
free text marked by `tag`, and an uploaded file each time; rows are written directly (as in
tests/compliance/builders.py) except uploads, which go through the service so the files
really are in storage.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from competencies.models import (
    Competency,
    EvidenceKind,
    EvidenceLink,
    RequestStatus,
    SelfAssessment,
    SignOff,
    SignOffRequest,
)
from lms import services
from lms.audit import audit_record
from lms.compliance.models import DirectoryEntry, PracticeAwareness
from lms.models import DevelopmentGoal, GoalComment, InductionPlanItem, LearningRecord
from supervision.models import (
    Attendance,
    NetworkSession,
    NetworkSessionKind,
    Reflection,
    ReflectionComment,
    ReflectionShare,
    SafeguardingAddendum,
    SafeguardingDiscussion,
    SessionAddendum,
    SessionInvitation,
    SessionType,
    SupervisionAction,
    SupervisionSession,
)
from tests.compliance.builders import at, des_framework
from tests.curriculum import curriculum_section, learning_item

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
START = datetime.date(2025, 3, 1)


def pdf_bytes(tag: str) -> bytes:
    return PDF + tag.encode()


def fill(person, n, *, supporter, tag, start=START):
    """`n` rows in every area about `person`; free text carries `tag`."""
    framework = des_framework()
    competencies = list(Competency.objects.filter(framework=framework).order_by("pk")[:n])
    section = curriculum_section(f"Training {tag}", slug=f"training-{tag}")
    for i in range(n):
        on = start + datetime.timedelta(days=7 * i)
        item = learning_item(section, f"item-{tag}-{i}", title=f"Item {tag} {i}")
        evidence = services.evidence_file_store(
            actor=person.user, owner=person,
            uploaded_file=SimpleUploadedFile(f"certificate {tag} {i}.pdf", pdf_bytes(f"{tag}{i}")),
        )
        record = LearningRecord.objects.create(
            person=person, item=item, stage="completed", enrolled_on=on, started_on=on,
            completed_on=on, notes=f"Notes {tag} {i}", provider="e-LfH",
        )
        record.certificates.add(evidence)
        InductionPlanItem.objects.create(person=person, item=item, due_on=on)
        goal = DevelopmentGoal.objects.create(person=person, title=f"Goal {tag} {i}",
                                              description=f"Goal text {tag} {i}")
        goal.learning_items.add(item)
        GoalComment.objects.create(goal=goal, author=supporter, text=f"Goal comment {tag} {i}")

        competency = competencies[i]
        assessment = SelfAssessment.objects.create(
            person=person, competency=competency, level=2, narrative=f"Narrative {tag} {i}",
        )
        link = EvidenceLink.objects.create(
            person=person, competency=competency, kind=EvidenceKind.OBSERVATION,
            description=f"Evidence {tag} {i}", note=f"Observed {tag} {i}",
        )
        request = SignOffRequest.objects.create(
            person=person, competency=competency, self_assessment=assessment, reviewer=supporter,
            status=RequestStatus.SIGNED_OFF, decided_at=at(on),
        )
        request.evidence.add(link)
        SignOff.objects.create(
            request=request, person=person, competency=competency, level=3,
            comment=f"Competent {tag} {i}", signed_by=supporter.user,
            rater_key=f"user:{supporter.user_id}", assessor_name=supporter.full_name,
            signed_at=at(on),
        )

        session = SupervisionSession.objects.create(
            care_coordinator=person, session_type=SessionType.CLINICAL, held_on=on,
            duration_minutes=60, topics=f"Topics {tag} {i}", notes=f"Session notes {tag} {i}",
            recorded_by=supporter, confirmed_by=person, confirmed_at=at(on, 17),
        )
        session.supervisors.add(supporter)
        session.goals.add(goal)
        SupervisionAction.objects.create(session=session, description=f"Action {tag} {i}",
                                         owner=person, due_on=on)
        SessionAddendum.objects.create(session=session, text=f"Addendum {tag} {i}",
                                       added_by=person)

        discussion = SafeguardingDiscussion.objects.create(
            care_coordinator=person, discussed_with=supporter, discussed_on=on,
            category="other", concern=f"Concern {tag} {i}", outcome=f"Outcome {tag} {i}",
            recorded_by=person,
        )
        SafeguardingAddendum.objects.create(discussion=discussion, text=f"Follow-up {tag} {i}",
                                            added_by=person)

        reflection = Reflection.objects.create(
            author=person, title=f"Reflection {tag} {i}", reflected_on=on,
            description=f"What happened {tag} {i}", feelings=f"Feelings {tag} {i}",
        )
        reflection.supervision_sessions.add(session)
        ReflectionShare.objects.create(reflection=reflection, shared_with=supporter)
        ReflectionComment.objects.create(reflection=reflection, author=supporter,
                                         text=f"Reflection comment {tag} {i}")

        network = NetworkSession.objects.create(
            kind=NetworkSessionKind.JOINT_CASELOAD, title=f"Joint meeting {tag} {i}",
            starts_at=at(on, 10), ends_at=at(on, 11), facilitator=supporter, pcn=person.pcn,
            created_by=supporter,
        )
        SessionInvitation.objects.create(session=network, person=person,
                                         attendance=Attendance.ATTENDED)

        entry = DirectoryEntry.objects.create(
            person=person, pcn=person.pcn, display_name=f"{person.full_name} {i}",
            about=f"About me {tag} {i}", how_to_refer="Ask reception.", listed_from=on,
            listed_until=on + datetime.timedelta(days=1) if i < n - 1 else None,
        )
        entry.practices.set(person.pcn.practices.all())
        awareness = PracticeAwareness.objects.create(
            practice=person.pcn.practices.first(), told_on=on, method="email",
            told_by=supporter,
        )
        awareness.coordinators.add(person)
        audit_record(actor=supporter.user, action="test.touch", obj=record,
                     after={"tag": tag})
