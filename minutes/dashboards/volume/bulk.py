"""Fast inserts of plain rows with ids chosen here, so related rows can point at them.

PostgreSQL gets multi-row INSERTs through psycopg2's execute_values; other databases get
executemany. Fields not given take the model's default; timestamps Django fills itself
(auto_now, auto_now_add) take the seeding moment unless given.
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

_REQUIRED = object()
BATCH = 5000


def _default(field: "models.Field[Any, Any]", now: datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    return _REQUIRED


def _adapter(field: "models.Field[Any, Any]") -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return json.dumps
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return lambda value: value


class BulkTable:
    def __init__(self, model: type[models.Model], now: datetime) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.defaults = [_default(f, now) for f in fields]
        self.adapters = [_adapter(f) for f in fields]
        columns = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from models
        self.placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.written = 0

    def allocate(self) -> int:
        """An id for a row that will be added later, once its other values are known."""
        self.next_id += 1
        return self.next_id - 1

    def add(self, **values: Any) -> int:
        """Queues one row and returns its id."""
        if "id" not in values:
            values["id"] = self.next_id
            self.next_id += 1
        row = []
        for name, default, adapt in zip(self.attnames, self.defaults, self.adapters, strict=True):
            value = values.get(name, default)
            if value is _REQUIRED:
                raise ValueError(f"{self.model.__name__}.{name} needs a value")
            row.append(adapt(value) if value is not None else None)
        self.rows.append(tuple(row))
        if len(self.rows) >= BATCH:
            self.flush()
        return values["id"]

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                from psycopg2.extras import execute_values

                execute_values(cursor.cursor, self.sql + "%s", self.rows, page_size=BATCH)
            else:
                cursor.executemany(self.sql + self.placeholders, self.rows)
        self.written += len(self.rows)
        self.rows = []


def sequences_reset(models_written: list[type[models.Model]]) -> None:
    """After inserting explicit ids, the next ordinary insert must not reuse one."""
    statements = connection.ops.sequence_reset_sql(no_style(), models_written)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
