"""Backup and restore (issue 9, item 7): the commands in docs/operations.md, run for real.

Issued evidence packs (one coordinator's, one whole PCN's) are built through the services in
the test database and committed; the database is dumped with `pg_dump --format=custom` and
the evidence folder with `tar`; a fresh database (unique name) is made and the dump restored
into it with `pg_restore --clean --if-exists --no-owner`, and the files into a fresh folder.
Then, against the restored database:

- every issued pack's content is built again from the restored records, as at the pack's
  date, and its fingerprint is the one issued. The fingerprint covers the content only
  (records as at the "as at" date), never the issue time or who asked (lms/compliance/packs.py),
  so a faithful restore must give the same one;
- `manage.py verify_audit` finds the audit trail's hash chain intact, ending in the same
  newest hash as before the backup;
- each pack's PDF is in the restored files, byte for byte.

Why a subprocess (`manage.py shell -c` and `manage.py verify_audit`, with the production
settings module, DATABASE_URL set to the restored database and EVIDENCE_ROOT to the restored
folder) rather than a second connection alias in this process: the pack and audit code reads
through the default managers, without `.using()`, so an alias would need a router or swapping
the default connection under pytest-django; a new process starts with nothing cached from the
original database; and it is what an operator runs (the pack check is docs/operations.md's
snippet, word for word).

PostgreSQL only (pg_dump and pg_restore from /usr/bin), and transactional: pg_dump sees only
committed rows. pytest-django empties the tables afterwards, which is why it first puts back
what Wagtail's data migrations made, in case an earlier transactional test emptied them. The
restored database is created and dropped (whatever happens) through the server's `postgres`
database.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/somename \
    .venv/bin/python -m pytest tests/compliance/test_backup_restore.py -n 0
"""

import datetime
import hashlib
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from lms.audit import verify_audit_chain
from lms.compliance import packs
from lms.compliance.models import IssuedPack, PackKind, PackStatus
from tests.compliance.builders import compliant_coordinator, coordinator, des_curriculum
from tests.conftest import restore_wagtail_defaults

PG_DUMP, PG_RESTORE, TAR = "/usr/bin/pg_dump", "/usr/bin/pg_restore", "tar"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backup and restore use PostgreSQL's pg_dump and pg_restore; this is SQLite",
)
with_client_tools = pytest.mark.skipif(
    not (Path(PG_DUMP).exists() and Path(PG_RESTORE).exists()),
    reason=f"PostgreSQL's client tools are not installed ({PG_DUMP}, {PG_RESTORE})",
)

AS_OF = datetime.date(2025, 11, 14)
REPO = Path(__file__).resolve().parents[2]

#: The pack check of docs/operations.md, word for word: the newest 50 finished packs, each
#: built again from the records as at its date; one line per pack.
CHECK_PACKS = """
from lms.compliance import packs
from lms.compliance.models import IssuedPack, PackKind, PackStatus
for pack in (IssuedPack.objects.filter(status=PackStatus.DONE)
             .select_related("pcn__icb", "person").order_by("-pk")[:50]):
    if pack.kind == PackKind.COORDINATOR:
        content = packs.coordinator_pack_content(pack.person, pack.pcn, pack.as_of)
    else:
        content = packs.pcn_pack_content(pack.pcn, pack.as_of)
    same = packs.content_fingerprint(content) == pack.fingerprint
    has_file = pack.file.storage.exists(pack.file.name)
    print(pack.pk, pack.as_of, pack.fingerprint, "same" if same else "DIFFERENT",
          "file" if has_file else "NO-FILE", pack.file.name)
"""


def _pg_env(db: dict) -> dict:
    """The environment for pg_dump and pg_restore: libpq's variables for this server."""
    env = {**os.environ}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _database_url(db: dict, name: str) -> str:
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{name}"


def _maintenance(db: dict):
    """An autocommit connection to the server's `postgres` database (CREATE/DROP DATABASE)."""
    return psycopg.connect(
        dbname="postgres", host=db.get("HOST") or None, port=db.get("PORT") or None,
        user=db.get("USER") or None, password=db.get("PASSWORD") or None, autocommit=True,
    )


def _run(args, *, env=None, cwd=None) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} exited with {done.returncode}:\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done


def _manage(*args, database_url: str, evidence_root: Path, media_root: Path) -> str:
    """`manage.py` with the production settings, as an operator runs it after a restore."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.base",
           "SECRET_KEY": "test-only-not-secret", "DATABASE_URL": database_url,
           "EVIDENCE_ROOT": str(evidence_root), "MEDIA_ROOT": str(media_root)}
    for name in ("EVIDENCE_STORAGE_BACKEND", "DEBUG"):
        env.pop(name, None)
    return _run([sys.executable, "manage.py", *args], env=env, cwd=REPO).stdout


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_operations_guide_shows_the_pack_check_this_test_runs():
    guide = (REPO / "docs" / "operations.md").read_text()
    shown = [line.strip() for line in guide.splitlines() if line.strip()]
    ours = [line.strip() for line in CHECK_PACKS.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(shown) if line == ours[0]]
    assert any(shown[i:i + len(ours)] == ours for i in starts), (
        "docs/operations.md no longer shows CHECK_PACKS: change both together")


@on_postgresql
@with_client_tools
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_regenerates_every_pack_with_its_fingerprint(pcn, pcn_manager,
                                                                       tmp_path):
    restore_wagtail_defaults()  # an earlier transactional test's flush may have emptied them
    des_curriculum()
    compliant_coordinator(pcn, AS_OF, given_name="Zephyrine", family_name="Quillfeather")
    bare = coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="Barnaby",
                       family_name="Oddingsell")
    own, _ = packs.coordinator_pack_issue(actor=pcn_manager.user, person=bare, pcn=pcn,
                                          as_of=AS_OF)
    whole, _ = packs.pcn_pack_request(actor=pcn_manager.user, pcn=pcn, as_of=AS_OF)
    whole.refresh_from_db()  # built at once in tests (ImmediateBackend)
    assert {(p.kind, p.status) for p in (own, whole)} == {
        (PackKind.COORDINATOR, PackStatus.DONE), (PackKind.PCN, PackStatus.DONE)}
    issued = {p.pk: p.fingerprint for p in IssuedPack.objects.all()}
    files = {p.pk: _sha256(Path(p.file.path)) for p in IssuedPack.objects.all()}
    before = verify_audit_chain()
    assert before.entries >= 3 and not before.breaks  # request and two issues, at least

    db = connection.settings_dict
    restored = f"{db['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "coordinate.dump"
    evidence_root = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    archive, restored_root = tmp_path / "evidence.tar.gz", tmp_path / "restored-evidence"
    restored_root.mkdir()

    # Back up: the database and the evidence folder.
    _run([PG_DUMP, "--format=custom", f"--file={dump}", db["NAME"]], env=_pg_env(db))
    _run([TAR, "--create", "--gzip", f"--file={archive}", f"--directory={evidence_root}", "."])

    with _maintenance(db) as maintenance:
        maintenance.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(restored)))
    try:
        # Restore: into a fresh database, and the files into a fresh folder.
        _run([PG_RESTORE, "--clean", "--if-exists", "--no-owner", "--exit-on-error",
              f"--dbname={restored}", str(dump)], env=_pg_env(db))
        _run([TAR, "--extract", "--gzip", f"--file={archive}", f"--directory={restored_root}"])

        where = {"database_url": _database_url(db, restored),
                 "evidence_root": restored_root, "media_root": tmp_path / "media"}
        output = _manage("shell", "--no-imports", "-c", CHECK_PACKS, **where)
        checked = {}
        for line in output.splitlines():
            if not re.match(r"\d+ \d{4}-\d\d-\d\d ", line):
                continue  # anything else the settings may print
            pk, as_of, fingerprint, same, has_file, name = line.split(" ", 5)
            checked[int(pk)] = (as_of, fingerprint, same, has_file)
            assert _sha256(restored_root / name) == files[int(pk)]
        assert checked == {pk: (AS_OF.isoformat(), fingerprint, "same", "file")
                           for pk, fingerprint in issued.items()}, output

        # The chain only: the builders write records without the services (so without
        # audit entries), which the evidence check rightly reports (test_audit_evidence.py).
        audit = _manage("verify_audit", "--chain-only", **where)
        assert "The audit trail is intact" in audit
        assert f": {before.entries:,} entries;" in audit
        assert f"hash {before.newest.entry_hash}." in audit
    finally:
        with _maintenance(db) as maintenance:
            maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(restored)))
