"""Background work: whole-PCN evidence packs (django-tasks, database backend).

The "background" backend (settings.TASKS) stores jobs in the database; a worker runs them:

    manage.py db_worker --backend background --queue-name packs

Tests run jobs at once (ImmediateBackend, lms/settings/test.py).
"""

from django_tasks import task

from . import packs


@task(backend="background", queue_name="packs")
def build_pcn_pack(pack_id: int) -> None:
    """Build one queued PCN pack; its progress and outcome are kept on the IssuedPack row."""
    packs.pcn_pack_build(pack_id=pack_id)
