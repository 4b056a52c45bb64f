"""NHS.UK form rendering: a form renderer and an NHS date input field.

`{{ form }}` renders every field in NHS.UK frontend markup through
`templates/forms/nhsuk_form.html` and `templates/forms/nhsuk_field.html`.
Widget templates stay Django's (or Wagtail's), so Wagtail admin widgets are
untouched: NHS classes are added per field by `lms/templatetags/nhsuk.py`.
"""

import datetime
import re

import django
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.renderers import BaseRenderer, EngineMixin
from django.template.backends.django import DjangoTemplates
from django.utils.functional import cached_property


class NHSFormRenderer(EngineMixin, BaseRenderer):
    """Renders forms and fields with the project's NHS.UK templates.

    Its own engine, not TemplatesSetting: that one needs `django.forms` in
    INSTALLED_APPS to find Django's widget templates.
    """

    form_template_name = "forms/nhsuk_form.html"
    field_template_name = "forms/nhsuk_field.html"
    backend = DjangoTemplates

    @cached_property
    def engine(self):
        project_dirs = [d for t in settings.TEMPLATES for d in t.get("DIRS", [])]
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [*project_dirs, f"{django.__path__[0]}/forms/templates"],
                "NAME": "nhsukforms",
                "OPTIONS": {},
            }
        )


class NHSDateInput(forms.MultiWidget):
    """Day, month and year text boxes in `nhsuk-date-input` markup.

    Names and ids are `<name>_day`, `<name>_month`, `<name>_year`. The field
    template wraps it in a fieldset whose legend is the field's label.
    """

    template_name = "forms/widgets/nhsuk_date_input.html"
    use_fieldset = True
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs=None):
        widgets = {
            part: forms.TextInput(
                attrs={
                    "class": f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}",
                    "inputmode": "numeric",
                }
            )
            for part, _label, width in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            try:
                parsed = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [str(parsed.day), str(parsed.month), str(parsed.year)]
        return [None, None, None]

    def id_for_label(self, id_):
        # The error summary links here: the day box.
        return f"{id_}_day" if id_ else ""

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        # An error class is added to each box; aria-describedby belongs on the
        # fieldset that the field template draws around the boxes.
        extra_class = attrs.pop("class", "")
        attrs.pop("aria-describedby", None)
        # Browser validation would stop a partial date before our clearer message.
        attrs.pop("required", None)
        context = super().get_context(name, value, attrs)
        for subwidget, (part, label, _width) in zip(
            context["widget"]["subwidgets"], self.parts, strict=True
        ):
            if extra_class:
                subwidget["attrs"]["class"] = f"{subwidget['attrs']['class']} {extra_class}"
            if attrs.get("id"):
                # MultiWidget numbers the boxes (_0, _1, _2); name them like the inputs.
                subwidget["attrs"]["id"] = f"{attrs['id']}_{part}"
            subwidget["part"] = part
            subwidget["part_label"] = label
        return context


_DIGITS = re.compile(r"^\d+$")


class NHSDateField(forms.Field):
    """A date typed as day, month and year; returns `datetime.date` or None.

    Error messages follow the NHS.UK date input guidance. Override any of them
    with `error_messages={...}` (keys: required, invalid, incomplete_day,
    incomplete_month, incomplete_year, incomplete_day_month,
    incomplete_day_year, incomplete_month_year, year_digits).
    """

    widget = NHSDateInput
    default_error_messages = {
        "required": "Enter a date",
        "invalid": "Enter a real date",
        "incomplete_day": "Date must include a day",
        "incomplete_month": "Date must include a month",
        "incomplete_year": "Date must include a year",
        "incomplete_day_month": "Date must include a day and month",
        "incomplete_day_year": "Date must include a day and year",
        "incomplete_month_year": "Date must include a month and year",
        "year_digits": "Year must include 4 numbers",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        parts = [(str(p).strip() if p is not None else "") for p in value]
        if len(parts) != 3:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not any(parts):
            return None
        missing = [name for name, p in zip(("day", "month", "year"), parts, strict=True) if not p]
        if missing:
            code = "incomplete_" + "_".join(missing)
            raise ValidationError(self.error_messages[code], code=code)
        # A day or month of more than a few digits is not a real date; checked before int(),
        # which refuses strings of over 4,300 digits with a ValueError (a server error).
        if not all(_DIGITS.match(p) for p in parts) or any(len(p) > 4 for p in parts[:2]):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(parts[2]) != 4:
            raise ValidationError(self.error_messages["year_digits"], code="year_digits")
        day, month, year = (int(p) for p in parts)
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            data = self.to_python(data)
            initial = self.to_python(initial)
        except ValidationError:
            return True
        return initial != data


def add_validation_errors(form, error) -> None:
    """Show a service's ValidationError on the form: next to its field where the form has
    one (a form may map service field names with `field_for_error(name)`), else at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            if hasattr(form, "field_for_error"):
                name = form.field_for_error(name)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
