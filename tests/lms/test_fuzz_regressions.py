"""Input the form fuzzing (tests/test_fuzz_forms.py) found making a server error: each is now
refused with a message next to the field."""

import pytest
from django.urls import reverse

from lms.form_rendering import NHSDateField
from lms.models import Role

pytestmark = pytest.mark.django_db

HUGE_NUMBER = "9" * 10_000  # int() refuses more than 4,300 digits


@pytest.mark.parametrize("day, month, year", [
    (HUGE_NUMBER, "1", "2026"),
    ("1", HUGE_NUMBER, "2026"),
    ("1", "1", HUGE_NUMBER),
    (HUGE_NUMBER, HUGE_NUMBER, HUGE_NUMBER),
])
def test_a_date_with_thousands_of_digits_is_not_a_real_date(sign_in, care_coordinator,
                                                              day, month, year):
    response = sign_in(care_coordinator).post(reverse("development:goal_add"), {
        "title": "Learn motivational interviewing", "status": "not_started",
        "target_date_day": day, "target_date_month": month, "target_date_year": year,
    })

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a real date" in html or "Year must include 4 numbers" in html
    assert not care_coordinator.development_goals.exists()


def test_a_date_keeps_its_messages_for_ordinary_mistakes():
    field = NHSDateField()
    for parts, code in [(("31", "2", "2026"), "invalid"), (("1", "1", "20261"), "year_digits"),
                        (("12345", "1", "2026"), "invalid"), (("01", "02", "2026"), None)]:
        try:
            field.clean(list(parts))
        except Exception as error:  # noqa: BLE001 - the code of a ValidationError
            assert getattr(error, "code", None) == code, parts
        else:
            assert code is None, parts


def test_a_practice_id_beyond_any_integer_is_refused(sign_in, pcn_manager, no_role_person):
    response = sign_in(pcn_manager).post(
        reverse("people:role_add", args=[no_role_person.pk]),
        {"role": Role.CARE_COORDINATOR, "practices": ["9" * 30],
         "starts_on_day": "1", "starts_on_month": "11", "starts_on_year": "2026"},
    )

    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert not no_role_person.role_assignments.exists()
