"""Forms for learning records. Date rules live in services.validate_learning_dates."""

from django import forms
from django.conf import settings

from .files import EvidenceUploadField
from .form_rendering import NHSDateField
from .models import RECORDED_STAGES, LearningStatus
from .services import RECORD_FIELDS

DATE_HINT = "For example, 15 3 2026"
RESELECT_HINT = (
    "Select your certificate again: a file is not kept when there is a problem with the form."
)


def _hours_field(label, help_text):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=0,
        max_value=999.9,
        max_digits=5,
        decimal_places=1,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter a number of hours, like 3 or 1.5",
            "min_value": "The number of hours cannot be negative",
            "max_value": "The number of hours must be 999.9 or less",
            "max_decimal_places": "Enter hours to one decimal place, like 1.5",
            "max_digits": "The number of hours must be 999.9 or less",
            "max_whole_digits": "The number of hours must be 999.9 or less",
        },
    )


def certificate_hint():
    return (
        f"A PDF, PNG or JPEG file, up to {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB."
    )


class CertificateMixin:
    """After a failed post the browser forgets the chosen file: say so next to the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"].help_text = certificate_hint()

    def ask_to_reselect_certificate(self):
        if self.is_bound and self.errors and self.files.get("certificate"):
            field = self.fields["certificate"]
            if "certificate" not in self.errors:
                field.help_text = f"{RESELECT_HINT} {field.help_text}"


class LearningRecordForm(CertificateMixin, forms.Form):
    """Every field of one learning record; the service checks the dates fit together."""

    stage = forms.ChoiceField(
        label="Status",
        choices=RECORDED_STAGES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status"},
    )
    not_required_reason = forms.CharField(
        label="Why is it not required? (if not required)",
        max_length=300,
        required=False,
        help_text="For example, covered by a qualification you already hold.",
    )
    enrolled_on = NHSDateField(label="Date you enrolled", required=False, help_text=DATE_HINT)
    started_on = NHSDateField(label="Date you started", required=False, help_text=DATE_HINT)
    completed_on = NHSDateField(label="Date you completed it", required=False, help_text=DATE_HINT)
    provider = forms.CharField(
        label="Training provider",
        max_length=150,
        required=False,
        help_text="For example, e-Learning for Healthcare.",
    )
    provider_pci_assured = forms.BooleanField(
        label="The provider is assured by the Personalised Care Institute (PCI)",
        required=False,
    )
    cpd_hours = _hours_field("CPD hours (optional)", "Hours of learning, for example 3.5.")
    hours_out_of_practice = _hours_field(
        "Hours away from the practice (optional)",
        "Time spent away from your practice for this. Your PCN can claim it under ARRS.",
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Do not include any patient details.",
    )
    certificate = EvidenceUploadField(label="Certificate (optional)", required=False)

    FIELDS_FOR_SERVICE = RECORD_FIELDS

    def service_fields(self, partial=False) -> dict:
        """The record's fields for the service; `partial`: only those that were valid."""
        return {
            name: self.cleaned_data[name]
            for name in self.FIELDS_FOR_SERVICE
            if not partial or name in self.cleaned_data
        }

    def field_for_error(self, name):
        return name


#: The date the one-step form asks for, by status.
QUICK_DATE_FIELD = {
    LearningStatus.ENROLLED: "enrolled_on",
    LearningStatus.IN_PROGRESS: "started_on",
    LearningStatus.COMPLETED: "completed_on",
}


class QuickRecordForm(CertificateMixin, forms.Form):
    """The one-step form on a learning item's page: status, its date, a certificate."""

    quick = forms.CharField(widget=forms.HiddenInput, initial="1")
    stage = forms.ChoiceField(
        label="Your status",
        choices=[
            (value, label) for value, label in RECORDED_STAGES
            if value != LearningStatus.NOT_REQUIRED
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status"},
    )
    on = NHSDateField(
        label="Date",
        required=False,
        help_text="The date you enrolled, started or completed it. For example, 15 3 2026",
    )
    certificate = EvidenceUploadField(label="Certificate (optional)", required=False)

    def service_fields(self, partial=False) -> dict:
        """The record's fields for the service; `partial`: only those that were valid."""
        stage = self.cleaned_data["stage"]
        fields = {"stage": stage}
        date_field = QUICK_DATE_FIELD.get(stage)
        if date_field and (not partial or "on" in self.cleaned_data):
            fields[date_field] = self.cleaned_data["on"]
        return fields

    def field_for_error(self, name):
        # The service names the record's date fields; here there is one date box.
        return "on" if name in QUICK_DATE_FIELD.values() else name
