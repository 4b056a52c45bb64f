"""Template helpers for NHS.UK frontend markup: `{% load nhsuk %}`.

- `{% nhs_field bound_field as f %}`: what `forms/nhsuk_field.html` needs to
  draw one field (kind, ids, rendered widget, options).
- `{% error_summary_items form forms as items %}`: (text, href) rows for the
  error summary; `form` wins over `forms` when both are given.
- `{% error_title_prefix %}`: "Error: " when the page's `form`, or any of its
  `forms`, has errors (or `page_has_errors` is true), else "".
- `{{ form_or_formset|has_errors }}`.
- `{% nhs_form form %}`: the fields of a form in NHS.UK markup.
- `|squash` (collapse whitespace), `|sentence_case` (for allauth's Title Case).
"""

import functools

from django import forms, template
from django.forms.widgets import Input

from lms.form_rendering import NHSDateInput, NHSFormRenderer

register = template.Library()


def _kind(widget) -> str:
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, NHSDateInput):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.MultiWidget):
        return "group"
    if isinstance(widget, Input):
        return "input"
    return "other"


# Classes NHS.UK frontend gives each kind of control, and its error variant.
_CONTROL_CLASSES = {
    "input": ("nhsuk-input", "nhsuk-input--error"),
    "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
    "select": ("nhsuk-select", "nhsuk-select--error"),
    "checkbox": ("nhsuk-checkboxes__input", ""),
    "file": ("", ""),
    "date": ("", "nhsuk-input--error"),
    "group": ("", ""),
    "other": ("", ""),
}
# Kinds drawn as a fieldset with a legend; their hint and error ids go on it.
_FIELDSET_KINDS = {"date", "radios", "checkboxes", "group"}


def _join(*parts) -> str:
    return " ".join(p for p in parts if p)


def field_anchor(bound_field) -> str:
    """The id of the first control of a field: where an error summary links."""
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id
    if not auto_id:
        return ""
    if isinstance(widget, forms.RadioSelect):
        return widget.id_for_label(auto_id, "0")
    return widget.id_for_label(auto_id) or auto_id


@register.simple_tag
def nhs_field(bound_field):
    """Everything the NHS field template needs for one bound field."""
    field = bound_field.field
    widget = field.widget
    kind = _kind(widget)
    info = {"kind": kind, "field": bound_field}
    if kind == "hidden":
        info["widget"] = bound_field.as_widget()
        return info

    base_id = bound_field.auto_id or bound_field.html_name
    hint_id = f"{base_id}-hint" if bound_field.help_text else ""
    error_id = f"{base_id}-error" if bound_field.errors else ""
    describedby = _join(hint_id, error_id)
    own_class = widget.attrs.get("class", "")
    info.update(
        id=bound_field.id_for_label or bound_field.auto_id,
        hint_id=hint_id,
        error_id=error_id,
        describedby=describedby,
        fieldset=kind in _FIELDSET_KINDS,
        label_class=getattr(field, "nhs_label_class", ""),
    )

    if kind in ("radios", "checkboxes"):
        info["list_class"] = own_class
        info["options"] = [
            {
                "id": option.id_for_label,
                "name": option.data["name"],
                "value": "" if option.data["value"] is None else str(option.data["value"]),
                "label": option.choice_label,
                "checked": option.data["selected"],
                "disabled": bool(option.data["attrs"].get("disabled")),
            }
            for option in bound_field.subwidgets
        ]
        return info

    attrs = {}
    base_class, error_class = _CONTROL_CLASSES[kind]
    classes = _join(base_class, error_class if bound_field.errors else "", own_class)
    if kind == "date":
        classes = error_class if bound_field.errors else ""
    if classes:
        attrs["class"] = classes
    if describedby and kind not in _FIELDSET_KINDS:
        attrs["aria-describedby"] = _join(describedby, widget.attrs.get("aria-describedby", ""))
    # NHS.UK guidance: no placeholder text; the label and hint say it.
    if "placeholder" in widget.attrs:
        widget.attrs = {k: v for k, v in widget.attrs.items() if k != "placeholder"}
    info["widget"] = bound_field.as_widget(attrs=attrs)
    return info


def has_errors_for(obj) -> bool:
    if obj is None or not getattr(obj, "is_bound", False):
        return False
    if hasattr(obj, "total_error_count"):  # a formset
        return obj.total_error_count() > 0
    return bool(getattr(obj, "errors", None))


@register.filter
def has_errors(obj) -> bool:
    """True when a bound form or formset has any error."""
    return has_errors_for(obj)


def _form_items(form):
    if hasattr(form, "total_error_count"):  # a formset
        items = [{"text": e, "href": ""} for e in form.non_form_errors()]
        for member in form.forms:
            items.extend(_form_items(member))
        return items
    if not has_errors_for(form):
        return []
    items = [{"text": e, "href": ""} for e in form.non_field_errors()]
    for bound_field in form:
        for error in bound_field.errors:
            if bound_field.is_hidden:
                items.append({"text": error, "href": ""})
            else:
                anchor = field_anchor(bound_field)
                items.append({"text": error, "href": f"#{anchor}" if anchor else ""})
    return items


@register.simple_tag
def error_summary_items(form=None, forms=None):
    """(text, href) rows for every error of `form`, or else of each of `forms`."""
    if form is not None and form != "":
        return _form_items(form)
    items = []
    for member in forms or []:
        items.extend(_form_items(member))
    return items


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    """ "Error: " when the page shows a form with errors, for the <title>."""
    if context.get("page_has_errors"):
        return "Error: "
    if has_errors_for(context.get("form")):
        return "Error: "
    if any(has_errors_for(f) for f in context.get("forms") or []):
        return "Error: "
    return ""


@functools.cache
def _renderer():
    return NHSFormRenderer()


@register.simple_tag
def nhs_form(form):
    """The fields of `form` in NHS.UK markup, whatever FORM_RENDERER says."""
    if not isinstance(form.renderer, NHSFormRenderer):
        form.renderer = _renderer()
    return form.render(template_name=form.renderer.form_template_name)


@register.filter(is_safe=True)
def squash(value) -> str:
    """Collapse runs of whitespace and trim: for text built from indented blocks."""
    return " ".join(str(value).split())


@register.filter(is_safe=True)
def sentence_case(value) -> str:
    """ "Two-Factor Authentication" -> "Two-factor authentication" (NHS content style).

    For allauth's title-case headings and buttons; plain text only.
    """
    text = " ".join(str(value).split()).lower()
    return text[:1].upper() + text[1:]
