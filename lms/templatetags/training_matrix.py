"""The training matrix's cells: `{% load training_matrix %}`, `{% matrix_cells row %}`.

A row's cells are drawn in Python, once per row: a 25 × 44 matrix is over a thousand
cells, and the template language spends far longer per cell than `format_html` does.
The markup is what the template would draw: a status word on an NHS.UK tag (colour only
repeats the word), then the date it concerns and any note.
"""

import functools

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


def short_date(day) -> str:
    """As the `date:"j M Y"` filter writes it (3 Mar 2026), without its per-call setup."""
    return f"{day.day} {MONTHS_3[day.month].title()} {day.year}"


@functools.lru_cache(maxsize=4096)
def _cell_markup(language, key, label, colour, expires_on, due_on, note) -> str:
    """A cell's markup from what it shows. Many cells of a matrix look alike (Not recorded,
    the same expiry), so each look is drawn once; the language is part of the key because
    month names are translated."""
    if key == "overdue" and due_on:
        when = f'<span class="coordinate-matrix__date">Due {short_date(due_on)}</span>'
    elif expires_on:
        word = "Expired" if key == "expired" else "Expires"
        when = f'<span class="coordinate-matrix__date">{word} {short_date(expires_on)}</span>'
    else:
        when = ""
    note = f'<span class="coordinate-matrix__date">{escape(note)}</span>' if note else ""
    return (f'<td class="nhsuk-table__cell"><strong class="nhsuk-tag nhsuk-tag--'
            f'{escape(colour)}">{escape(label)}</strong>{when}{note}</td>')


@register.simple_tag
def matrix_cells(row):
    """Every cell of one matrix row, as `<td>`s."""
    language = get_language()
    return mark_safe("".join(
        _cell_markup(language, c.key, c.label, c.colour, c.expires_on, c.due_on, c.note)
        for c in row.cells
    ))
