"""Forms for induction templates and personal development plans."""

from django import forms

from content.models import CurriculumSectionPage, LearningItemPage

from .form_rendering import NHSDateField
from .models import GoalStatus

DATE_HINT = "For example, 15 3 2027"
MIN_WEEK, MAX_WEEK = 1, 104
WEEK_ERRORS = {
    "required": "Enter the week to complete it by",
    "invalid": "Enter the week as a number, like 4",
    "min_value": f"The week must be {MIN_WEEK} or more",
    "max_value": f"The week must be {MAX_WEEK} or less",
}


def _week_field(**kwargs):
    return forms.IntegerField(
        min_value=MIN_WEEK,
        max_value=MAX_WEEK,
        error_messages=WEEK_ERRORS,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        **kwargs,
    )


def items_by_section(items) -> list[tuple[str, list]]:
    """Live learning items grouped under their curriculum section's title, in tree order."""
    items = sorted(items, key=lambda item: item.path)
    sections = {
        section.path: section.title
        for section in CurriculumSectionPage.objects.live().only("path", "title")
    }
    groups: dict[str, list] = {}
    for item in items:
        title = sections.get(item.path[: -LearningItemPage.steplen], "Other learning")
        groups.setdefault(title, []).append(item)
    return list(groups.items())


# --- induction template ----------------------------------------------------------------------


class TemplateEntryForm(forms.Form):
    """One item of a PCN's induction template: its due week, or remove it."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    due_week = _week_field(label="Complete by week")
    remove = forms.BooleanField(label="Remove", required=False)

    def __init__(self, *args, live_items=None, **kwargs):
        self.live_items = live_items or {}
        super().__init__(*args, **kwargs)

    def clean_item(self):
        item = self.live_items.get(self.cleaned_data["item"])
        if item is None:
            raise forms.ValidationError("This item is no longer in the curriculum")
        return item

    @property
    def item_page(self):
        """The learning item this row is for, also when the form is bound with errors."""
        try:
            return self.live_items.get(int(self["item"].value()))
        except (TypeError, ValueError):
            return None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove"):
            # A removed row's week does not matter.
            self.errors.pop("due_week", None)
        return cleaned


class BaseTemplateEntryFormSet(forms.BaseFormSet):
    def entries(self):
        """(item, week) for every row that was not removed."""
        return [
            (form.cleaned_data["item"], form.cleaned_data["due_week"])
            for form in self.forms
            if not form.cleaned_data.get("remove")
        ]


TemplateEntryFormSet = forms.formset_factory(
    TemplateEntryForm, formset=BaseTemplateEntryFormSet, extra=0
)


class TemplateAddForm(forms.Form):
    """Add one curriculum item to the template."""

    add_item = forms.TypedChoiceField(
        label="Add an item from the curriculum (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Items already in the plan are not listed.",
    )
    add_week = _week_field(
        label="Complete by week (for the item you add)",
        required=False,
        help_text="Weeks after the care coordinator’s start date, from 1 to 104.",
    )

    def __init__(self, *args, available_items=(), **kwargs):
        super().__init__(*args, prefix="add", **kwargs)
        self.available = {item.pk: item for item in available_items}
        self.fields["add_item"].choices = [("", "Choose an item")] + [
            (section, [(item.pk, item.title) for item in items])
            for section, items in items_by_section(available_items)
        ]

    def clean(self):
        cleaned = super().clean()
        item_id, week = cleaned.get("add_item"), cleaned.get("add_week")
        if item_id is not None:
            cleaned["add_item"] = self.available.get(item_id)
            if week is None and "add_week" not in self.errors:
                self.add_error("add_week", "Enter the week to complete the new item by")
        elif week is not None:
            self.add_error("add_item", "Choose the item to add, or clear the week")
        return cleaned

    def entry(self):
        """(item, week) to add, or None."""
        item = self.cleaned_data.get("add_item")
        return (item, self.cleaned_data["add_week"]) if item else None


# --- personal development plan ----------------------------------------------------------------


class GoalForm(forms.Form):
    """One goal of a personal development plan."""

    title = forms.CharField(
        label="Goal",
        max_length=200,
        help_text="What you want to be able to do, for example ‘Run a health coaching "
        "conversation on my own’.",
        error_messages={"required": "Enter your goal",
                        "max_length": "Goal must be 200 characters or fewer"},
    )
    description = forms.CharField(
        label="How you will get there (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Steps, support you need, how you will know you have got there. "
        "Do not include any patient details.",
    )
    target_date = NHSDateField(label="Target date (optional)", required=False,
                               help_text=DATE_HINT)
    status = forms.ChoiceField(
        label="Status",
        choices=GoalStatus.choices,
        widget=forms.RadioSelect,
        initial=GoalStatus.NOT_STARTED,
        help_text="Goals are never deleted: choose ‘No longer a goal’ to stop one.",
        error_messages={"required": "Select a status"},
    )
    learning_items = forms.TypedMultipleChoiceField(
        label="Learning that helps with this goal (optional)",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    last_reviewed_on = NHSDateField(
        label="Date last reviewed with your supervisor (optional)",
        required=False,
        help_text=DATE_HINT,
    )

    SERVICE_FIELDS = ("title", "description", "target_date", "status", "last_reviewed_on")

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in items}
        self.item_groups = items_by_section(items)
        self.fields["learning_items"].choices = [
            (item.pk, item.title) for item in sorted(items, key=lambda i: i.path)
        ]

    def clean_last_reviewed_on(self):
        from .access import today

        day = self.cleaned_data["last_reviewed_on"]
        if day and day > today():
            raise forms.ValidationError("The review date must be today or in the past")
        return day

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}

    def chosen_items(self):
        return [self.items[pk] for pk in self.cleaned_data["learning_items"]]

    def item_groups_with_choice(self):
        """Sections of checkboxes for the template, each option marked when chosen."""
        chosen = {str(v) for v in (self["learning_items"].value() or [])}
        return [
            (section, [(item, str(item.pk) in chosen) for item in items])
            for section, items in self.item_groups
        ]


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Comments cannot be changed or deleted once added. "
        "Do not include any patient details.",
        error_messages={"required": "Enter your comment",
                        "max_length": "Comment must be 2,000 characters or fewer"},
    )
