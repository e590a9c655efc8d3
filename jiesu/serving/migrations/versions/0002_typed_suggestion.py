"""Stored suggestions take the typed shape (jiesu.model.suggestion_types.Suggestion): the model id and the
catalogue version move from the top level into a `versions` block. The versions that were not recorded
then (taxonomy, disposition rules, gazetteer) are null; nothing else changes, so nothing is lost.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TICKETS = sa.table("tickets", sa.column("id", sa.String), sa.column("suggestion", sa.JSON))
_BATCH = 1000


def _typed(old: dict[str, Any]) -> dict[str, Any]:
    new = {key: value for key, value in old.items() if key not in ("model_id", "catalogue_version")}
    new["versions"] = {
        "model_id": str(old.get("model_id", "")),
        "taxonomy": None,
        "catalogue": old.get("catalogue_version"),
        "disposition_rules": None,
        "gazetteer": None,
    }
    return new


def _untyped(new: dict[str, Any]) -> dict[str, Any]:
    versions = new.get("versions") or {}
    old = {
        "id": new.get("id"),
        "model_id": versions.get("model_id", ""),
        "catalogue_version": versions.get("catalogue"),
    }
    old.update({key: value for key, value in new.items() if key not in ("id", "versions")})
    return old


def _rewrite(convert: Any, needs: Any) -> None:
    connection = op.get_bind()
    last = ""
    while True:  # in batches by id, so a large table is never held in memory at once
        rows = connection.execute(
            sa.select(_TICKETS.c.id, _TICKETS.c.suggestion)
            .where(_TICKETS.c.id > last)
            .order_by(_TICKETS.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for ticket_id, suggestion in rows:
            if isinstance(suggestion, dict) and needs(suggestion):
                connection.execute(
                    _TICKETS.update().where(_TICKETS.c.id == ticket_id).values(suggestion=convert(suggestion))
                )
        last = rows[-1][0]


def upgrade() -> None:
    _rewrite(_typed, lambda suggestion: "versions" not in suggestion)


def downgrade() -> None:
    _rewrite(_untyped, lambda suggestion: "versions" in suggestion)
