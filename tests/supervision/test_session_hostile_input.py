"""Hostile input to every supervision-session page and form never makes a 500, never loses
what was typed and never shows a script back unescaped (the checks of tests/test_bad_input.py,
run over this area's pages with records in every state)."""

import pytest
from django.urls import reverse

from supervision import session_services as services
from supervision.session_services import AgreedAction
from tests.supervision.test_sessions import (  # noqa: F401 - fixtures
    HELD_ON,
    confirmed,
    frozen,
    recorded,
)
from tests.test_bad_input import SCRIPT, Problems, _check_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def urls(care_coordinator, supervisor, pcn_manager):
    cc = care_coordinator
    waiting = recorded(cc, cc, [supervisor],
                       actions=[AgreedAction("Open action", cc, HELD_ON)])
    locked = recorded(cc, supervisor, [supervisor], held_on=HELD_ON.replace(day=20),
                      actions=[AgreedAction(SCRIPT, supervisor)], topics=SCRIPT)
    confirmed(locked, cc, comment=SCRIPT)
    services.session_addendum_add(actor=cc.user, session=locked, by=cc, text=SCRIPT)
    withdrawn = recorded(cc, cc, [supervisor], held_on=HELD_ON.replace(day=10))
    services.supervision_session_withdraw(actor=cc.user, session=withdrawn, by=cc,
                                          reason=SCRIPT)
    names = ["mine", "record", "to_confirm", "team", "cadence", "load"]
    found = [reverse(f"supervision:{name}") for name in names]
    found += [reverse("supervision:person", args=[cc.pk]),
              reverse("supervision:record_for", args=[cc.pk])]
    for session in (waiting, locked, withdrawn):
        for name in ("detail", "edit", "withdraw", "confirm", "addendum", "action_add"):
            found.append(reverse(f"supervision:{name}", args=[session.pk]))
    return found


@pytest.mark.parametrize("role", ["care_coordinator", "supervisor", "pcn_manager", "icb_viewer"])
def test_hostile_input_to_every_session_page_and_form(request, sign_in, urls, role):
    client = sign_in(request.getfixturevalue(role))
    problems = Problems()
    for url in urls:
        _check_page(client, role, url, problems)
        response = client.get(url)
        assert SCRIPT.encode() not in response.content, f"{role} {url} shows a raw script"
    assert not problems, "\n".join(problems)
