"""Two reviewers signing off the same request at once: one wins, the other changes nothing.

Needs real row locks (select_for_update), so it runs on PostgreSQL only:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
    .venv/bin/pytest tests/competencies/test_concurrent_sign_off.py
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from competencies import services
from competencies.models import (
    Competency,
    Domain,
    Framework,
    RequestStatus,
    SignOff,
    SignOffRequest,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks: SQLite serialises writers and has no FOR UPDATE",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def pending_request(care_coordinator):
    framework = Framework.objects.create(code="race", name="Race", version="1")
    domain = Domain.objects.create(framework=framework, code="d", name="Domain")
    competency = Competency.objects.create(framework=framework, domain=domain, code="c",
                                           title="Competency", descriptor="Does it.")
    return services.sign_off_request_create(
        actor=care_coordinator.user, person=care_coordinator, competency=competency,
        assessor_name="Dr Okafor", assessor_email="gp@oaktree.example",
    )


def test_two_simultaneous_sign_offs_record_exactly_one(pending_request):
    barrier = threading.Barrier(2, timeout=30)
    results = {}

    def sign(name, level):
        try:
            # Each thread loads its own copy, as two browser requests would.
            request = SignOffRequest.objects.get(pk=pending_request.pk)
            barrier.wait()
            results[name] = services.sign_off_record(
                actor=None, request=request, level=level, comment=f"Seen by {name}.",
                assessor_name=name,
            )
        except Exception as error:  # noqa: BLE001 - reported to the main thread below
            results[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(name, level))
               for name, level in (("First assessor", 2), ("Second assessor", 3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    wins = {name: r for name, r in results.items() if isinstance(r, SignOff)}
    losses = {name: r for name, r in results.items() if isinstance(r, ValidationError)}
    assert len(wins) == 1 and len(losses) == 1, results
    message = next(iter(losses.values())).messages[0]
    assert "already been signed off" in message and "Nothing was changed." in message

    assert SignOff.objects.count() == 1
    sign_off = SignOff.objects.get()
    assert sign_off.assessor_name == next(iter(wins))
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.SIGNED_OFF
