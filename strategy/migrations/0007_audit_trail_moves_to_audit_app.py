"""The audit trail moves to its own app (audit), with its triggers declared beside the models
by django-pgtrigger.

On PostgreSQL this drops the hand-written triggers of 0004 and copies the old trail into
audit_auditevent, leaving out what the trail must never have held: the agency's minutes PDF
password, users' password hashes and the minutes snapshot (which the version keeps). Then the
old table goes. On SQLite there were no triggers, and the copy is plain."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

OLD_TRIGGERED_TABLES = [
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
COLUMNS = (
    "at, actor_id, actor_label, action, discussion_id, object_type, object_id, before, after, "
    "ip, path"
)
NEVER_IN_THE_TRAIL = "ARRAY['minutes_pdf_password', 'password', 'last_login', 'snapshot']"


def old_triggers_drop(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in OLD_TRIGGERED_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_audit ON {table}")
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS strategy_auditevent_append_only ON strategy_auditevent"
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_row_change()")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_discussion_of(text, jsonb)")


def trail_copy(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        picked = COLUMNS.replace(
            "before, after",
            f"before - {NEVER_IN_THE_TRAIL}, after - {NEVER_IN_THE_TRAIL}",
        )
    else:
        picked = COLUMNS
    schema_editor.execute(
        f"INSERT INTO audit_auditevent ({COLUMNS}) "
        f"SELECT {picked} FROM strategy_auditevent ORDER BY id"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("strategy", "0006_dashboard_indexes"),
        ("audit", "0001_initial"),
        ("agencies", "0004_agency_audit_contact_audit_user_audit"),
        ("minutes", "0005_chase_audit_delivery_audit_dispute_audit_and_more"),
    ]

    operations = [
        migrations.RunPython(old_triggers_drop, migrations.RunPython.noop),
        migrations.RunPython(trail_copy, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='auditevent',
            name='actor',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='action',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (row_data->>\'discussion_id\')::bigint,\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='9dbede1041607bee9b10173cfa4fc47b60156d0a', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_6acdc', table='strategy_action', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='adult',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (row_data->>\'discussion_id\')::bigint,\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='b01c71810cb409c0f0ee44dfe28f57d0e18836b9', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_a7b33', table='strategy_adult', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='agencyposition',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (SELECT "discussion_id" FROM "strategy_child" WHERE "id" = (SELECT "child_id" FROM "strategy_childdecision" WHERE "id" = (row_data->>\'decision_id\')::bigint)),\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='ecd594a03f22b20890af130c08d9951d6f1c98e0', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_923fc', table='strategy_agencyposition', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='child',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (row_data->>\'discussion_id\')::bigint,\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='2b72cd57d068111470bd72725c5dcca40030cddb', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_8e5c6', table='strategy_child', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='childdecision',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (SELECT "discussion_id" FROM "strategy_child" WHERE "id" = (row_data->>\'child_id\')::bigint),\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='86e131127a7dbfebec7e55ecf587193494db3147', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_675d2', table='strategy_childdecision', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='discussion',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (row_data->>\'id\')::bigint,\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='c54d8eaf0cea64cad6050d6e7a5374d8b01b3fa4', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_d7e34', table='strategy_discussion', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='invitationexception',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (row_data->>\'discussion_id\')::bigint,\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='e9f683ffd677db1f3812f0993cb0fbe95bd9d9c3', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_c6f17', table='strategy_invitationexception', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='invitee',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (row_data->>\'discussion_id\')::bigint,\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='cc9f95421a4e417ace5fbd96379b0e3db8015540', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_25771', table='strategy_invitee', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='professionaldifference',
            trigger=pgtrigger.compiler.Trigger(name='audit', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_row jsonb; new_row jsonb; row_data jsonb;', func='\n            IF TG_OP IN (\'UPDATE\', \'DELETE\') THEN old_row := to_jsonb(OLD); END IF;\n            IF TG_OP IN (\'INSERT\', \'UPDATE\') THEN new_row := to_jsonb(NEW); END IF;\n            IF TG_OP = \'UPDATE\' THEN\n                \n                IF old_row = new_row THEN RETURN NULL; END IF;\n            END IF;\n            row_data := coalesce(new_row, old_row);\n            INSERT INTO "audit_auditevent"\n                (at, actor_id, actor_label, action, discussion_id, object_type, object_id,\n                 before, after, ip, path)\n            VALUES (\n                now(),\n                nullif(current_setting(\'audit.actor_id\', true), \'\')::bigint,\n                coalesce(nullif(current_setting(\'audit.actor_label\', true), \'\'), \'system\'),\n                \'row.\' || lower(TG_OP),\n                (row_data->>\'discussion_id\')::bigint,\n                TG_TABLE_NAME,\n                row_data->>\'id\',\n                old_row,\n                new_row,\n                nullif(current_setting(\'audit.ip\', true), \'\')::inet,\n                coalesce(current_setting(\'audit.path\', true), \'\')\n            );\n            RETURN NULL;\n        ', hash='49c6093cab7c50638d5c32095f031cd149c3442f', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_audit_9c25c', table='strategy_professionaldifference', when='AFTER')),
        ),
        migrations.DeleteModel(
            name='AuditEvent',
        ),
    ]
