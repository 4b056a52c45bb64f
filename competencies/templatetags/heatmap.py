"""The competency heatmap's cells: `{% load heatmap %}`, `{% heatmap_cells row %}`.

A row's cells are drawn in Python, once per row: the template language spends far longer
per cell than string formatting does, and each cell's state is worked out once here
rather than once for its colour and again for its words. The markup is what the template
would draw: a word on an NHS.UK tag, the colour only repeating it.
"""

import functools

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from competencies.progress import State

register = template.Library()

HIDDEN_PREFIX = '<span class="nhsuk-u-visually-hidden">Signed off at </span>'


@functools.lru_cache(maxsize=1024)
def _cell_markup(state, short_label) -> str:
    """A cell's markup from what it shows: a heatmap has a handful of looks (Met, Level 2,
    Not started...) over hundreds of cells, so each look is drawn once."""
    prefix = HIDDEN_PREFIX if state == State.SIGNED_OFF else ""
    return (f'<td class="nhsuk-table__cell"><strong class="nhsuk-tag nhsuk-tag--'
            f'{State.COLOURS[state]}">{prefix}{escape(short_label)}</strong></td>')


def cell_html(cell) -> str:
    return _cell_markup(cell.state, cell.short_label)


@register.simple_tag
def heatmap_cells(row):
    """Every cell of one heatmap row, as `<td>`s."""
    return mark_safe("".join(cell_html(cell) for cell in row.cells))
