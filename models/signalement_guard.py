"""The database's own guard on signalement history: triggers that refuse, whoever sends the SQL,

- any UPDATE or DELETE of a signalement event;
- any DELETE of a signalement, and any UPDATE that changes a declared fact (the columns below).

The derived columns of a declaration (status, deadlines, current severity…, see
`models.signalement.DERIVED_COLUMNS`) still change, as each new event is recorded. The ORM guards
in models.signalement give the app a French error first; these catch plain SQL sent through a
session or a connection. Created by a migration; `tests/conftest.py` lifts them on SQLite to empty
the tables between tests (PostgreSQL's TRUNCATE fires no row trigger).
"""

from __future__ import annotations

# Written once, at the declaration. Kept literal (the migration that creates the triggers must not
# change when the model does); tests check it against the model.
FACT_COLUMNS = (
    "id",
    "structure_id",
    "child_id",
    "occurred_at",
    "declared_at",
    "declared_on",
    "category",
    "severity",
    "facts",
    "actions_taken",
    "actions_detail",
    "declared_by_user_id",
    "declared_by_name",
)
MESSAGE = "signalement history is append-only"


def _facts_changed(null_safe: str) -> str:
    return " OR ".join(f"OLD.{c} {null_safe} NEW.{c}" for c in FACT_COLUMNS)


def guard_create_statements(dialect: str) -> list[str]:
    """The DDL that installs the guards on `dialect` ("postgresql" or "sqlite")."""
    if dialect == "postgresql":
        return [
            f"""CREATE FUNCTION signalement_history_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$""",
            "CREATE TRIGGER signalement_events_append_only BEFORE UPDATE OR DELETE ON signalement_events "
            "FOR EACH ROW EXECUTE FUNCTION signalement_history_refuse()",
            "CREATE TRIGGER signalements_no_delete BEFORE DELETE ON signalements "
            "FOR EACH ROW EXECUTE FUNCTION signalement_history_refuse()",
            f"CREATE TRIGGER signalements_facts_fixed BEFORE UPDATE ON signalements "
            f"FOR EACH ROW WHEN ({_facts_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION signalement_history_refuse()",
        ]
    refuse = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    return [
        f"CREATE TRIGGER signalement_events_no_update BEFORE UPDATE ON signalement_events {refuse}",
        f"CREATE TRIGGER signalement_events_no_delete BEFORE DELETE ON signalement_events {refuse}",
        f"CREATE TRIGGER signalements_no_delete BEFORE DELETE ON signalements {refuse}",
        f"CREATE TRIGGER signalements_facts_fixed BEFORE UPDATE ON signalements "
        f"WHEN {_facts_changed('IS NOT')} {refuse}",
    ]


def guard_drop_statements(dialect: str) -> list[str]:
    """The DDL that removes them."""
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS signalements_facts_fixed ON signalements",
            "DROP TRIGGER IF EXISTS signalements_no_delete ON signalements",
            "DROP TRIGGER IF EXISTS signalement_events_append_only ON signalement_events",
            "DROP FUNCTION IF EXISTS signalement_history_refuse()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "signalements_facts_fixed",
            "signalements_no_delete",
            "signalement_events_no_delete",
            "signalement_events_no_update",
        )
    ]
