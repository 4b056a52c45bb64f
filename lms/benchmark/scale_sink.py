"""Bulk insertion for the national-scale dataset: rows by model, ids allocated up front.

Each row gets its primary key when it is added (the table's largest id so far, plus one), so
rows can point at each other before anything is written and the same seed on the same
database gives the same ids. That assumes nothing else writes to these tables while the
seed runs, which is true of a seeding command. Sequences are reset afterwards
(`reset_sequences`) so the application's own inserts carry on after the generated ids.

Writing uses PostgreSQL's COPY where the database is PostgreSQL (ten times faster than
INSERT for millions of rows) and `bulk_create` with a batch size elsewhere (SQLite). Either
way a field whose default is the clock (`timezone.now`, `date.today`) must be given, so a
generated row never depends on when the seed ran.

With `digest=True` the sink also hashes every row in the order written: two runs with the same
options from the same starting ids give the same digest. A sink made with `dry_run=True`
hashes without writing, from given starting ids, to recompute a run's digest.
"""

import hashlib
import json

from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models import Max

BATCH_SIZE = 2000


class _Table:
    """What writing one model needs: its columns, defaults and the fields it must be given."""

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.required = {
            f.attname for f in self.fields
            if f.has_default() and callable(f.default) and f.default not in (list, dict)
        }
        self.defaults = {
            f.attname: None if f.attname in self.required else f.get_default()
            for f in self.fields
        }

    def check(self, row: dict) -> None:
        missing = self.required - row.keys()
        if missing:
            raise ValueError(
                f"{self.model.__name__} row without {sorted(missing)}: their defaults read "
                "the clock, which would make the dataset differ from run to run"
            )

    def values(self, row: dict) -> list:
        values = [row.get(name, self.defaults[name]) for name in self.attnames]
        if self.json:
            for index, name in enumerate(self.attnames):
                if name in self.json and values[index] is not None:
                    values[index] = json.dumps(values[index], cls=DjangoJSONEncoder)
        return values


class RowSink:
    """Rows waiting to be written, by model; `add` returns the row's primary key."""

    def __init__(self, *, use_copy: bool | None = None, digest: bool = False,
                 dry_run: bool = False, start_ids: dict | None = None):
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy
        self.dry_run = dry_run
        self._hash = hashlib.sha256() if digest or dry_run else None
        self._tables: dict = {}
        self._rows: dict = {}
        self._next_id: dict = dict(start_ids or {})
        #: {model: the first id this run allocated}, to recompute the digest (`dry_run`).
        self.start_ids: dict = dict(start_ids or {})
        self.models_written: set = set()
        self.rows_written = 0

    @property
    def digest(self) -> str:
        return self._hash.hexdigest() if self._hash is not None else ""

    def _table(self, model) -> _Table:
        table = self._tables.get(model)
        if table is None:
            table = self._tables[model] = _Table(model)
        return table

    def next_id(self, model) -> int:
        if model not in self._next_id:
            if self.dry_run:
                raise ValueError(f"No starting id for {model._meta.label} in a dry run.")
            self._next_id[model] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            self.start_ids[model] = self._next_id[model]
        pk = self._next_id[model]
        self._next_id[model] = pk + 1
        return pk

    def add(self, model, /, **values) -> int:
        """Queue one row (field attnames as keywords) and return its id."""
        if "id" not in values:
            values["id"] = self.next_id(model)
        rows = self._rows.get(model)
        if rows is None:
            rows = self._rows[model] = []
        rows.append(values)
        return values["id"]

    def link(self, descriptor, source_id: int, target_ids) -> None:
        """Queue many-to-many rows: `descriptor` is e.g. `SupervisionSession.supervisors`."""
        field = descriptor.field
        through = descriptor.through
        source, target = field.m2m_column_name(), field.m2m_reverse_name()
        for target_id in target_ids:
            self.add(through, **{source: source_id, target: target_id})

    @property
    def pending(self) -> int:
        return sum(len(rows) for rows in self._rows.values())

    def write(self) -> int:
        """Write every queued row (in the caller's transaction) and return how many."""
        count = 0
        for model, rows in self._rows.items():
            table = self._table(model)
            for row in rows:
                table.check(row)
            if self._hash is not None:
                self._hash.update(table.model._meta.db_table.encode())
                for row in rows:
                    self._hash.update(repr(table.values(row)).encode())
            if not self.dry_run:
                if self.use_copy:
                    self._copy(table, rows)
                else:
                    model.objects.bulk_create([model(**row) for row in rows],
                                              batch_size=BATCH_SIZE)
                self.models_written.add(model)
            count += len(rows)
        self._rows = {}
        self.rows_written += count
        return count

    def _copy(self, table: _Table, rows) -> None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in table.columns)
        sql = f"COPY {quote(table.model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(table.values(row))

    def reset_sequences(self) -> None:
        """Move each written table's id sequence past the generated ids (PostgreSQL; SQLite's
        AUTOINCREMENT already follows the largest id inserted)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.models_written))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    def analyze(self) -> None:
        """Refresh the planner's statistics of the written tables (PostgreSQL), as autovacuum
        would later, so queries right after the seed are planned on the real sizes."""
        if connection.vendor != "postgresql":
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in sorted(self.models_written, key=lambda m: m._meta.db_table):
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
