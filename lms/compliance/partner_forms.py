"""Forms for the DES 4 partner register. Date rules live in partner_services.check_errors."""

from django import forms

from lms.files import EvidenceUploadField
from lms.form_rendering import NHSDateField

from . import partner_services

DATE_HINT = "For example, 15 3 2026"
RESELECT_HINT = "Select the file again: a file is not kept when there is a problem with the form."


class PartnerForm(forms.Form):
    """An organisation's details: name, what it offers, how to contact it, when it was added."""

    name = forms.CharField(
        label="Organisation name", max_length=200,
        error_messages={"required": "Enter the organisation’s name",
                        "max_length": "The name must be 200 characters or fewer"},
    )
    offers = forms.CharField(
        label="What they offer", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: friendship, belonging, knowledge, skills, confidence. Say what "
                  "patients can expect and who it suits.",
        error_messages={"required": "Enter what the organisation offers",
                        "max_length": "This must be 5,000 characters or fewer"},
    )
    contact_name = forms.CharField(
        label="Contact name (optional)", max_length=150, required=False,
        error_messages={"max_length": "The contact name must be 150 characters or fewer"},
    )
    contact_email = forms.EmailField(
        label="Contact email address (optional)", max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid": "Enter an email address in the correct format, like "
                                   "name@example.com",
                        "max_length": "The email address must be 254 characters or fewer"},
    )
    contact_phone = forms.CharField(
        label="Contact phone number (optional)", max_length=40, required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off",
                                      "class": "nhsuk-input--width-20"}),
        error_messages={"max_length": "The phone number must be 40 characters or fewer"},
    )
    website = forms.URLField(
        label="Website (optional)", max_length=300, required=False, assume_scheme="https",
        help_text="For example, https://www.example.org.uk",
        error_messages={"invalid": "Enter a website address, like https://www.example.org.uk",
                        "max_length": "The website address must be 300 characters or fewer"},
    )
    added_on = NHSDateField(
        label="Date added to the register", help_text=DATE_HINT,
        error_messages={"required": "Enter the date it was added to the register"},
    )

    def __init__(self, *args, as_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of = as_of

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "").strip()
        if phone and not all(ch.isdigit() or ch in " +()-" for ch in phone):
            raise forms.ValidationError("Enter a phone number, like 01632 960 001")
        return phone

    def clean_added_on(self):
        added_on = self.cleaned_data.get("added_on")
        if added_on and added_on > self.as_of:
            raise forms.ValidationError("The date it was added must be today or in the past")
        if added_on and added_on.year < 2000:
            raise forms.ValidationError("Enter a date after 1 January 2000")
        return added_on

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in partner_services.PARTNER_FIELDS}

    @staticmethod
    def initial_for(partner) -> dict:
        return {name: getattr(partner, name) for name in partner_services.PARTNER_FIELDS}


class SafeguardingCheckForm(forms.Form):
    """One check of a partner's safeguarding processes, with optional evidence."""

    checked_on = NHSDateField(
        label="Date of the check", help_text=DATE_HINT,
        error_messages={"required": "Enter the date of the check"},
    )
    checked_by = forms.TypedChoiceField(
        label="Who checked", coerce=int,
        error_messages={"required": "Choose who did the check",
                        "invalid_choice": "Choose someone from the list"},
    )
    outcome = forms.CharField(
        label="What was checked", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: safeguarding policy seen and in date, named safeguarding lead, "
                  "volunteers DBS-checked, how they raise a concern.",
        error_messages={"required": "Enter what was checked",
                        "max_length": "This must be 5,000 characters or fewer"},
    )
    evidence = EvidenceUploadField(label="Evidence file (optional)", required=False)
    review_due_on = NHSDateField(
        label="Next review due (optional)", required=False,
        help_text="Leave empty for 12 months after the check. For example, 15 3 2027",
    )

    def __init__(self, *args, people, pcn, as_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.pcn, self.as_of = pcn, as_of
        self.people = {person.pk: person for person in people}
        self.fields["checked_by"].choices = [("", "Choose a person")] + [
            (p.pk, f"{p.full_name}, {p.job_title}" if p.job_title else p.full_name)
            for p in self.people.values()
        ]
        self.fields["evidence"].help_text = (
            "For example, a copy of their safeguarding policy. The file is kept in the "
            "portfolio of the person who did the check. " + self.fields["evidence"].help_text
        )

    def clean_checked_by(self):
        person = self.people.get(self.cleaned_data.get("checked_by"))
        if person is None:
            raise forms.ValidationError("Choose someone from the list")
        return person

    def clean(self):
        cleaned = super().clean()
        review_due_on = cleaned.get("review_due_on")
        if cleaned.get("checked_on") and review_due_on is None:
            review_due_on = partner_services.default_review_due(cleaned["checked_on"])
        errors = partner_services.check_errors(
            checked_on=cleaned.get("checked_on"), review_due_on=review_due_on,
            checked_by=cleaned.get("checked_by"), pcn=self.pcn, as_of=self.as_of,
        )
        for name, message in errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        if self.errors and self.files.get("evidence") and "evidence" not in self.errors:
            # The bound field keeps its own copy of the hint once the form is cleaned.
            self["evidence"].help_text = f"{RESELECT_HINT} {self.fields['evidence'].help_text}"
        return cleaned

    def field_for_error(self, name):
        return name


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being archived?", max_length=300,
        help_text="For example: the service has closed, or it no longer takes referrals.",
        error_messages={"required": "Enter why the organisation is being archived",
                        "max_length": "The reason must be 300 characters or fewer"},
    )
