"""Initial schema: tickets, ticket_events (append-only, enforced by triggers), ticket_units, followups,
api_keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jiesu.serving.orm import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "ticket_events is append-only"


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intake_channel", sa.String(16), nullable=False),
        sa.Column("caller_phone", sa.String(32), nullable=True),
        sa.Column("caller_name", sa.String(64), nullable=True),
        sa.Column("caller_district", sa.String(32), nullable=True),
        sa.Column("district", sa.String(32), nullable=True),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("suggestion", sa.JSON(), nullable=False),
        sa.Column("model_id", sa.String(128), nullable=False),
        sa.Column("suggested_unit", sa.String(128), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("lead_unit", sa.String(128), nullable=True),
        sa.Column("lead_unit_type", sa.String(32), nullable=True),
        sa.Column("copy_to", sa.JSON(), nullable=False),
        sa.Column("co_handlers", sa.JSON(), nullable=False),
        sa.Column("dispatch_round", sa.Integer(), nullable=False),
        sa.Column("escalation_level", sa.String(16), nullable=True),
        sa.Column("deadline_tier", sa.String(16), nullable=True),
        sa.Column("dispatched_at", UTCDateTime(), nullable=True),
        sa.Column("deadline_at", UTCDateTime(), nullable=True),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("consultation", sa.JSON(), nullable=True),
        sa.Column("followup", sa.JSON(), nullable=True),
        sa.Column("closure", sa.String(32), nullable=True),
        sa.Column("linked_ticket_id", sa.String(36), nullable=True),
        sa.Column("replied_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.ForeignKeyConstraint(
            ["linked_ticket_id"], ["tickets.id"], name="fk_tickets_linked_ticket_id_tickets"
        ),
        sa.UniqueConstraint("idempotency_key", name="uq_tickets_idempotency_key"),
    )
    op.create_index("ix_tickets_created_at_id", "tickets", ["created_at", "id"])
    op.create_index("ix_tickets_state", "tickets", ["state"])
    op.create_index("ix_tickets_lead_unit", "tickets", ["lead_unit"])
    op.create_index("ix_tickets_deadline_at", "tickets", ["deadline_at"])
    op.create_index("ix_tickets_district", "tickets", ["district"])
    op.create_index("ix_tickets_category", "tickets", ["category"])

    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_key_id", sa.String(36), nullable=True),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("actor_unit", sa.String(128), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_events"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_ticket_events_ticket_id_tickets"),
        sa.UniqueConstraint("ticket_id", "version", name="uq_ticket_events_ticket_id_version"),
    )

    op.create_table(
        "ticket_units",
        sa.Column("ticket_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.Column("relation", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "unit", "relation", name="pk_ticket_units"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_ticket_units_ticket_id_tickets"),
    )
    op.create_index("ix_ticket_units_unit", "ticket_units", ["unit"])

    op.create_table(
        "followups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(36), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.Column("unit_type", sa.String(32), nullable=True),
        sa.Column("contacted", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("satisfaction", sa.String(8), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_followups"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_followups_ticket_id_tickets"),
    )
    op.create_index("ix_followups_unit_at", "followups", ["unit", "at"])
    op.create_index("ix_followups_ticket_id", "followups", ["ticket_id"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(128), nullable=True),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])

    _append_only_triggers()


def _append_only_triggers() -> None:
    """The event log is the audit trail: the database itself refuses to change or remove an event, so
    neither a bug nor a hand-typed SQL statement can rewrite history."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ticket_events_no_{verb.lower()} BEFORE {verb} ON ticket_events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER ticket_events_no_update_delete BEFORE UPDATE OR DELETE ON ticket_events "
        "FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only()"
    )
    op.execute(
        "CREATE TRIGGER ticket_events_no_truncate BEFORE TRUNCATE ON ticket_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ticket_events_no_truncate ON ticket_events")
        op.execute("DROP TRIGGER IF EXISTS ticket_events_no_update_delete ON ticket_events")
        op.execute("DROP FUNCTION IF EXISTS ticket_events_append_only()")
    for table in ("api_keys", "followups", "ticket_units", "ticket_events", "tickets"):
        op.drop_table(table)
