"""Forms for safeguarding discussions: log one, add an addendum, withdraw one.

Every free-text field that may describe a patient is checked by the identifier guard in
clean(): a hit is an error next to the field and the text stays in the form to edit.
"""

import datetime

from django import forms

from lms.form_rendering import NHSDateField

from .identifier_guard import guard_form
from .models import ConcernCategory, Escalation
from .safeguarding_services import ESCALATED_TO_MAX_LENGTH, REASON_MAX_LENGTH, TEXT_MAX_LENGTH

DATE_HINT = "For example, 15 3 2026"
NO_IDENTIFIERS = (
    "Do not include the patient’s name, NHS number, date of birth, address or postcode."
)


def _text_field(label, *, required_message, help_text="", max_length=TEXT_MAX_LENGTH, rows=5):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


class DiscussionForm(forms.Form):
    """A care coordinator's log of a concern discussed with their safeguarding GP."""

    category = forms.ChoiceField(
        label="What kind of concern was it?",
        choices=ConcernCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of concern"},
    )
    discussed_on = NHSDateField(
        label="Date of the discussion",
        help_text=DATE_HINT,
        error_messages={"required": "Enter the date of the discussion"},
    )
    discussed_with = forms.TypedChoiceField(
        label="Who did you discuss it with?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who you discussed it with",
            "invalid_choice": "Select who you discussed it with",
        },
    )
    concern = _text_field(
        "The concern",
        required_message="Enter the concern",
        help_text=f"What worried you, in general terms. {NO_IDENTIFIERS}",
    )
    outcome = _text_field(
        "Outcome of the discussion",
        required_message="Enter the outcome of the discussion",
        help_text="What you and the GP agreed should happen.",
    )
    escalation = forms.ChoiceField(
        label="Was a referral or escalation made?",
        choices=Escalation.choices,
        initial=Escalation.NONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether a referral or escalation was made"},
    )
    escalated_to = forms.CharField(
        label="Who was it made to? (if a referral or escalation was made)",
        required=False,
        max_length=ESCALATED_TO_MAX_LENGTH,
        help_text="A team or service, for example ‘Local authority adult safeguarding team’.",
        error_messages={
            "max_length": f"Who it was made to must be {ESCALATED_TO_MAX_LENGTH} characters "
            "or fewer",
        },
    )
    follow_up_on = NHSDateField(
        label="Follow up by (optional)",
        required=False,
        help_text=f"When you need to check what happened next. {DATE_HINT}",
    )

    def __init__(self, *args, gps, as_of: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of = as_of
        self.gps = {gp.pk: gp for gp in gps}
        self.fields["discussed_with"].choices = [
            (gp.pk, f"{gp.full_name}{f', {gp.job_title}' if gp.job_title else ''}")
            for gp in gps
        ]
        if len(self.gps) == 1:
            self.fields["discussed_with"].initial = next(iter(self.gps))

    def clean_discussed_on(self):
        day = self.cleaned_data["discussed_on"]
        if day is not None and day > self.as_of:
            raise forms.ValidationError("Date of the discussion must be today or in the past")
        return day

    def clean_discussed_with(self):
        return self.gps[self.cleaned_data["discussed_with"]]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("escalation") not in (None, Escalation.NONE) and not (
            cleaned.get("escalated_to") or ""
        ).strip() and "escalated_to" not in self.errors:
            self.add_error("escalated_to", "Enter who the referral or escalation was made to")
        discussed_on, follow_up_on = cleaned.get("discussed_on"), cleaned.get("follow_up_on")
        if discussed_on and follow_up_on and follow_up_on < discussed_on:
            self.add_error(
                "follow_up_on", "Follow-up date must be on or after the date of the discussion"
            )
        guard_form(self, ["concern", "outcome"])
        return cleaned


class AddendumForm(forms.Form):
    """A later note on a log; it can also record that the follow-up was done."""

    text = _text_field(
        "Addendum",
        required_message="Enter the addendum",
        help_text=f"A correction or what happened next. It is added below the log with your "
        f"name and the date, and cannot be changed. {NO_IDENTIFIERS}",
        rows=4,
    )
    records_follow_up = forms.BooleanField(
        label="This addendum records the follow-up",
        required=False,
        help_text="The follow-up is then shown as done.",
    )

    def __init__(self, *args, follow_up_open: bool = False, **kwargs):
        super().__init__(*args, prefix="addendum", **kwargs)
        if not follow_up_open:
            del self.fields["records_follow_up"]

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["text"])
        return cleaned


class WithdrawForm(forms.Form):
    """Why a log recorded in error is withdrawn."""

    reason = forms.CharField(
        label="Why are you withdrawing this log?",
        max_length=REASON_MAX_LENGTH,
        help_text="For example, ‘Logged twice’ or ‘Wrong date: logged again correctly’. "
        "The log is kept and shown as withdrawn.",
        error_messages={
            "required": "Enter why you are withdrawing this log",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["reason"])
        return cleaned
