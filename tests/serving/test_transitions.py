"""Every illegal (state, action) pair through the service, on SQLite and PostgreSQL: 409 naming the
allowed actions, or 404 where the acting unit has no link to the ticket; nothing changes either way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jiesu.serving.db import upgrade
from jiesu.serving.schemas import TicketOut
from jiesu.serving.suggestions import SuggestService
from jiesu.workflow.errors import Conflict, NotFound
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import TRANSITIONS, Action, Role, State
from tests.serving.conftest import BACKENDS, FakeClock, PostgresServer, build_services
from tests.serving.flows import SAMPLE_FIELDS, Actors, body

ILLEGAL = [(state, action) for state in State for action in Action if state not in TRANSITIONS[action].moves]


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    reference: Reference,
    suggestions: SuggestService,
) -> Iterator[tuple[Actors, dict[State, TicketOut]]]:
    """One database per module and backend, with one ticket in every state (illegal actions change
    nothing, so the tickets are shared by all the cases)."""
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('transitions')) / 'jiesu.db'}"
        upgrade(url)
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.fresh()
    services = build_services(url, reference, suggestions, FakeClock())
    actors = Actors(services)
    yield actors, {state: actors.drive(state) for state in State}
    services.database.dispose()


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: str(v))
def test_illegal_action_is_refused_and_changes_nothing(
    world: tuple[Actors, dict[State, TicketOut]], state: State, action: Action
) -> None:
    actors, tickets = world
    ticket = tickets[state]
    who = actors.actor_for(ticket, action)
    before = actors.services.tickets.get(actors.operator, ticket.id)
    assert before.state == state.value
    with pytest.raises((Conflict, NotFound)) as refused:
        actors.services.tickets.act(who, ticket.id, action, body(action, **SAMPLE_FIELDS[action]))
    if isinstance(refused.value, Conflict):
        assert refused.value.code == "illegal_transition"
        details: dict[str, Any] = refused.value.details
        assert details["state"] == state.value
        assert details["allowed_actions"] == before.allowed_actions
    else:
        # A unit action on a ticket that is with no unit (not yet dispatched, or in coordination):
        # for the unit key the ticket does not exist.
        assert who.role is Role.UNIT
        assert state in {State.RECEIVED, State.CONSULTING, State.CONSULTED, State.COORDINATION}
    after = actors.services.tickets.get(actors.operator, ticket.id)
    assert after.version == before.version
    assert len(after.events) == len(before.events)
