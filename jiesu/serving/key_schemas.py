"""What the key endpoints and `jiesu keys` take and return (re-exported by jiesu.serving.schemas)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, StrictInt

from jiesu.workflow.bodies import Body
from jiesu.workflow.states import Role


class KeyCreate(Body):
    role: Role
    unit: str | None = Field(default=None, min_length=2, max_length=128)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    expires_days: StrictInt | None = Field(default=None, ge=1, le=3650)


class KeyOut(BaseModel):
    id: str
    prefix: str
    role: str
    unit: str | None
    name: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool


class KeyCreated(KeyOut):
    key: str = Field(description="the secret: shown once, store it now")
