"""Ticket intake: a request becomes a ticket with its suggestion, exactly once per Idempotency-Key, also
when retries race each other or another process. Concurrent creates are gathered into one classifier
batch and one transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from jiesu.data.workflow_settings import WorkflowSettings
from jiesu.model.suggestion import SuggestionRequest
from jiesu.model.suggestion_types import Suggestion
from jiesu.serving.batching import Batcher
from jiesu.serving.clock import Clock
from jiesu.serving.db import Database
from jiesu.serving.orm import Base, Ticket, TicketEvent
from jiesu.serving.schemas import TicketCreate, TicketOut
from jiesu.serving.suggestions import request_for
from jiesu.serving.views import new_event
from jiesu.workflow.actors import Principal
from jiesu.workflow.errors import Conflict, InvalidInput, Messages, ServiceError, message
from jiesu.workflow.payloads import CREATE, CreatePayload, stored
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import ONLINE_CHANNELS, State

CreateOutcome = tuple[TicketOut, bool] | ServiceError
SuggestManyFn = Callable[[Sequence[SuggestionRequest]], Sequence[Suggestion]]
ViewFn = Callable[[Principal, Ticket, datetime], TicketOut]
MAX_IDEMPOTENCY_KEY = 200


@dataclass(frozen=True)
class Intake:
    """One ticket create as it arrived: who sent it, the request, its Idempotency-Key header."""

    principal: Principal
    body: TicketCreate
    idempotency_key: str | None


class TicketIntake:
    def __init__(
        self,
        database: Database,
        workflow: WorkflowSettings,
        reference: Reference,
        suggest_many: SuggestManyFn,
        view: ViewFn,
        *,
        max_text_chars: int,
        clock: Clock,
    ) -> None:
        self.db = database
        self.workflow = workflow
        self.reference = reference
        self.suggest_many = suggest_many
        self.view = view
        self.max_text_chars = max_text_chars
        self.clock = clock
        self._batcher: Batcher[Intake, CreateOutcome] = Batcher(self.create_many)

    def create(
        self, principal: Principal, body: TicketCreate, idempotency_key: str | None
    ) -> tuple[TicketOut, bool]:
        """Create a ticket; (ticket, True). A retry with the same Idempotency-Key returns the ticket
        already created, (ticket, False), also when the two calls race: the unique key decides."""
        outcome = self.create_many([Intake(principal, body, idempotency_key)])[0]
        if isinstance(outcome, ServiceError):
            raise outcome
        return outcome

    def create_many(self, intakes: Sequence[Intake]) -> list[CreateOutcome]:
        """Create tickets for several intakes at once, each with the outcome `create` would give (a
        refused intake gets its error, the others go on). Under load the HTTP handler gathers concurrent
        creates into one call: one idempotency lookup, one classifier batch and one transaction for all
        of them, where one each would queue the database's single writer behind every create."""
        outcomes: list[CreateOutcome | None] = [None] * len(intakes)
        checked: dict[int, tuple[str, str, SuggestionRequest]] = {}  # position → (key, hash, request)
        for position, intake in enumerate(intakes):
            try:
                checked[position] = self._check_intake(intake)
            except ServiceError as exc:
                outcomes[position] = exc
        stored = self._tickets_by_key({key for key, _, _ in checked.values()})
        fresh: dict[str, int] = {}  # key → position of the intake that creates its ticket
        for position, (key, request_hash, _) in checked.items():
            earlier = stored.get(key)
            if earlier is not None:
                outcomes[position] = self._replay_outcome(intakes[position].principal, earlier, request_hash)
            elif key not in fresh:
                fresh[key] = position
        creating = sorted(fresh.values())
        # A batch of nothing but retries needs no suggestions.
        suggestions = self.suggest_many([checked[i][2] for i in creating]) if creating else []
        now = self.clock()
        built = {
            position: self._new_ticket(intakes[position], checked[position], suggestion, now)
            for position, suggestion in zip(creating, suggestions, strict=True)
        }
        stored_now = self._store_all(built)
        for position, (ticket, _) in stored_now.items():
            outcomes[position] = (self.view(intakes[position].principal, ticket, now), True)
        # Repeats of a key within this batch replay the ticket just stored; creates that lost a race to
        # another process replay the winner's.
        just_stored = {ticket.idempotency_key: ticket for ticket, _ in stored_now.values()}
        for position, (key, request_hash, _) in checked.items():
            if outcomes[position] is not None:
                continue
            principal = intakes[position].principal
            if key in just_stored:
                outcomes[position] = self._replay_outcome(principal, just_stored[key], request_hash)
            else:
                outcomes[position] = self._replay_or_error(principal, key, request_hash)
        answered = [outcome for outcome in outcomes if outcome is not None]
        assert len(answered) == len(intakes), "every intake gets an outcome"
        return answered

    async def create_async(
        self, principal: Principal, body: TicketCreate, idempotency_key: str | None
    ) -> tuple[TicketOut, bool]:
        """As `create`, from the event loop: concurrent creates are gathered into `create_many` calls,
        which run one at a time in a worker thread."""
        outcome = (await self._batcher.submit([Intake(principal, body, idempotency_key)]))[0]
        if isinstance(outcome, ServiceError):
            raise outcome
        return outcome

    def _check_intake(self, intake: Intake) -> tuple[str, str, SuggestionRequest]:
        """Validate one intake: (Idempotency-Key, hash of the request body, the request to suggest for)."""
        key = (intake.idempotency_key or "").strip()
        if not key:
            raise InvalidInput(message(Messages.idempotency_missing))
        if len(key) > MAX_IDEMPOTENCY_KEY:
            raise InvalidInput(message(Messages.idempotency_too_long, limit=MAX_IDEMPOTENCY_KEY))
        request = request_for(
            intake.body.text, intake.body.caller_district, self.reference, self.max_text_chars
        )
        request_hash = hashlib.sha256(
            json.dumps(intake.body.model_dump(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        ).hexdigest()
        return key, request_hash, request

    def _new_ticket(
        self,
        intake: Intake,
        checked: tuple[str, str, SuggestionRequest],
        suggestion: Suggestion,
        now: datetime,
    ) -> tuple[Ticket, TicketEvent]:
        key, request_hash, request = checked
        body, principal = intake.body, intake.principal
        district = request.caller_district
        ticket = Ticket(
            id=str(uuid.uuid4()),
            created_at=now,
            updated_at=now,
            version=1,
            state=State.RECEIVED.value,
            text=body.text,
            intake_channel=body.intake_channel,
            caller_phone=body.caller_phone,
            caller_name=body.caller_name.strip() if body.caller_name else None,
            caller_district=district,
            district=suggestion.jurisdiction.district or district,
            category=suggestion.category.l2,
            suggestion=suggestion.model_dump(mode="json"),
            model_id=suggestion.versions.model_id,
            suggested_unit=suggestion.route.unit if suggestion.route else None,
            decision=None,
            lead_unit=None,
            lead_unit_type=None,
            copy_to=[],
            co_handlers=[],
            dispatch_round=0,
            extensions=0,
            deadline_at=(
                now + timedelta(hours=self.workflow.online_acceptance_hours)
                if body.intake_channel in ONLINE_CHANNELS
                else None
            ),
            idempotency_key=key,
            request_hash=request_hash,
            created_by=principal.key_id,
        )
        payload = CreatePayload(
            intake_channel=body.intake_channel,
            model_id=ticket.model_id,
            suggested_unit=ticket.suggested_unit,
            suggested_disposition=suggestion.disposition.label,
        )
        event = new_event(principal, ticket.id, 1, now, CREATE, None, State.RECEIVED, stored(payload))
        return ticket, event

    def _store_all(
        self, built: dict[int, tuple[Ticket, TicketEvent]]
    ) -> dict[int, tuple[Ticket, TicketEvent]]:
        """Store the new tickets in one transaction; those actually stored. When another process
        created one of the keys meanwhile, they are stored one by one instead, so that each loser
        replays the winner's ticket and the others are still created."""
        try:
            self._store(list(built.values()))
        except IntegrityError:
            stored: dict[int, tuple[Ticket, TicketEvent]] = {}
            for position, created in built.items():
                try:
                    self._store([created])
                except IntegrityError:
                    continue
                stored[position] = created
            return stored
        return built

    def _store(self, created: Sequence[tuple[Ticket, TicketEvent]]) -> None:
        """Insert tickets with their create events in one transaction (all or none)."""
        if not created:
            return
        # Core multi-row INSERTs of the new rows, not the ORM's unit of work: the objects are only read
        # afterwards (for the answer), and the flush bookkeeping cost more CPU than the inserts.
        with self.db.write() as session:
            connection = session.connection()
            connection.execute(insert(_TICKETS), [_row(ticket, _TICKET_COLUMNS) for ticket, _ in created])
            connection.execute(insert(_EVENTS), [_row(event, _EVENT_COLUMNS) for _, event in created])

    def _tickets_by_key(self, keys: set[str]) -> dict[str, Ticket]:
        if not keys:
            return {}
        with self.db.read() as session:
            found = session.scalars(select(Ticket).where(Ticket.idempotency_key.in_(sorted(keys))))
            return {ticket.idempotency_key: ticket for ticket in found}

    def _replay_or_error(self, principal: Principal, key: str, request_hash: str) -> CreateOutcome:
        ticket = self._tickets_by_key({key}).get(key)
        if ticket is None:  # not reachable: the key's ticket was stored in this call or by its rival
            raise RuntimeError("an idempotent create found neither its own ticket nor a rival's")
        return self._replay_outcome(principal, ticket, request_hash)

    def _replay_outcome(self, principal: Principal, ticket: Ticket, request_hash: str) -> CreateOutcome:
        """The answer to a repeated Idempotency-Key: the stored ticket, or 409 when the body differs."""
        if ticket.request_hash != request_hash:
            return Conflict(message(Messages.idempotency_reused), code="idempotency_key_reused")
        return self.view(principal, ticket, self.clock()), False


_TICKETS = Base.metadata.tables[Ticket.__tablename__]
_EVENTS = Base.metadata.tables[TicketEvent.__tablename__]
_TICKET_COLUMNS = tuple(column.key for column in _TICKETS.columns)
_EVENT_COLUMNS = tuple(column.key for column in _EVENTS.columns if column.key != "id")


def _row(instance: Ticket | TicketEvent, columns: tuple[str, ...]) -> dict[str, Any]:
    return {column: getattr(instance, column) for column in columns}
