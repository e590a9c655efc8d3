"""rescored_tickets: what a model suggests for each stored ticket (`jiesu rescore --from-db`), keyed by
(model id, ticket id), beside the unit and category the ticket was dispatched with.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jiesu.serving.orm import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rescored_tickets",
        sa.Column("model_id", sa.String(128), nullable=False),
        sa.Column("ticket_id", sa.String(36), nullable=False),
        sa.Column("scored_at", UTCDateTime(), nullable=False),
        sa.Column("category_l1", sa.String(64), nullable=True),
        sa.Column("category_l2", sa.String(64), nullable=True),
        sa.Column("disposition", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(128), nullable=True),
        sa.Column("consult_required", sa.Boolean(), nullable=False),
        sa.Column("historical_unit", sa.String(128), nullable=True),
        sa.Column("historical_category", sa.String(64), nullable=True),
        sa.Column("unit_agrees", sa.Boolean(), nullable=True),
        sa.Column("category_agrees", sa.Boolean(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "ticket_id", name="pk_rescored_tickets"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_rescored_tickets_ticket_id_tickets"),
    )
    op.create_index("ix_rescored_tickets_ticket_id", "rescored_tickets", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_rescored_tickets_ticket_id", table_name="rescored_tickets")
    op.drop_table("rescored_tickets")
