"""Searches the form fuzzing (tests/test_fuzz_forms.py) found making a server error."""

import pytest

from .conftest import add_item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ['"', 'fire"', '"fire', '"><img src=x>', 'a"b"c', "fire\x00"])
def test_a_search_with_a_double_quote_or_nul_is_answered(care_coordinator, sign_in, section,
                                                         query):
    """Wagtail's SQLite backend wraps each word in double quotes (one more is a syntax error)
    and PostgreSQL refuses a NUL: the search treats both as spaces between words."""
    add_item(section, title="Fire safety", summary="Preventing fires at work.")

    response = sign_in(care_coordinator).get("/curriculum/", {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    found = "Fire safety" in html.split("<main", 1)[1]
    assert found == ("fire" in query)
