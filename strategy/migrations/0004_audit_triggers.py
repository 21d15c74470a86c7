"""PostgreSQL keeps the audit trail itself: every change to the records writes a row (bulk
updates included), and no one can change or delete an audit row.

On SQLite (the embedded default for a developer's machine) only the application's own
events are recorded."""

from django.db import migrations

AUDITED_TABLES = [
    "strategy_discussion",
    "strategy_child",
    "strategy_adult",
    "strategy_invitee",
    "strategy_invitationexception",
    "strategy_childdecision",
    "strategy_agencyposition",
    "strategy_professionaldifference",
    "strategy_action",
    "minutes_minutesversion",
    "minutes_delivery",
    "minutes_chase",
    "minutes_dispute",
    "agencies_agency",
    "agencies_contact",
    "agencies_user",
]

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_discussion_of(tbl text, row_data jsonb) RETURNS bigint AS $$
  SELECT CASE
    WHEN tbl = 'strategy_discussion' THEN (row_data->>'id')::bigint
    WHEN row_data ? 'discussion_id' THEN (row_data->>'discussion_id')::bigint
    WHEN tbl = 'strategy_childdecision' THEN
      (SELECT discussion_id FROM strategy_child WHERE id = (row_data->>'child_id')::bigint)
    WHEN tbl = 'strategy_agencyposition' THEN
      (SELECT c.discussion_id FROM strategy_childdecision d JOIN strategy_child c
         ON c.id = d.child_id WHERE d.id = (row_data->>'decision_id')::bigint)
    WHEN tbl = 'minutes_delivery' THEN
      (SELECT discussion_id FROM minutes_minutesversion
         WHERE id = (row_data->>'version_id')::bigint)
    WHEN tbl IN ('minutes_chase', 'minutes_dispute') THEN
      (SELECT v.discussion_id FROM minutes_delivery d JOIN minutes_minutesversion v
         ON v.id = d.version_id WHERE d.id = (row_data->>'delivery_id')::bigint)
    ELSE NULL
  END
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger AS $$
DECLARE
  old_row jsonb;
  new_row jsonb;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    old_row := to_jsonb(OLD) - 'password' - 'last_login';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    new_row := to_jsonb(NEW) - 'password' - 'last_login';
  END IF;
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NULL;
  END IF;
  INSERT INTO strategy_auditevent
    (at, actor_id, actor_label, action, discussion_id, object_type, object_id,
     before, after, ip, path)
  VALUES (
    now(),
    nullif(current_setting('audit.actor_id', true), '')::bigint,
    coalesce(nullif(current_setting('audit.actor_label', true), ''), 'system'),
    'row.' || lower(TG_OP),
    audit_discussion_of(TG_TABLE_NAME, coalesce(new_row, old_row)),
    TG_TABLE_NAME,
    coalesce(new_row, old_row)->>'id',
    old_row,
    new_row,
    nullif(current_setting('audit.ip', true), '')::inet,
    coalesce(current_setting('audit.path', true), '')
  );
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit rows cannot be changed or deleted';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER strategy_auditevent_append_only
  BEFORE UPDATE OR DELETE ON strategy_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

DROP = r"""
DROP TRIGGER IF EXISTS strategy_auditevent_append_only ON strategy_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def install(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS)
    for table in AUDITED_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_audit AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_row_change()"
        )


def remove(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in AUDITED_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_audit ON {table}")
    schema_editor.execute(DROP)
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_row_change()")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_discussion_of(text, jsonb)")


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0003_audit_event"),
        ("minutes", "0003_remove_delivery_delivery_due_idx_and_more"),
        ("agencies", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
