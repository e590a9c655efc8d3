"""ORM models (SQLAlchemy 2.0 typed declarative). The schema itself is created by the Alembic migrations
in `migrations/versions/`; tests check that the two agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend. SQLite has no time zones, so values are stored
    there as naive UTC (ISO strings, which sort correctly) and made aware again when read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002 (SQLAlchemy's signature)
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Fixed constraint names, so the migration, the ORM and PostgreSQL all agree on them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_created_at_id", "created_at", "id"),
        Index("ix_tickets_state", "state"),
        Index("ix_tickets_lead_unit", "lead_unit"),
        Index("ix_tickets_deadline_at", "deadline_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    intake_channel: Mapped[str] = mapped_column(String(16))
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    caller_name: Mapped[str | None] = mapped_column(String(64))
    caller_district: Mapped[str | None] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(32), index=True)
    category: Mapped[str | None] = mapped_column(String(64), index=True)
    suggestion: Mapped[dict[str, Any]]
    model_id: Mapped[str] = mapped_column(String(128))
    suggested_unit: Mapped[str | None] = mapped_column(String(128))
    # The decision (what the operator did), kept beside the suggestion (what the model proposed).
    decision: Mapped[dict[str, Any] | None]
    lead_unit: Mapped[str | None] = mapped_column(String(128))
    lead_unit_type: Mapped[str | None] = mapped_column(String(32))
    copy_to: Mapped[list[str]]
    co_handlers: Mapped[list[str]]
    dispatch_round: Mapped[int] = mapped_column(Integer)
    escalation_level: Mapped[str | None] = mapped_column(String(16))
    deadline_tier: Mapped[str | None] = mapped_column(String(16))
    dispatched_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None]
    extensions: Mapped[int] = mapped_column(Integer)
    consultation: Mapped[dict[str, Any] | None]
    followup: Mapped[dict[str, Any] | None]
    closure: Mapped[str | None] = mapped_column(String(32))
    linked_ticket_id: Mapped[str | None] = mapped_column(ForeignKey("tickets.id"))
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(36))


class TicketEvent(Base):
    """Append-only: the migration adds triggers that reject UPDATE and DELETE."""

    __tablename__ = "ticket_events"
    __table_args__ = (UniqueConstraint("ticket_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    version: Mapped[int] = mapped_column(Integer)  # the ticket's version after this change
    at: Mapped[datetime]
    actor_key_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_unit: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]


class TicketUnit(Base):
    """Which units a ticket is with now (lead, copy, co-handler): unit visibility and inboxes query this."""

    __tablename__ = "ticket_units"

    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(String(8), primary_key=True)


class FollowUp(Base):
    """One follow-up call (回访) result; the three rates are computed from these rows."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_unit_at", "unit", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime]
    unit: Mapped[str] = mapped_column(String(128))
    unit_type: Mapped[str | None] = mapped_column(String(32))
    contacted: Mapped[bool] = mapped_column(Boolean)
    resolved: Mapped[bool] = mapped_column(Boolean)
    satisfaction: Mapped[str | None] = mapped_column(String(8))
    valid: Mapped[bool] = mapped_column(Boolean)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RescoredTicket(Base):
    """What a model suggests for a stored ticket, written by `jiesu rescore --from-db`: one row per (model,
    ticket), so that the audit compares models on the same history. `record` holds the whole flattened
    output row (jiesu.batch.records); the columns beside it are what an audit filters and groups on."""

    __tablename__ = "rescored_tickets"

    model_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), primary_key=True, index=True)
    scored_at: Mapped[datetime]
    category_l1: Mapped[str | None] = mapped_column(String(64))
    category_l2: Mapped[str | None] = mapped_column(String(64))
    disposition: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(128))
    consult_required: Mapped[bool] = mapped_column(Boolean)
    historical_unit: Mapped[str | None] = mapped_column(String(128))
    historical_category: Mapped[str | None] = mapped_column(String(64))
    unit_agrees: Mapped[bool | None] = mapped_column(Boolean)
    category_agrees: Mapped[bool | None] = mapped_column(Boolean)
    record: Mapped[dict[str, Any]]


class ConsoleSession(Base):
    """A signed-in browser of the web console (jiesu.serving.console): the sha256 of the cookie's random
    token, the API key it was opened with (revoking or expiring the key ends it) and its CSRF token."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
