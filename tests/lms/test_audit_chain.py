"""The audit trail is tamper-evident: `manage.py verify_audit` recomputes the hash chain and
names every entry that was edited, or that follows one removed or rewritten."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lms.audit import EDITED, UNLINKED, _entry_digest, audit_record
from lms.models import AuditEntry


@pytest.fixture
def trail(care_coordinator, pcn_manager):
    """Three entries written the way services write them."""
    return [
        audit_record(actor=pcn_manager.user, action=f"person.update.{n}", obj=care_coordinator,
                     before={"job_title": f"Title {n}"}, after={"job_title": f"Title {n + 1}"})
        for n in range(3)
    ]


def verify():
    """(whether it passed, stdout, stderr with the command's error) of `verify_audit`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def test_an_untouched_trail_is_reported_intact_with_its_newest_hash(trail):
    ok, out, _ = verify()
    assert ok
    assert "intact: 3 entries" in out
    assert trail[-1].entry_hash in out


def test_an_empty_trail_says_so(db):
    ok, out, _ = verify()
    assert ok and "empty" in out


def test_an_entry_edited_in_place_is_named(trail):
    AuditEntry.objects.filter(pk=trail[1].pk).update(after={"job_title": "Something else"})
    ok, _, err = verify()
    assert not ok
    assert f"Audit entry {trail[1].pk}: {EDITED}" in err
    assert f"Audit entry {trail[2].pk}" not in err  # it still follows the stored hash
    assert "broken in 1 place(s) among 3 entries" in err


def test_an_edit_with_a_recomputed_hash_breaks_the_link_to_the_next_entry(trail):
    edited = AuditEntry.objects.get(pk=trail[1].pk)
    edited.actor = None  # who did it, rewritten
    edited.entry_hash = _entry_digest(edited)
    edited.save()
    ok, _, err = verify()
    assert not ok
    assert f"Audit entry {trail[2].pk}: {UNLINKED}" in err
    assert f"Audit entry {trail[1].pk}" not in err


def test_a_removed_entry_is_found_by_the_one_after_it(trail):
    AuditEntry.objects.filter(pk=trail[1].pk).delete()
    ok, _, err = verify()
    assert not ok
    assert f"Audit entry {trail[2].pk}: {UNLINKED}" in err


def test_the_chain_is_read_in_chunks(trail):
    from lms.audit import verify_audit_chain

    report = verify_audit_chain(chunk_size=1)
    assert report.entries == 3 and report.breaks == [] and report.newest.pk == trail[-1].pk
