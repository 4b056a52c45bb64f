"""Field rules: bad input gives a clear field error, not a broken page."""

import pytest
from django.core.exceptions import ValidationError

from content.models import Evidence, FrameworkVersion, Kind, LearningItemPage

from .conftest import add_item


def errors_for(section, **fields):
    item = add_item(section, title="Fire safety")
    for name, value in fields.items():
        setattr(item, name, value)
    with pytest.raises(ValidationError) as caught:
        item.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example.org/course", "www.e-lfh.org.uk"]
)
def test_an_external_url_must_be_http_or_https(section, url):
    errors = errors_for(section, external_url=url)

    assert errors["external_url"] == ["Enter a web address that starts with https:// or http://"]


def test_a_negative_refresher_period_is_refused(section):
    errors = errors_for(section, refresher_months=-1)

    assert "refresher_months" in errors


def test_a_zero_refresher_period_is_refused_with_a_clear_message(section):
    errors = errors_for(section, refresher_months=0)

    assert errors["refresher_months"] == ["The refresher period must be at least 1 month."]


def test_a_negative_induction_week_is_refused(section):
    errors = errors_for(section, in_induction=True, induction_week=-2)

    assert "induction_week" in errors


def test_an_induction_item_needs_its_week(section):
    errors = errors_for(section, in_induction=True, induction_week=None)

    assert errors["induction_week"] == ["Enter the week after the start date to complete it by."]


def test_a_care_certificate_standard_needs_its_framework_version(section):
    errors = errors_for(section, kind=Kind.CARE_CERTIFICATE, framework_version=None)

    assert "framework_version" in errors


def test_unknown_evidence_is_refused(section):
    errors = errors_for(section, evidence_expected=["certificate", "selfie"])

    assert "evidence_expected" in errors


def test_a_valid_item_passes(section, care_certificate_2025):
    item = add_item(
        section, title="Standard 4", kind=Kind.CARE_CERTIFICATE,
        framework_version=care_certificate_2025, standard_number=4,
        external_url="https://www.e-lfh.org.uk/", refresher_months=36, in_induction=True,
        induction_week=12, evidence_expected=[Evidence.OBSERVATION, Evidence.CERTIFICATE],
    )

    item.full_clean()
    assert item.get_evidence_expected_display() == ["Supervisor observation", "Certificate"]
    assert item.refresher_display == "Every 3 years"


def test_an_item_keeps_its_framework_version_when_a_new_one_arrives(
    section, care_certificate_2025
):
    old = FrameworkVersion.objects.create(
        code="care-certificate-2015", name="Care Certificate", version="2015",
        effective_from="2015-04-01", effective_to="2025-07-31",
    )
    standard_2015 = add_item(section, title="Standard 9 (2015)", kind=Kind.CARE_CERTIFICATE,
                             framework_version=old, standard_number=9)
    add_item(section, title="Standard 9 (2025)", kind=Kind.CARE_CERTIFICATE,
             framework_version=care_certificate_2025, standard_number=9)

    standard_2015.refresh_from_db()
    assert standard_2015.framework_version == old
    assert list(LearningItemPage.objects.for_framework(old)) == [standard_2015]
