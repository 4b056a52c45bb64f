"""Forms for the DES 7 directory and practice awareness. The rules live in directory_services."""

from django import forms

from lms.files import EvidenceUploadField
from lms.form_rendering import NHSDateField

from .directory_services import PHOTO_TYPES
from .models import AwarenessMethod

DATE_HINT = "For example, 15 3 2026"
RESELECT_HINT = "Select the photo again: a file is not kept when there is a problem with the form."


class EntryForm(forms.Form):
    """A coordinator's entry: the name shown, practices covered, how to refer, about, photo;
    and, for a new listing, the date it is listed from."""

    display_name = forms.CharField(
        label="Name to show", max_length=150,
        help_text="Usually their first and last name.",
        error_messages={"required": "Enter the name to show",
                        "max_length": "The name must be 150 characters or fewer"},
    )
    practices = forms.TypedMultipleChoiceField(
        label="Practices covered", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one practice",
                        "invalid_choice": "Choose practices from the list"},
    )
    how_to_refer = forms.CharField(
        label="How to refer patients", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: ask reception to book a care coordinator appointment, or send "
                  "a task in the clinical system. Do not give a personal phone number or email.",
        error_messages={"required": "Enter how to refer patients",
                        "max_length": "This must be 2,000 characters or fewer"},
    )
    about = forms.CharField(
        label="About them (optional)", max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few lines staff and patients will read: what they help with, the days "
                  "they work.",
        error_messages={"max_length": "This must be 2,000 characters or fewer"},
    )
    photo = EvidenceUploadField(
        label="Photo (optional)", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,image/png,image/jpeg"}),
    )
    remove_photo = forms.BooleanField(label="Remove the current photo", required=False)
    listed_from = NHSDateField(
        label="List from", help_text=f"Today or a later date. {DATE_HINT}",
        error_messages={"required": "Enter the date to list from"},
    )

    def __init__(self, *args, practices, has_photo=False, new_listing=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.practices = {p.pk: p for p in practices}
        self.fields["practices"].choices = [(p.pk, p.name) for p in practices]
        self.fields["photo"].help_text = (
            "A PNG or JPEG image. It is shown on the public page only while the entry is listed."
        )
        if has_photo:
            self.fields["photo"].label = "Replace the photo (optional)"
        else:
            del self.fields["remove_photo"]
        if not new_listing:
            del self.fields["listed_from"]

    def clean_practices(self):
        return [self.practices[pk] for pk in self.cleaned_data.get("practices", [])
                if pk in self.practices]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and getattr(photo, "detected_content_type", None) not in PHOTO_TYPES:
            raise forms.ValidationError("The photo must be a PNG or JPEG image")
        return photo or None

    def clean(self):
        cleaned = super().clean()
        if self.errors and self.files.get("photo") and "photo" not in self.errors:
            # The bound field keeps its own copy of the hint once the form is cleaned.
            self["photo"].help_text = f"{RESELECT_HINT} {self.fields['photo'].help_text}"
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"display_name": data["display_name"], "how_to_refer": data["how_to_refer"],
                "about": data["about"], "practices": data["practices"],
                "photo_file": data["photo"]}


class UnlistForm(forms.Form):
    listed_until = NHSDateField(
        label="Take it off the page from", help_text=f"Today or a later date. {DATE_HINT}",
        error_messages={"required": "Enter the date to take it off the page"},
    )


class AwarenessForm(forms.Form):
    """That a practice's staff were told who the care coordinators are."""

    told_on = NHSDateField(
        label="Date the staff were told", help_text=DATE_HINT,
        error_messages={"required": "Enter the date the staff were told"},
    )
    method = forms.ChoiceField(
        label="How were they told?", choices=AwarenessMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose how the staff were told",
                        "invalid_choice": "Choose how the staff were told"},
    )
    told_by = forms.TypedChoiceField(
        label="Who told them", coerce=int,
        error_messages={"required": "Choose who told the staff",
                        "invalid_choice": "Choose someone from the list"},
    )
    coordinators = forms.TypedMultipleChoiceField(
        label="Which care coordinators were they told about?", coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the care coordinators the staff were told about",
                        "invalid_choice": "Choose care coordinators from the list"},
    )
    notes = forms.CharField(
        label="Notes (optional)", max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the meeting or bulletin it was in.",
        error_messages={"max_length": "Notes must be 500 characters or fewer"},
    )

    def __init__(self, *args, people, coordinators, as_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of = as_of
        self.people = {p.pk: p for p in people}
        self.coordinator_people = {p.pk: p for p in coordinators}
        self.fields["told_by"].choices = [("", "Choose a person")] + [
            (p.pk, f"{p.full_name}, {p.job_title}" if p.job_title else p.full_name)
            for p in self.people.values()
        ]
        self.fields["coordinators"].choices = [
            (p.pk, p.full_name) for p in self.coordinator_people.values()
        ]

    def clean_told_on(self):
        told_on = self.cleaned_data.get("told_on")
        if told_on and told_on > self.as_of:
            raise forms.ValidationError("The date must be today or in the past")
        if told_on and told_on.year < self.as_of.year - 10:
            raise forms.ValidationError("The date must be within the last 10 years")
        return told_on

    def clean_told_by(self):
        person = self.people.get(self.cleaned_data.get("told_by"))
        if person is None:
            raise forms.ValidationError("Choose someone from the list")
        return person

    def clean_coordinators(self):
        return [self.coordinator_people[pk] for pk in self.cleaned_data.get("coordinators", [])
                if pk in self.coordinator_people]
