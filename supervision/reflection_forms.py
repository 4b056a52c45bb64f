"""Forms for reflective practice: choosing a model, writing an entry, sharing, commenting.

Every free-text field goes through the patient-identifier guard in clean(), so a hit is
shown next to its field and the text stays in the form to edit.
"""

import datetime

from django import forms

from lms.development_forms import items_by_section
from lms.form_rendering import NHSDateField

from .identifier_guard import guard_form
from .models import REFLECTION_FIELDS, ReflectionModel
from .reflection_services import (
    COMMENT_MAX_LENGTH,
    EARLIEST_DATE,
    EARLIEST_DATE_MESSAGE,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)

NO_PATIENT_DETAILS = "Do not include names, NHS numbers, dates of birth or postcodes."

#: What each model asks, for the radios of step 1.
MODEL_HINTS = {
    ReflectionModel.GIBBS: "Six stages: description, feelings, evaluation, analysis, "
    "conclusion and action plan. Good for working through an experience in depth.",
    ReflectionModel.DRISCOLL: "Three questions: What? So what? Now what? Good for a short, "
    "focused reflection.",
    ReflectionModel.FREE: "One box to write in, in your own way.",
}


class ModelChoiceForm(forms.Form):
    """Step 1: which reflective model to write in."""

    model = forms.ChoiceField(
        label="Which reflective model do you want to use?",
        choices=ReflectionModel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a reflective model",
                        "invalid_choice": "Select a reflective model"},
    )

    def options(self):
        """(value, label, hint, checked) for each radio."""
        chosen = self["model"].value()
        return [
            (value, label, MODEL_HINTS[value], value == chosen)
            for value, label in ReflectionModel.choices
        ]


class ReflectionForm(forms.Form):
    """Step 2: the entry, with the chosen model's fields only and its questions as hints.

    `complete` is true when the user chose "Save and mark complete" (or the entry already
    is): then every question of the model must be answered.
    """

    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX_LENGTH,
        help_text="A few words to find it again, for example ‘First MDT meeting I "
        "presented at’.",
        error_messages={"required": "Enter a title",
                        "max_length": f"Title must be {TITLE_MAX_LENGTH} characters or fewer"},
    )
    reflected_on = NHSDateField(
        label="Date",
        help_text="The day of the experience you are reflecting on. For example, 15 3 2026",
        error_messages={"required": "Enter the date"},
    )
    competencies = forms.TypedMultipleChoiceField(
        label="Competencies this shows (optional)", required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose competencies from the list"},
    )
    learning_items = forms.TypedMultipleChoiceField(
        label="Learning it relates to (optional)", required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose items from the list"},
    )
    supervision_sessions = forms.TypedMultipleChoiceField(
        label="Supervision sessions it relates to (optional)", required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose sessions from the list"},
    )
    network_sessions = forms.TypedMultipleChoiceField(
        label="Peer-network or MDT sessions it relates to (optional)", required=False,
        coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose sessions from the list"},
    )

    def __init__(self, *args, model, complete, as_of: datetime.date, competencies=(),
                 items=(), supervision_sessions=(), network_sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.complete = complete
        self.as_of = as_of
        self.text_names = []
        # The model's questions go after the title and date, before the links.
        text_fields = {}
        for name, label, question in REFLECTION_FIELDS[model]:
            text_fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=TEXT_MAX_LENGTH,
                help_text=f"{question} {NO_PATIENT_DETAILS}",
                widget=forms.Textarea(attrs={"rows": 6 if model == ReflectionModel.FREE
                                             else 4}),
                error_messages={
                    "max_length": f"{label} must be {TEXT_MAX_LENGTH:,} characters or fewer"
                },
            )
            self.text_names.append(name)
        ordered = {"title": self.fields["title"], "reflected_on": self.fields["reflected_on"]}
        ordered.update(text_fields)
        ordered.update((name, field) for name, field in self.fields.items()
                       if name not in ordered)
        self.fields = ordered

        self.competency_list = list(competencies)
        self.item_list = list(items)
        self.session_list = list(supervision_sessions)
        self.network_list = list(network_sessions)
        self.fields["competencies"].choices = [(c.pk, c.title) for c in self.competency_list]
        self.fields["learning_items"].choices = [(i.pk, i.title) for i in self.item_list]
        self.fields["supervision_sessions"].choices = [
            (s.pk, str(s)) for s in self.session_list
        ]
        self.fields["network_sessions"].choices = [(s.pk, str(s)) for s in self.network_list]

    def clean_reflected_on(self):
        day = self.cleaned_data["reflected_on"]
        if day and day > self.as_of:
            raise forms.ValidationError("The date must be today or in the past")
        if day and day < EARLIEST_DATE:
            raise forms.ValidationError(EARLIEST_DATE_MESSAGE)
        return day

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["title", *self.text_names])
        if self.complete:
            for name, _label, question in REFLECTION_FIELDS[self.model]:
                if name in cleaned and not cleaned[name].strip():
                    message = (
                        "Write your reflection before marking it complete"
                        if self.model == ReflectionModel.FREE
                        else f"Answer ‘{question}’ before marking the reflection complete"
                    )
                    self.add_error(name, message)
        return cleaned

    def text_fields(self):
        return [self[name] for name in self.text_names]

    def texts(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.text_names}

    def links(self) -> dict:
        """The service's link arguments: ids chosen for each kind of link."""
        return {
            name: self.cleaned_data.get(name, [])
            for name in ("competencies", "learning_items", "supervision_sessions",
                         "network_sessions")
        }

    # --- checkbox groups for the template ----------------------------------------------------

    def _chosen(self, name) -> set[str]:
        return {str(v) for v in (self[name].value() or [])}

    def competency_groups(self):
        """[(framework, [(value, label, checked), ...]), ...]"""
        chosen = self._chosen("competencies")
        groups: dict = {}
        for competency in self.competency_list:
            groups.setdefault(str(competency.framework), []).append(
                (competency.pk, competency.title, str(competency.pk) in chosen)
            )
        return list(groups.items())

    def item_groups(self):
        """[(curriculum section, [(value, label, checked), ...]), ...]"""
        chosen = self._chosen("learning_items")
        return [
            (section, [(item.pk, item.title, str(item.pk) in chosen) for item in items])
            for section, items in items_by_section(self.item_list)
        ]

    def session_groups(self):
        """One untitled group of the author's supervision sessions (none when there are none)."""
        chosen = self._chosen("supervision_sessions")
        options = [(s.pk, str(s), str(s.pk) in chosen) for s in self.session_list]
        return [("", options)] if options else []

    def network_groups(self):
        chosen = self._chosen("network_sessions")
        options = [(s.pk, str(s), str(s.pk) in chosen) for s in self.network_list]
        return [("", options)] if options else []


class ShareForm(forms.Form):
    """Share a reflection with some of the people who currently support the author."""

    people = forms.TypedMultipleChoiceField(
        label="Who do you want to share it with?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="They can read it and comment. You can stop sharing at any time.",
        error_messages={"required": "Select who to share it with",
                        "invalid_choice": "Select people from the list"},
    )

    def __init__(self, *args, candidates=(), roles=None, already=(), **kwargs):
        super().__init__(*args, **kwargs)
        roles = roles or {}
        self.candidates = {person.pk: person for person in candidates}
        self.fields["people"].choices = [
            (person.pk, f"{person.full_name} ({', '.join(roles.get(person.pk, []))})"
             if roles.get(person.pk) else person.full_name)
            for person in candidates
            if person.pk not in already
        ]

    def chosen_people(self):
        return [self.candidates[pk] for pk in self.cleaned_data["people"]]


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=COMMENT_MAX_LENGTH,
        help_text=f"Comments cannot be changed or deleted once added. {NO_PATIENT_DETAILS}",
        error_messages={
            "required": "Enter your comment",
            "max_length": f"Comment must be {COMMENT_MAX_LENGTH:,} characters or fewer",
        },
    )

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["text"])
        return cleaned
