"""Forms for people, roles and invitations. Rules live in services; forms shape input."""

from django import forms
from django.contrib.auth import password_validation

from .form_rendering import NHSDateField as DateField
from .models import PCN, SUPPORT_ROLES, AfCBand, FundingRoute, Person, Practice, Role


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing an id beyond a 64-bit integer as an invalid choice: Django
    passes it to the database, and SQLite fails with OverflowError (a server error)."""

    def clean(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: Django's own check refuses it
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"],
                                            code="invalid_pk_value", params={"pk": pk})
        return super().clean(value)


class PersonForm(forms.Form):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    email = forms.EmailField(
        label="Email address",
        help_text="Use their NHS email address. They sign in with it.",
        max_length=150,
    )
    job_title = forms.CharField(max_length=150, required=False)
    pcn = forms.ModelChoiceField(label="PCN", queryset=PCN.objects.none(), empty_label=None)
    employment_start_date = DateField(
        label="Employment start date", required=False, help_text="For example, 15 3 2026"
    )
    funding_route = forms.ChoiceField(
        choices=FundingRoute.choices, widget=forms.RadioSelect, initial=FundingRoute.OTHER
    )
    afc_band = forms.ChoiceField(
        label="Agenda for Change band",
        choices=[("", "Not recorded"), *AfCBand.choices],
        required=False,
    )

    def __init__(self, *args, pcns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pcn"].queryset = pcns


class PersonEditForm(PersonForm):
    left_on = DateField(
        label="Date they left (optional)",
        required=False,
        help_text="Only if they have left. Their roles end on this date and they can no longer "
        "sign in; everything recorded about them is kept.",
    )


class PersonAddForm(PersonForm):
    role = forms.ChoiceField(
        label="Role in your PCN",
        choices=[
            ("", "No role yet"),
            (Role.CARE_COORDINATOR, Role.CARE_COORDINATOR.label),
            (Role.PCN_MANAGER, Role.PCN_MANAGER.label),
        ],
        required=False,
        help_text="Name supervisors and contacts for a care coordinator from their page.",
    )
    send_invitation = forms.BooleanField(
        label="Email them an invitation to set a password now",
        required=False,
        initial=True,
    )


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(
        choices=[
            (Role.CARE_COORDINATOR, Role.CARE_COORDINATOR.label),
            (Role.CLINICAL_SUPERVISOR, Role.CLINICAL_SUPERVISOR.label),
            (Role.LINE_MANAGER, Role.LINE_MANAGER.label),
            (Role.FIRST_POINT_OF_CONTACT, Role.FIRST_POINT_OF_CONTACT.label),
            (Role.SAFEGUARDING_GP, Role.SAFEGUARDING_GP.label),
            (Role.PCN_MANAGER, Role.PCN_MANAGER.label),
        ],
        widget=forms.RadioSelect,
    )
    care_coordinator = forms.ModelChoiceField(
        label="Care coordinator supported",
        queryset=Person.objects.none(),
        required=False,
        help_text="Only for a GP clinical supervisor, line manager, first point of contact "
        "or safeguarding GP.",
    )
    practices = ModelMultipleChoiceField(
        label="Practices covered",
        queryset=Practice.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for a care coordinator. Leave all unticked if they work across the PCN.",
    )
    starts_on = DateField(label="Start date", help_text="For example, 1 4 2026")

    def __init__(self, *args, coordinators, practices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_coordinator"].queryset = coordinators
        self.fields["practices"].queryset = practices

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in SUPPORT_ROLES and not data.get("care_coordinator"):
            self.add_error("care_coordinator", "Choose the care coordinator this role supports.")
        if role not in SUPPORT_ROLES:
            data["care_coordinator"] = None
        if role != Role.CARE_COORDINATOR:
            data["practices"] = []
        return data


class RoleEndForm(forms.Form):
    ends_on = DateField(
        label="End date",
        help_text="The first day they no longer hold the role. For example, 1 12 2026",
    )
    reason = forms.CharField(
        label="Reason (optional)", max_length=300, required=False,
        help_text="For example, left the PCN or supervision moved to another GP.",
    )


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Avoid common words and all-number passwords.",
    )
    password2 = forms.CharField(
        label="Enter the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data["password1"]:
            self.add_error("password2", "The passwords do not match.")
        return data
