"""Forms for supervision sessions: record or change, confirm, withdraw, addenda, actions, cadence.

Every free-text field is checked by the patient-identifier guard in clean(); what was
typed stays in the form to edit.
"""

import datetime

from django import forms

from lms.form_rendering import NHSDateField

from .identifier_guard import guard_form
from .models import Mode, SessionType
from .session_services import (
    ACTION_MAX_LENGTH,
    ADDENDUM_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    EARLIEST_SESSION,
    MAX_DURATION_MINUTES,
    MAX_INTERVAL_DAYS,
    NEXT_SESSION_MAX_DAYS,
    NOTES_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TOPICS_MAX_LENGTH,
    AgreedAction,
)

DATE_HINT = "For example, 15 3 2026"
ACTION_ROWS = 3
NO_PATIENT_DETAILS = "Do not include names, NHS numbers, dates of birth or addresses of patients."


def _text(label, *, max_length, required=True, rows=5, help_text="", required_message=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        error_messages={
            "required": required_message or f"Enter the {label.lower()}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def _owner_field(label):
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose someone from the list"},
    )


class SessionForm(forms.Form):
    """Record a supervision session (with up to three agreed actions), or change one."""

    session_type = forms.ChoiceField(
        label="Type of session",
        choices=SessionType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of session"},
    )
    held_on = NHSDateField(
        label="Date of the session",
        help_text=DATE_HINT,
        error_messages={"required": "Enter the date of the session"},
    )
    duration_minutes = forms.IntegerField(
        label="How long it lasted, in minutes",
        min_value=1,
        max_value=MAX_DURATION_MINUTES,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        help_text="For example, 60",
        error_messages={
            "required": "Enter how long the session lasted, in minutes",
            "invalid": "Enter the length of the session as a whole number of minutes, like 60",
            "min_value": "The session must last at least 1 minute",
            "max_value": f"The session must last {MAX_DURATION_MINUTES} minutes or less",
        },
    )
    supervisors = forms.TypedMultipleChoiceField(
        label="Who supervised",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select everyone from the care coordinator’s support who was in the session.",
        error_messages={
            "required": "Select at least one supervisor who was in the session",
            "invalid_choice": "Select only people from the list",
        },
    )
    mode = forms.ChoiceField(
        label="How it was held",
        choices=Mode.choices,
        widget=forms.RadioSelect,
        initial=Mode.IN_PERSON,
        error_messages={"required": "Select how the session was held"},
    )
    topics = _text(
        "Topics discussed",
        max_length=TOPICS_MAX_LENGTH,
        help_text=f"What you talked about, in a few lines. {NO_PATIENT_DETAILS}",
        required_message="Enter the topics discussed",
    )
    notes = _text(
        "Notes (optional)",
        max_length=NOTES_MAX_LENGTH,
        required=False,
        rows=6,
        help_text=f"Reflections, decisions, support agreed. {NO_PATIENT_DETAILS}",
    )
    competencies = forms.TypedMultipleChoiceField(
        label="Competencies this session supports (optional)",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only competencies from the list"},
    )
    goals = forms.TypedMultipleChoiceField(
        label="Development plan goals discussed (optional)",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only goals from the list"},
    )
    next_session_on = NHSDateField(
        label="Date of the next session (optional)",
        required=False,
        help_text=DATE_HINT,
    )

    def __init__(
        self,
        *args,
        coordinator,
        recorder,
        supporters,
        role_labels=None,
        competencies=(),
        goals=(),
        as_of: datetime.date,
        with_actions=True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.coordinator, self.recorder, self.as_of = coordinator, recorder, as_of
        self.with_actions = with_actions
        role_labels = role_labels or {}
        self.supporters = {person.pk: person for person in supporters}
        self.fields["supervisors"].choices = [
            (person.pk, f"{person.full_name} ({role_labels[person.pk]})"
             if role_labels.get(person.pk) else person.full_name)
            for person in supporters
        ]
        self.competency_map = {c.pk: c for c in competencies}
        self.fields["competencies"].choices = [(c.pk, c.title) for c in competencies]
        self.goal_map = {g.pk: g for g in goals}
        self.fields["goals"].choices = [(g.pk, g.title) for g in goals]
        if with_actions:
            owners = [("", "Choose who will do it"),
                      (coordinator.pk, f"{coordinator.full_name} (care coordinator)")]
            owners += [(person.pk, person.full_name) for person in supporters]
            for number in range(1, ACTION_ROWS + 1):
                self.fields[f"action{number}_description"] = forms.CharField(
                    label="What will be done",
                    required=False,
                    max_length=ACTION_MAX_LENGTH,
                    error_messages={
                        "max_length": f"The action must be {ACTION_MAX_LENGTH} characters "
                        "or fewer",
                    },
                )
                owner = _owner_field("Who will do it")
                owner.choices = owners
                self.fields[f"action{number}_owner"] = owner
                self.fields[f"action{number}_due_on"] = NHSDateField(
                    label="Due by (optional)", required=False, help_text=DATE_HINT
                )

    # --- validation ---

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day and day > self.as_of:
            raise forms.ValidationError("The date of the session must be today or in the past")
        if day and day < EARLIEST_SESSION:
            raise forms.ValidationError("The date of the session must be after 1 January 2000")
        return day

    def clean(self):
        cleaned = super().clean()
        held_on = cleaned.get("held_on")
        next_on = cleaned.get("next_session_on")
        if held_on and next_on:
            if next_on <= held_on:
                self.add_error("next_session_on", "The next session must be after this session")
            elif next_on > held_on + datetime.timedelta(days=NEXT_SESSION_MAX_DAYS):
                self.add_error("next_session_on",
                               "The next session must be within a year of this one")
        chosen = set(cleaned.get("supervisors") or [])
        if (
            "supervisors" in cleaned
            and self.recorder.pk != self.coordinator.pk
            and self.recorder.pk not in chosen
        ):
            self.add_error("supervisors",
                           "Include yourself: you can only record a session you were in")
        guarded = ["topics", "notes"]
        if self.with_actions:
            for number in range(1, ACTION_ROWS + 1):
                self._clean_action(number, chosen, held_on)
                guarded.append(f"action{number}_description")
        guard_form(self, guarded)
        return cleaned

    def _clean_action(self, number, chosen, held_on):
        names = [f"action{number}_{part}" for part in ("description", "owner", "due_on")]
        if any(name in self.errors for name in names):
            return
        description, owner, due_on = (self.cleaned_data.get(name) for name in names)
        if not description:
            if owner is not None or due_on is not None:
                self.add_error(names[0], "Enter the action, or clear who will do it and when")
            return
        if owner is None:
            self.add_error(names[1], "Choose who will do this action")
        elif owner != self.coordinator.pk and owner not in chosen:
            self.add_error(
                names[1], "Choose the care coordinator or one of the supervisors you selected"
            )
        if due_on is not None and held_on is not None and due_on < held_on:
            self.add_error(names[2], "An action cannot be due before the session")

    # --- what the service needs ---

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "session_type": data["session_type"],
            "held_on": data["held_on"],
            "duration_minutes": data["duration_minutes"],
            "supervisors": [self.supporters[pk] for pk in data["supervisors"]],
            "mode": data["mode"],
            "topics": data["topics"],
            "notes": data["notes"],
            "competencies": [self.competency_map[pk] for pk in data["competencies"]],
            "goals": [self.goal_map[pk] for pk in data["goals"]],
            "next_session_on": data["next_session_on"],
        }

    def agreed_actions(self) -> list[AgreedAction]:
        people = {self.coordinator.pk: self.coordinator, **self.supporters}
        actions = []
        for number in range(1, ACTION_ROWS + 1):
            description = self.cleaned_data.get(f"action{number}_description")
            if description:
                actions.append(AgreedAction(
                    description=description,
                    owner=people.get(self.cleaned_data.get(f"action{number}_owner")),
                    due_on=self.cleaned_data.get(f"action{number}_due_on"),
                ))
        return actions

    def action_rows(self):
        """[(number, description, owner, due_on bound fields)] for the template."""
        if not self.with_actions:
            return []
        return [
            (number, self[f"action{number}_description"], self[f"action{number}_owner"],
             self[f"action{number}_due_on"])
            for number in range(1, ACTION_ROWS + 1)
        ]

    def competency_groups_with_choice(self):
        """[(framework, domain, [(competency, checked)])] in framework order."""
        chosen = {str(v) for v in (self["competencies"].value() or [])}
        groups: dict = {}
        for competency in self.competency_map.values():
            key = (competency.framework.name, competency.domain.name)
            groups.setdefault(key, []).append((competency, str(competency.pk) in chosen))
        return [(framework, domain, rows) for (framework, domain), rows in groups.items()]


class ConfirmForm(forms.Form):
    comment = _text(
        "Comment (optional)",
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        rows=3,
        help_text=f"Anything you want to add or qualify. {NO_PATIENT_DETAILS}",
    )

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["comment"])
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this record?",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, ‘Recorded twice’ or ‘Wrong care coordinator’. The record "
        "is kept and shown as withdrawn, with your reason.",
        error_messages={
            "required": "Enter why you are withdrawing this record",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["reason"])
        return cleaned


class AddendumForm(forms.Form):
    text = _text(
        "Addendum",
        max_length=ADDENDUM_MAX_LENGTH,
        rows=5,
        help_text="A correction or addition to the confirmed record. Addenda cannot be "
        f"changed or deleted once added. {NO_PATIENT_DETAILS}",
        required_message="Enter the addendum",
    )

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["text"])
        return cleaned


class ActionForm(forms.Form):
    """Add one agreed action to a session."""

    description = forms.CharField(
        label="What will be done",
        max_length=ACTION_MAX_LENGTH,
        error_messages={
            "required": "Enter the action",
            "max_length": f"The action must be {ACTION_MAX_LENGTH} characters or fewer",
        },
    )
    owner = forms.TypedChoiceField(
        label="Who will do it",
        coerce=int,
        empty_value=None,
        error_messages={"required": "Choose who will do this action",
                        "invalid_choice": "Choose someone from the list"},
    )
    due_on = NHSDateField(label="Due by (optional)", required=False, help_text=DATE_HINT)

    def __init__(self, *args, owners, held_on, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {person.pk: person for person in owners}
        self.held_on = held_on
        self.fields["owner"].choices = [("", "Choose who will do it")] + [
            (person.pk, person.full_name) for person in owners
        ]

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        if day and day < self.held_on:
            raise forms.ValidationError("An action cannot be due before the session")
        return day

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["description"])
        return cleaned

    def agreed_action(self) -> AgreedAction:
        return AgreedAction(
            description=self.cleaned_data["description"],
            owner=self.owners[self.cleaned_data["owner"]],
            due_on=self.cleaned_data["due_on"],
        )


class CadenceForm(forms.Form):
    """Expected days between sessions, one box per session type; empty means no expectation."""

    def __init__(self, *args, defaults: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for session_type, label in SessionType.choices:
            default = defaults.get(session_type)
            hint = (
                f"The default is every {default} days." if default
                else "By default there is no expected frequency."
            )
            self.fields[f"interval_{session_type}"] = forms.IntegerField(
                label=f"{label}: expected every (days)",
                required=False,
                min_value=1,
                max_value=MAX_INTERVAL_DAYS,
                widget=forms.TextInput(
                    attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}
                ),
                help_text=f"{hint} Leave empty if sessions of this type have no expected "
                "frequency.",
                error_messages={
                    "invalid": "Enter the number of days as a whole number, like 31",
                    "min_value": "Enter at least 1 day",
                    "max_value": f"Enter {MAX_INTERVAL_DAYS} days or fewer",
                },
            )

    def intervals(self) -> dict:
        return {
            session_type: self.cleaned_data[f"interval_{session_type}"]
            for session_type in SessionType.values
        }

    def field_for_error(self, name):
        return f"interval_{name}"
