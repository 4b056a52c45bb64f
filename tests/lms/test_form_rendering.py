"""NHS.UK form rendering and the NHS date field. No database needed."""

import datetime

import pytest
from django import forms
from django.template.loader import render_to_string

from lms.form_rendering import NHSDateField, NHSFormRenderer


class DateForm(forms.Form):
    default_renderer = NHSFormRenderer

    completed_on = NHSDateField(label="Date completed", help_text="For example, 15 3 2026")


class OptionalDateForm(forms.Form):
    default_renderer = NHSFormRenderer

    completed_on = NHSDateField(label="Date completed", required=False)


class PersonForm(forms.Form):
    default_renderer = NHSFormRenderer

    name = forms.CharField(help_text="Their full name", error_messages={"required": "Enter a name"})
    route = forms.ChoiceField(
        choices=[("arrs", "ARRS"), ("other", "Other")], widget=forms.RadioSelect
    )


def date_data(day, month, year, name="completed_on"):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def errors_of(form):
    assert not form.is_valid()
    return form.errors["completed_on"]


class TestNHSDateField:
    def test_a_real_date_is_cleaned_to_a_date(self):
        form = DateForm(data=date_data("29", "2", "2024"))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["completed_on"] == datetime.date(2024, 2, 29)

    def test_surrounding_spaces_and_leading_zeros_are_accepted(self):
        form = DateForm(data=date_data(" 05 ", "03", "2026 "))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["completed_on"] == datetime.date(2026, 3, 5)

    @pytest.mark.parametrize(
        ("day", "month", "year"),
        [
            ("31", "2", "2025"),
            ("1", "13", "2025"),
            ("0", "1", "2025"),
            ("aa", "1", "2025"),
            ("1", "Feb", "2025"),
            ("1.5", "1", "2025"),
        ],
    )
    def test_impossible_or_non_numeric_dates_ask_for_a_real_date(self, day, month, year):
        assert errors_of(DateForm(data=date_data(day, month, year))) == ["Enter a real date"]

    @pytest.mark.parametrize(
        ("day", "month", "year", "message"),
        [
            ("1", "2", "", "Date must include a year"),
            ("", "2", "2025", "Date must include a day"),
            ("1", "", "2025", "Date must include a month"),
            ("", "", "2025", "Date must include a day and month"),
            ("1", "", "", "Date must include a month and year"),
            ("", "2", "", "Date must include a day and year"),
        ],
    )
    def test_partial_dates_say_what_is_missing(self, day, month, year, message):
        assert errors_of(DateForm(data=date_data(day, month, year))) == [message]

    def test_year_needs_four_digits(self):
        assert errors_of(DateForm(data=date_data("1", "2", "25"))) == [
            "Year must include 4 numbers"
        ]

    def test_blank_required_date_is_an_error(self):
        assert errors_of(DateForm(data=date_data("", "", ""))) == ["Enter a date"]
        assert errors_of(DateForm(data={})) == ["Enter a date"]

    def test_blank_optional_date_is_none(self):
        form = OptionalDateForm(data=date_data("", "", ""))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["completed_on"] is None

    def test_messages_can_be_overridden(self):
        class Custom(forms.Form):
            default_renderer = NHSFormRenderer
            seen_on = NHSDateField(error_messages={"required": "Enter the date you saw them"})

        form = Custom(data=date_data("", "", "", name="seen_on"))
        assert not form.is_valid()
        assert form.errors["seen_on"] == ["Enter the date you saw them"]

    def test_redisplay_keeps_what_was_typed(self):
        form = DateForm(data=date_data("31", "Feb", "2025"))
        assert not form.is_valid()
        html = str(form)
        assert 'name="completed_on_day" value="31"' in html
        assert 'name="completed_on_month" value="Feb"' in html
        assert 'name="completed_on_year" value="2025"' in html
        assert html.count("nhsuk-input--error") == 3

    def test_initial_date_fills_the_boxes(self):
        html = str(DateForm(initial={"completed_on": datetime.date(2026, 3, 5)}))
        assert 'name="completed_on_day" value="5"' in html
        assert 'name="completed_on_month" value="3"' in html
        assert 'name="completed_on_year" value="2026"' in html

    def test_has_changed_compares_dates(self):
        initial = {"completed_on": datetime.date(2026, 3, 5)}
        same = DateForm(data=date_data("05", "3", "2026"), initial=initial)
        other = DateForm(data=date_data("6", "3", "2026"), initial=initial)
        assert not same.has_changed()
        assert other.has_changed()

    def test_renders_nhs_date_input_in_a_fieldset(self):
        html = str(DateForm(data=date_data("1", "2", "")))
        assert (
            '<fieldset class="nhsuk-fieldset" '
            'aria-describedby="id_completed_on-hint id_completed_on-error">'
        ) in html
        assert '<legend class="nhsuk-fieldset__legend">Date completed</legend>' in html
        assert 'class="nhsuk-date-input"' in html
        assert html.count('inputmode="numeric"') == 3
        assert 'id="id_completed_on_day"' in html
        assert 'for="id_completed_on_year">Year</label>' in html
        assert (
            '<span class="nhsuk-error-message" id="id_completed_on-error">'
            '<span class="nhsuk-u-visually-hidden">Error:</span> Date must include a year</span>'
        ) in html

    def test_error_summary_links_to_the_day_box(self):
        form = DateForm(data=date_data("31", "2", "2025"))
        form.is_valid()
        html = render_to_string("includes/error_summary.html", {"form": form})
        assert '<a href="#id_completed_on_day">Enter a real date</a>' in html


class TestNHSFieldMarkup:
    def test_text_input_with_hint_and_error(self):
        form = PersonForm(data={"name": "", "route": ""})
        form.is_valid()
        html = str(form)
        assert 'class="nhsuk-form-group nhsuk-form-group--error"' in html
        assert '<label class="nhsuk-label" for="id_name">Name</label>' in html
        assert '<div class="nhsuk-hint" id="id_name-hint">Their full name</div>' in html
        assert 'class="nhsuk-input nhsuk-input--error"' in html
        assert 'aria-describedby="id_name-hint id_name-error"' in html

    def test_radios_are_a_fieldset_of_nhs_radio_items(self):
        html = str(PersonForm(data={"name": "Ann", "route": "other"}))
        assert '<legend class="nhsuk-fieldset__legend">Route</legend>' in html
        assert html.count('class="nhsuk-radios__item"') == 2
        assert 'id="id_route_1" name="route" type="radio" value="other" checked' in html

    def test_typed_value_is_kept_on_error(self):
        form = PersonForm(data={"name": "Ann Smith", "route": ""})
        assert not form.is_valid()
        assert 'value="Ann Smith"' in str(form)

    def test_error_summary_lists_field_and_non_field_errors(self):
        form = PersonForm(data={"name": "", "route": ""})
        form.is_valid()
        form.add_error(None, "Something else went wrong")
        html = render_to_string("includes/error_summary.html", {"form": form})
        assert 'id="error-summary-title">There is a problem</h2>' in html
        assert '<a href="#id_name">Enter a name</a>' in html
        assert '<a href="#id_route_0">' in html
        assert "<li>Something else went wrong</li>" in html

    def test_no_error_summary_without_errors(self):
        html = render_to_string("includes/error_summary.html", {"form": PersonForm()})
        assert html.strip() == ""

    def test_page_title_is_prefixed_when_a_form_has_errors(self):
        form = PersonForm(data={})
        form.is_valid()
        html = render_to_string("404.html", {"form": form})
        assert "<title>Error: Page not found – Coordinate – NHS</title>" in html
        assert "<title>Page not found – Coordinate – NHS</title>" in render_to_string(
            "404.html", {"forms": [PersonForm()]}
        )


class FakeMessage:
    def __init__(self, text, level_tag):
        self.text, self.level_tag = text, level_tag

    def __str__(self):
        return self.text


class TestLayout:
    def test_navigation_marks_the_current_page(self):
        html = render_to_string(
            "404.html",
            {
                "nav_links": [
                    {"label": "Home", "url": "/", "current": False},
                    {"label": "People", "url": "/people/", "current": True},
                ]
            },
        )
        assert 'aria-label="Menu"' in html
        assert 'href="/people/" aria-current="page"' in html
        assert 'href="/" aria-current' not in html

    def test_no_navigation_or_account_area_without_links_or_user(self):
        html = render_to_string("500.html", {})
        assert 'aria-label="Menu"' not in html
        assert 'aria-label="Account"' not in html
        assert '<html lang="en-GB">' in html
        assert 'href="#maincontent"' in html

    def test_success_messages_are_alerts(self):
        html = render_to_string(
            "404.html",
            {"messages": [FakeMessage("Saved", "success"), FakeMessage("Note", "info")]},
        )
        assert 'nhsuk-notification-banner--success" role="alert"' in html
        assert 'class="nhsuk-notification-banner" role="region"' in html
        assert 'id="notification-banner-title-1"' in html
        assert 'id="notification-banner-title-2"' in html

    def test_breadcrumbs_include(self):
        html = render_to_string(
            "includes/breadcrumbs.html", {"crumbs": [("Home", "/"), ("People", "/people/")]}
        )
        assert '<a class="nhsuk-breadcrumb__link" href="/people/">People</a>' in html
        assert 'class="nhsuk-back-link" href="/people/"' in html
        assert render_to_string("includes/breadcrumbs.html", {"crumbs": []}).strip() == ""
