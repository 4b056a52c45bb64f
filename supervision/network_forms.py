"""Forms for network sessions: arranging one, inviting, replying, the register, cancelling."""

import datetime
import re

from django import forms
from django.utils import timezone

from lms.development_forms import items_by_section
from lms.form_rendering import NHSDateField

from . import network_services
from .identifier_guard import guard_form
from .models import RSVP, Attendance, Audience, NetworkSessionKind

DATE_HINT = "For example, 15 3 2027"
TIME_HINT = "Use the 24-hour clock, for example 14:30"
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
#: How far from today a session may be dated: recorded afterwards, or arranged ahead.
YEARS_BACK, YEARS_AHEAD = 5, 2


def parse_time(text: str) -> datetime.time | None:
    """'14:30', '14.30', '1430', '9:15', '2pm', '2:30 pm' -> a time; None if not a time."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


class TimeOfDayField(forms.CharField):
    """A time typed as text ('14:30'); what was typed stays in the box when it is wrong."""

    def __init__(self, *, label, **kwargs):
        kwargs.setdefault("help_text", TIME_HINT)
        kwargs.setdefault("max_length", 20)
        super().__init__(
            label=label,
            widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5",
                                          "autocomplete": "off"}),
            error_messages={"required": f"Enter the {label.lower()}",
                            "max_length": f"Enter the {label.lower()} like 14:30"},
            **kwargs,
        )

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        parsed = parse_time(text)
        if parsed is None:
            raise forms.ValidationError(
                f"Enter the {self.label.lower()} as a real time, like 14:30"
            )
        return parsed


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value)


def _other_attendees_field():
    return forms.CharField(
        label="Other people present (optional)", required=False, max_length=500,
        help_text="People who do not use Coordinate, such as social prescribing link workers "
                  "and health and wellbeing coaches: names and roles.",
        error_messages={"max_length": "This must be 500 characters or fewer"},
    )


class SessionForm(forms.Form):
    """Arrange a session, or change one. `pcns`: the PCNs the user may arrange for."""

    kind = forms.ChoiceField(
        label="Type of session", choices=NetworkSessionKind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of session"},
    )
    title = forms.CharField(
        max_length=200, help_text="For example, Riverside care coordinator peer network",
        error_messages={"required": "Enter a title",
                        "max_length": "The title must be 200 characters or fewer"},
    )
    pcn = forms.TypedChoiceField(
        label="Organising PCN", coerce=int,
        error_messages={"required": "Choose the organising PCN",
                        "invalid_choice": "Choose one of your PCNs"},
    )
    date = NHSDateField(help_text=DATE_HINT, error_messages={"required": "Enter the date"})
    start_time = TimeOfDayField(label="Start time")
    end_time = TimeOfDayField(label="End time")
    venue = forms.CharField(
        label="Venue", required=False, max_length=200,
        help_text="Where it is held in person. Leave empty if it is online only.",
        error_messages={"max_length": "The venue must be 200 characters or fewer"},
    )
    online_link = forms.URLField(
        label="Online meeting link", required=False, max_length=500, assume_scheme="https",
        help_text="For example, a Microsoft Teams link. Leave empty if it is in person only.",
        widget=forms.URLInput(attrs={"spellcheck": "false"}),
        error_messages={"invalid": "Enter a web address, like https://teams.microsoft.com/…",
                        "max_length": "The link must be 500 characters or fewer"},
    )
    facilitator = forms.TypedChoiceField(
        coerce=int, error_messages={"required": "Choose who facilitates the session",
                                    "invalid_choice": "Choose someone from the list"},
    )
    audience = forms.ChoiceField(
        label="Who is it for?", choices=Audience.choices, widget=forms.RadioSelect,
        initial=Audience.PCN, error_messages={"required": "Choose who the session is for"},
    )
    description = forms.CharField(
        label="Description (optional)", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the session covers and anything to prepare.",
        error_messages={"max_length": "The description must be 5,000 characters or fewer"},
    )
    learning_item = forms.TypedChoiceField(
        label="Curriculum item it counts towards (optional)", required=False, coerce=int,
        empty_value=None,
        help_text="Attendees’ CPD hours go into their learning record for this item. Leave it "
                  "as it is for the usual item of the type of session, such as ‘Care "
                  "coordinator peer network’.",
        error_messages={"invalid_choice": "Choose an item from the curriculum"},
    )
    cpd_hours = forms.DecimalField(
        label="CPD hours for each attendee (optional)", required=False, min_value=0,
        max_value=network_services.MAX_SESSION_HOURS, max_digits=4, decimal_places=1,
        help_text="Leave empty to credit the length of the session.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter CPD hours as a number, like 1.5",
            "min_value": "CPD hours cannot be less than 0",
            "max_value": f"CPD hours must be {network_services.MAX_SESSION_HOURS} or fewer",
            "max_digits": "Enter CPD hours to one decimal place, like 1.5",
            "max_decimal_places": "Enter CPD hours to one decimal place, like 1.5",
            "max_whole_digits": f"CPD hours must be {network_services.MAX_SESSION_HOURS} "
                                "or fewer",
        },
    )
    other_attendees = _other_attendees_field()

    #: Service field name -> the form field its error belongs to.
    ERROR_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}

    def __init__(self, *args, pcns, people, items, as_of, fixed_pcn=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of = as_of
        self.pcns = {pcn.pk: pcn for pcn in pcns}
        self.fixed_pcn = fixed_pcn
        if fixed_pcn is not None or len(self.pcns) == 1:
            self.fixed_pcn = fixed_pcn or next(iter(self.pcns.values()))
            del self.fields["pcn"]
        else:
            self.fields["pcn"].choices = [("", "Choose a PCN")] + [
                (pcn.pk, pcn.name) for pcn in self.pcns.values()
            ]
        self.people = {person.pk: person for person in people}
        by_pcn = {}
        for person in people:
            by_pcn.setdefault(person.pcn.name if person.pcn_id else "", []).append(person)
        if len(by_pcn) > 1:
            facilitator_choices = [
                (pcn_name, [(p.pk, self._person_label(p)) for p in group])
                for pcn_name, group in by_pcn.items()
            ]
        else:
            facilitator_choices = [(p.pk, self._person_label(p)) for p in people]
        self.fields["facilitator"].choices = [("", "Choose a person")] + facilitator_choices
        self.items = {item.pk: item for item in items}
        self.fields["learning_item"].choices = [("", "The usual item for this type of session")] + [
            (section, [(item.pk, item.title) for item in section_items])
            for section, section_items in items_by_section(items)
        ]

    @staticmethod
    def _person_label(person):
        return f"{person.full_name}, {person.job_title}" if person.job_title else person.full_name

    def field_for_error(self, name):
        return self.ERROR_FIELDS.get(name, name)

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day is None:
            return day
        earliest = self.as_of.replace(year=self.as_of.year - YEARS_BACK, month=1, day=1)
        latest = self.as_of.replace(year=self.as_of.year + YEARS_AHEAD, month=12, day=31)
        if not earliest <= day <= latest:
            raise forms.ValidationError(
                f"Enter a date between {earliest:%-d %B %Y} and {latest:%-d %B %Y}"
            )
        return day

    def clean_facilitator(self):
        person = self.people.get(self.cleaned_data.get("facilitator"))
        if person is None:
            raise forms.ValidationError("Choose someone from the list")
        return person

    def clean_learning_item(self):
        item_id = self.cleaned_data.get("learning_item")
        if item_id is None:
            return None
        item = self.items.get(item_id)
        if item is None:
            raise forms.ValidationError("Choose an item from the curriculum")
        return item

    def clean(self):
        cleaned = super().clean()
        pcn = self.fixed_pcn or self.pcns.get(cleaned.get("pcn"))
        cleaned["pcn_object"] = pcn
        day, start, end = (cleaned.get(n) for n in ("date", "start_time", "end_time"))
        starts_at = ends_at = None
        if day and start and end:
            zone = timezone.get_current_timezone()
            starts_at = timezone.make_aware(datetime.datetime.combine(day, start), zone)
            ends_at = timezone.make_aware(datetime.datetime.combine(day, end), zone)
        cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        errors = network_services.session_errors(
            starts_at=starts_at, ends_at=ends_at, venue=cleaned.get("venue"),
            online_link=cleaned.get("online_link"), facilitator=cleaned.get("facilitator"),
            pcn=pcn, cpd_hours=cleaned.get("cpd_hours"),
        )
        for name, message in errors.items():
            field_name = self.field_for_error(name)
            if field_name in self.fields and field_name not in self.errors:
                self.add_error(field_name, message)
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"], "title": data["title"], "starts_at": data["starts_at"],
            "ends_at": data["ends_at"], "venue": data["venue"],
            "online_link": data["online_link"], "facilitator": data["facilitator"],
            "audience": data["audience"], "description": data["description"],
            "learning_item": data["learning_item"], "cpd_hours": data["cpd_hours"],
            "other_attendees": data["other_attendees"],
        }

    @classmethod
    def initial_for(cls, session) -> dict:
        start, end = _local(session.starts_at), _local(session.ends_at)
        return {
            "kind": session.kind, "title": session.title, "date": start.date(),
            "start_time": f"{start:%H:%M}", "end_time": f"{end:%H:%M}",
            "venue": session.venue, "online_link": session.online_link,
            "facilitator": session.facilitator_id, "audience": session.audience,
            "description": session.description, "learning_item": session.learning_item_id,
            "cpd_hours": session.cpd_hours, "other_attendees": session.other_attendees,
        }


class InviteForm(forms.Form):
    """Pick invitees: care coordinators (or all of them) and, optionally, their supporters."""

    invite_all = forms.BooleanField(
        label="Invite every care coordinator listed", required=False,
    )
    coordinators = forms.TypedMultipleChoiceField(
        label="Care coordinators", required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose care coordinators from the list"},
    )
    supporters = forms.TypedMultipleChoiceField(
        label="Supervisors and other supporters (optional)", required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose people from the list"},
    )

    def __init__(self, *args, invitable, already_invited=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinator_people = {p.pk: p for p in invitable.coordinators
                                   if p.pk not in already_invited}
        self.supporter_people = {p.pk: p for p in invitable.supporters
                                 if p.pk not in already_invited}
        self.fields["coordinators"].choices = [
            (p.pk, f"{p.full_name} ({p.pcn.name})" if p.pcn_id else p.full_name)
            for p in self.coordinator_people.values()
        ]
        self.fields["supporters"].choices = [
            (p.pk, f"{p.full_name}: {', '.join(p.support_roles)}")
            for p in self.supporter_people.values()
        ]
        if not self.coordinator_people:
            del self.fields["invite_all"]
            del self.fields["coordinators"]
        if not self.supporter_people:
            del self.fields["supporters"]

    @property
    def has_choices(self) -> bool:
        return bool(self.coordinator_people or self.supporter_people)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("invite_all"):
            chosen = list(self.coordinator_people.values())
        else:
            chosen = [self.coordinator_people[pk] for pk in cleaned.get("coordinators", [])]
        chosen += [self.supporter_people[pk] for pk in cleaned.get("supporters", [])]
        if not chosen:
            target = "coordinators" if "coordinators" in self.fields else "supporters"
            if target in self.fields:
                self.add_error(target, "Choose who to invite")
            else:
                self.add_error(None, "There is nobody left to invite")
        cleaned["people"] = chosen
        return cleaned


class RSVPForm(forms.Form):
    rsvp = forms.ChoiceField(
        label="Are you attending?",
        choices=[(RSVP.YES, RSVP.YES.label), (RSVP.NO, RSVP.NO.label),
                 (RSVP.MAYBE, RSVP.MAYBE.label)],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you are attending",
                        "invalid_choice": "Choose attending, not attending or maybe"},
    )


ATTENDANCE_CHOICES = [(state.value, state.label) for state in network_services.RECORDED_ATTENDANCE]
_ATTENDANCE_KEY = re.compile(r"^attendance_(\d{1,12})$")
GUARDED_REGISTER_FIELDS = ("notes", "themes")


def _attendance_field(**kwargs):
    field = forms.ChoiceField(
        choices=ATTENDANCE_CHOICES, required=False,
        widget=forms.RadioSelect(attrs={"class": "nhsuk-radios--inline"}),
        error_messages={"invalid_choice": "Choose attended, apologies or absent"},
        **kwargs,
    )
    field.nhs_label_class = "nhsuk-fieldset__legend--s"
    return field


class RegisterForm(forms.Form):
    """Attended, apologies or absent for each invitee, with the notes and themes.

    One radio group per invitee, named `attendance_<person id>`. A posted group for someone
    who is not invited gets a field of its own carrying the error, so nothing is lost.
    """

    other_attendees = _other_attendees_field()
    themes = forms.CharField(
        label="Themes (optional)", required=False, max_length=300,
        help_text="The topics that came up, separated by commas. No patient details.",
        error_messages={"max_length": "Themes must be 300 characters or fewer"},
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was discussed and agreed. Do not include anything that could identify "
                  "a patient.",
        error_messages={"max_length": "Notes must be 10,000 characters or fewer"},
    )

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = list(invitations)
        self.rows = []
        for invitation in self.invitations:
            name = f"attendance_{invitation.person_id}"
            person = invitation.person
            where = f"{person.pcn.name}. " if person.pcn_id else ""
            self.fields[name] = _attendance_field(
                label=person.full_name,
                help_text=f"{where}Replied: {invitation.get_rsvp_display().lower()}",
            )
            if invitation.attendance != Attendance.UNRECORDED:
                self.initial.setdefault(name, invitation.attendance)
            self.rows.append((invitation, name))
        self.uninvited = []
        invited = {invitation.person_id for invitation in self.invitations}
        for key in (self.data or {}):
            match = _ATTENDANCE_KEY.match(key)
            if match and int(match[1]) not in invited and key not in self.fields:
                self.fields[key] = _attendance_field(label="Someone not invited")
                self.uninvited.append(key)

    @property
    def attendance_rows(self):
        """(invitation, bound field) for each invitee."""
        return [(invitation, self[name]) for invitation, name in self.rows]

    @property
    def uninvited_fields(self):
        return [self[name] for name in self.uninvited]

    def clean(self):
        cleaned = super().clean()
        for name in self.uninvited:
            self.add_error(name, "This person is not invited to this session, so their "
                                 "attendance cannot be recorded. Invite them first.")
        guard_form(self, GUARDED_REGISTER_FIELDS)
        return cleaned

    def attendance(self) -> dict[int, str]:
        """{person id: state} for each invitee given a state."""
        return {
            invitation.person_id: self.cleaned_data[name]
            for invitation, name in self.rows if self.cleaned_data.get(name)
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the session cancelled?", max_length=300,
        help_text="Invitees see this in the email telling them it is cancelled.",
        error_messages={"required": "Enter why the session is cancelled",
                        "max_length": "The reason must be 300 characters or fewer"},
    )
