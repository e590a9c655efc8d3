"""Who takes an action: an API key's principal. The workflow records it in every event and checks its
role and unit; how a key is authenticated is the serving layer's business."""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.workflow.states import Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id (recorded in events), role and, for unit keys, the unit."""

    key_id: str
    role: Role
    unit: str | None = None
    name: str | None = None
