"""Forms for self-assessment, evidence, review requests and decisions.

The services check the rules; these forms only read what was typed. Each form on the
competency page has its own prefix, so field ids stay unique on a page with several forms.
"""

from django import forms

from lms.files import EvidenceUploadField
from lms.models import LearningRecord


def level_field(framework, label, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[(str(number), f"Level {number}: {name}") for number, name in
                 framework.level_choices],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a level"},
    )


class SelfAssessmentForm(forms.Form):
    prefix = "assess"

    narrative = forms.CharField(
        label="What have you done that shows this?",
        help_text="Describe situations, what you did and what happened. Do not include "
        "patients' names or details that could identify them.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Describe what you have done that shows this"},
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "level": level_field(framework, "How would you rate yourself now?"),
            **self.fields,
        }


class LearningRecordEvidenceForm(forms.Form):
    prefix = "record"

    record = forms.ModelChoiceField(
        label="Learning record",
        queryset=LearningRecord.objects.none(),
        empty_label="Choose a learning record",
        error_messages={"required": "Choose one of your learning records"},
    )

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["record"]
        field.queryset = records
        field.label_from_instance = lambda r: f"{r.item.title} ({r.get_stage_display().lower()})"

    def field_for_error(self, name):
        return "record" if name == "target" else name


class FileEvidenceForm(forms.Form):
    prefix = "file"

    file = EvidenceUploadField(label="File", error_messages={"required": "Select a file"})
    description = forms.CharField(
        label="What does it show? (optional)",
        help_text="For example, 'Feedback from the frailty team meeting'. "
        "The file name is used if you leave this blank.",
        max_length=300,
        required=False,
    )


class ObservationEvidenceForm(forms.Form):
    prefix = "observation"

    note = forms.CharField(
        label="What was observed",
        help_text="Who observed you, when, and what they saw you do.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe what was observed"},
    )


class SupervisorRequestForm(forms.Form):
    prefix = "supervisor"

    reviewer = forms.ModelChoiceField(
        label="Who should review it?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose who should review it",
                        "invalid_choice": "Choose one of your current supervisors"},
    )

    def __init__(self, *args, supporters, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        field.queryset = supporters
        field.label_from_instance = (
            lambda p: f"{p.full_name}, {p.job_title}" if p.job_title else p.full_name
        )


class ExternalRequestForm(forms.Form):
    prefix = "external"

    assessor_name = forms.CharField(
        label="Their full name", max_length=150,
        error_messages={"required": "Enter the assessor's full name"},
    )
    assessor_role = forms.CharField(
        label="Their role (optional)", max_length=150, required=False,
        help_text="For example, social prescribing link worker lead.",
    )
    assessor_email = forms.EmailField(
        label="Their email address",
        help_text="We will email them a link to review this competency. It works once.",
        error_messages={"required": "Enter the assessor's email address",
                        "invalid": "Enter an email address in the correct format, "
                        "like name@example.com"},
    )

    def field_for_error(self, name):
        return "assessor_name" if name == "reviewer" else name


class SignOffForm(forms.Form):
    prefix = "sign_off"

    comment = forms.CharField(
        label="What have you seen that supports this level?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you saw that supports this level"},
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "level": level_field(framework, "Level you are signing off"),
            **self.fields,
        }


class ReturnForm(forms.Form):
    prefix = "return"

    feedback = forms.CharField(
        label="What is missing, or what should they do next?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what is missing or what to do next"},
    )
