"""Export a framework as CSV or JSON and import it back: all or nothing, never over sign-offs."""

import csv
import io
import json

import pytest

from competencies.frameworks_io import (
    CSV_COLUMNS,
    IN_USE_MESSAGE,
    FrameworkImportError,
    framework_data,
    framework_export_csv,
    framework_export_json,
    framework_import,
    framework_import_file,
)
from competencies.models import (
    Competency,
    Domain,
    Framework,
    SignOff,
    SignOffRequest,
)
from lms.models import AuditEntry
from tests.curriculum import curriculum_section, learning_item
from tests.factories import UserFactory


@pytest.fixture
def items(db):
    section = curriculum_section("Training")
    return {code: learning_item(section, code)
            for code in ("um-shared-decision-making", "local-pcsp-sdm", "pci-elearning-pcsp")}


def sample(**framework):
    return {
        "format_version": 1,
        "framework": {
            "code": "local-framework", "name": "Local framework", "version": "1",
            "description": "Ours.", "status": "active",
            "scale": ["Not yet", "Developing", "Competent", "Proficient"],
            "signoffs_required": 2, "evidence_kinds_required": 2, **framework,
        },
        "domains": [
            {"code": "sdm", "name": "Shared decision making", "description": "", "competencies": [
                {"code": "decision-aids", "title": "Decision aids",
                 "descriptor": "=Supports people, to use \"decision aids\";\nbefore talking.",
                 "target_level": 3, "target_by": "By month 6",
                 "learning_items": ["local-pcsp-sdm", "um-shared-decision-making"]},
                {"code": "raise-awareness", "title": "Raise awareness",
                 "descriptor": "Raises awareness of SDM.", "target_level": 2,
                 "target_by": "", "learning_items": []},
            ]},
            {"code": "plans", "name": "Plans", "description": "Care plans.", "competencies": [
                {"code": "pcsp", "title": "A single plan", "descriptor": "Brings it together.",
                 "target_level": 4, "target_by": "By the end of induction",
                 "learning_items": ["pci-elearning-pcsp"]},
            ]},
        ],
    }


@pytest.fixture
def actor(db):
    return UserFactory()


@pytest.fixture
def framework(items, actor):
    return framework_import(actor=actor, data=sample()).framework


def without(data, *keys):
    clean = json.loads(json.dumps(data))
    for key in keys:
        clean["framework"].pop(key)
    return clean


def state():
    return (Framework.objects.count(), Domain.objects.count(), Competency.objects.count(),
            AuditEntry.objects.count(),
            [framework_data(f) for f in Framework.objects.all()])


def csv_text(rows, columns=CSV_COLUMNS):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def test_import_creates_a_framework_and_writes_an_audit_entry(framework, actor):
    assert framework.domains.count() == 2
    assert Competency.objects.filter(framework=framework).count() == 3
    entry = AuditEntry.objects.get(action="framework.import")
    assert entry.actor == actor and entry.object_id == str(framework.pk)
    assert entry.before is None


def test_json_round_trip(framework, actor):
    exported = framework_export_json(framework)

    data = json.loads(exported)
    assert data == sample()
    data["framework"].update(code="local-framework-2", version="2")
    copy = framework_import_file(actor=actor, name="copy.json",
                                 content=json.dumps(data).encode()).framework

    assert copy.pk != framework.pk
    assert without(framework_data(copy), "code", "version") == without(sample(), "code",
                                                                        "version")


def test_csv_round_trip_keeps_text_and_takes_the_rules_from_the_framework(framework, actor):
    exported = framework_export_csv(framework)
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1][7].startswith("'=")  # a spreadsheet would not run it as a formula
    assert rows[1][10] == "local-pcsp-sdm;um-shared-decision-making"
    before = {c.code: c.pk for c in Competency.objects.filter(framework=framework)}

    result = framework_import_file(actor=actor, name="local.csv",
                                   content=("\ufeff" + exported).encode())

    assert result.framework.pk == framework.pk and not result.created
    assert framework_data(result.framework) == sample()
    after = {c.code: c.pk for c in Competency.objects.filter(framework=framework)}
    assert after == before  # updated in place, matched by code


def test_csv_of_a_new_framework_uses_the_default_scale_and_a_level_name(items, actor):
    text = csv_text([["new-fw", "New", "1", "d1", "Domain", "c1", "Title", "Does it.",
                      "proficient", "", "local-pcsp-sdm"]])

    framework = framework_import_file(actor=actor, name="new.csv",
                                      content=text.encode()).framework

    assert framework.scale[2] == "Competent"
    assert (framework.signoffs_required, framework.evidence_kinds_required) == (1, 1)
    assert Competency.objects.get(framework=framework).target_level == 4


def test_update_in_place_removes_competencies_left_out_and_moves_between_domains(framework,
                                                                                 actor):
    data = sample()
    data["domains"][0]["competencies"].pop(1)
    data["domains"][1]["competencies"].append(data["domains"][0]["competencies"].pop(0))
    data["domains"].pop(0)

    framework_import(actor=actor, data=data)

    assert list(Competency.objects.filter(framework=framework).values_list(
        "domain__code", "code")) == [("plans", "pcsp"), ("plans", "decision-aids")]
    assert list(framework.domains.values_list("code", flat=True)) == ["plans"]
    assert AuditEntry.objects.filter(action="framework.import").last().before is not None


def error_messages(name, content, actor):
    with pytest.raises(FrameworkImportError) as raised:
        framework_import_file(actor=actor, name=name, content=content.encode())
    return raised.value.messages


ROW = ["local-framework", "Local framework", "1", "sdm", "Shared decision making"]


@pytest.mark.parametrize("case, content, expected", [
    ("unknown column",
     csv_text([[*ROW, "c1", "T", "D", "3", "", "", "x"]], [*CSV_COLUMNS, "notes"]),
     "Unknown columns: notes."),
    ("missing column",
     csv_text([ROW[:4]], CSV_COLUMNS[:4]),
     "Missing required columns: domain_name, competency_code, title, descriptor."),
    ("duplicate codes",
     csv_text([[*ROW, "c1", "T", "D", "3", "", ""], [*ROW, "c2", "T", "D", "3", "", ""],
               [*ROW, "c1", "T2", "D", "3", "", ""]]),
     "Rows 2 and 4 have the same competency code 'c1'."),
    ("bad target level",
     csv_text([[*ROW, "c1", "T", "D", "9", "", ""]]),
     "Row 2: target level '9' is not on the scale"),
    ("unknown learning items",
     csv_text([[*ROW, "c1", "T", "D", "3", "", "local-pcsp-sdm;no-such-item;other-missing"]]),
     "Row 2: unknown learning item codes: no-such-item, other-missing."),
])
def test_csv_errors_are_named_and_nothing_is_written(framework, actor, case, content,
                                                     expected):
    before = state()

    messages = error_messages("bad.csv", content, actor)

    assert any(message.startswith(expected) for message in messages), messages
    assert state() == before


def test_json_errors_name_every_problem_and_nothing_is_written(framework, actor):
    data = sample(code="other-framework", version="2")
    data["domains"][0]["competencies"][1]["code"] = "decision-aids"
    data["domains"][1]["competencies"][0]["learning_items"] = ["nope"]
    data["domains"][1]["competencies"][0]["target_level"] = 0
    before = state()

    messages = error_messages("bad.json", json.dumps(data), actor)

    assert "Domain 1, competency 1 and domain 1, competency 2 have the same competency code " \
           "'decision-aids'." in messages
    assert "Domain 2, competency 1: unknown learning item codes: nope." in messages
    assert ("Domain 2, competency 1: target level 0 is not on the scale (a number from 1 to 4 "
            "or one of: Not yet, Developing, Competent, Proficient).") in messages
    assert len(messages) == 3
    assert state() == before


def test_a_newer_format_version_is_refused_clearly(items, actor):
    data = sample()
    data["format_version"] = 2

    messages = error_messages("future.json", json.dumps(data), actor)

    assert messages == [
        "This file was made by a newer version of Coordinate (format version 2); this version "
        "reads format version 1. Export it again from a matching version, or update Coordinate."
    ]
    assert not Framework.objects.exists()


def test_a_framework_with_sign_offs_is_refused(framework, actor, care_coordinator):
    competency = Competency.objects.get(code="decision-aids")
    request = SignOffRequest.objects.create(person=care_coordinator, competency=competency)
    SignOff.objects.create(request=request, person=care_coordinator, competency=competency,
                           level=3, comment="Seen it.", rater_key="user:1",
                           assessor_name="Grace Hughes")
    data = sample(name="Renamed")
    before = state()

    messages = error_messages("in-use.json", json.dumps(data), actor)

    assert messages == [IN_USE_MESSAGE]
    assert IN_USE_MESSAGE.startswith("This framework is in use: import it as a new version")
    assert state() == before
    # As a new version (new code and version) it imports.
    new = framework_import(actor=actor, data=sample(code="local-framework-v2", version="2"))
    assert new.created


def test_a_name_and_version_taken_by_another_code_is_refused(framework, actor):
    messages = error_messages("clash.json", json.dumps(sample(code="another-code")), actor)

    assert messages == ["Framework: Local framework (1) already exists with the code "
                        "'local-framework'. Give this one another version, or use that code "
                        "to update it."]


def test_wrong_file_type_and_bad_json(actor, db):
    assert error_messages("framework.xlsx", "x", actor) == ["Choose a .csv or .json file."]
    assert error_messages("f.json", "{", actor)[0].startswith("This is not a JSON file")
