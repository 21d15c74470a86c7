"""The trigger each audited model declares in its Meta.triggers (django-pgtrigger).

PostgreSQL writes a trail row for every row inserted, updated or deleted, bulk updates
and raw SQL included, naming the actor the application told it about (audit.trail) and
the discussion the row belongs to. SQLite has no triggers: there only the application's
own events are recorded.

Each model says what never reaches the trail:
- `exclude`: secrets and large derived blobs. The trail notes that they changed, never
  their value.
- `ignore`: bookkeeping (a user's last sign-in) whose changes are not worth a row.
"""

from collections.abc import Sequence
from typing import Any

import pgtrigger
from django.apps import apps
from django.db import models

CHANGED_NOT_RECORDED = "(changed; value not recorded)"


class AuditTrigger(pgtrigger.Trigger):
    when = pgtrigger.After
    operation = pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete

    def __init__(
        self,
        *,
        discussion: str | None = None,
        exclude: Sequence[str] = (),
        ignore: Sequence[str] = (),
        name: str = "audit",
    ) -> None:
        self.discussion = discussion
        self.exclude = tuple(exclude)
        self.ignore = tuple(ignore)
        super().__init__(name=name)

    def get_declare(self, model: Any) -> list[tuple[str, str]]:
        return [("old_row", "jsonb"), ("new_row", "jsonb"), ("row_data", "jsonb")]

    def get_func(self, model: Any) -> str:
        trail = apps.get_model("audit", "AuditEvent")._meta.db_table
        left_out = _columns(model, (*self.exclude, *self.ignore))
        minus = f" - ARRAY[{', '.join(_text(c) for c in left_out)}]::text[]" if left_out else ""
        noted = "".join(
            f"IF OLD.{_ident(c)} IS DISTINCT FROM NEW.{_ident(c)} THEN "
            f"new_row := new_row || jsonb_build_object({_text(c)}, {_text(CHANGED_NOT_RECORDED)}); "
            "END IF; "
            for c in _columns(model, self.exclude)
        )
        return f"""
            IF TG_OP IN ('UPDATE', 'DELETE') THEN old_row := to_jsonb(OLD){minus}; END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN new_row := to_jsonb(NEW){minus}; END IF;
            IF TG_OP = 'UPDATE' THEN
                {noted}
                IF old_row = new_row THEN RETURN NULL; END IF;
            END IF;
            row_data := coalesce(new_row, old_row);
            INSERT INTO {_ident(trail)}
                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,
                 before, after, ip, path)
            VALUES (
                now(),
                nullif(current_setting('audit.actor_id', true), '')::bigint,
                coalesce(nullif(current_setting('audit.actor_label', true), ''), 'system'),
                'row.' || lower(TG_OP),
                {_discussion_of(model, self.discussion)},
                TG_TABLE_NAME,
                row_data->>{_text(model._meta.pk.column)},
                old_row,
                new_row,
                nullif(current_setting('audit.ip', true), '')::inet,
                coalesce(current_setting('audit.path', true), '')
            );
            RETURN NULL;
        """  # noqa: S608 - names come from the models, never from input


def _discussion_of(model: Any, path: str | None) -> str:
    """SQL for the id of the discussion a row belongs to, following `path` (a Django lookup
    such as "decision__child__discussion") one foreign key at a time."""
    if path is None:
        return "NULL"
    if path == "pk":
        return f"(row_data->>{_text(model._meta.pk.column)})::bigint"
    names = path.split("__")
    field = model._meta.get_field(names[0])
    sql = f"(row_data->>{_text(field.column)})::bigint"
    for name in names[1:]:
        target = field.related_model
        field = target._meta.get_field(name)
        sql = (
            f"(SELECT {_ident(field.column)} FROM {_ident(target._meta.db_table)} "  # noqa: S608
            f"WHERE {_ident(target._meta.pk.column)} = {sql})"
        )
    return sql


def _columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    columns = {field.name: str(field.column) for field in model._meta.concrete_fields}
    return [columns[name] for name in names]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
