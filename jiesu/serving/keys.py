"""API keys: create, list, revoke, and authenticate a request's X-API-Key (with a short cache)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import select

from jiesu.serving.auth import hash_secret, key_prefix, new_secret
from jiesu.serving.clock import Clock, utcnow
from jiesu.serving.db import Database
from jiesu.serving.key_schemas import KeyCreate, KeyCreated, KeyOut
from jiesu.serving.orm import ApiKey
from jiesu.workflow.actors import Principal
from jiesu.workflow.errors import InvalidInput, Messages, NotFound, Unauthorized, message
from jiesu.workflow.reference import Reference
from jiesu.workflow.states import Role


@dataclass(frozen=True)
class _CachedKey:
    principal: Principal
    expires_at: datetime | None
    fetched_at: datetime


class KeyService:
    """API keys. Authenticated keys are remembered for `cache_seconds` so that a request does not cost
    a database read; a revocation in this process takes effect at once, one made elsewhere (another
    worker, `jiesu keys revoke`) within `cache_seconds`; expiry is checked on every request."""

    def __init__(
        self,
        database: Database,
        reference: Reference | None = None,
        *,
        clock: Clock = utcnow,
        cache_seconds: float = 5.0,
    ) -> None:
        self.db = database
        # None: built when a unit key is created (`jiesu keys` commands, which mostly need no unit list)
        self._reference = reference
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._cache: dict[str, _CachedKey] = {}
        self._lookups: dict[str, asyncio.Future[Principal]] = {}  # key hash → lookup in flight

    @property
    def reference(self) -> Reference:
        if self._reference is None:
            self._reference = Reference.load()  # the gazetteer and catalogue: about a second
        return self._reference

    def create(self, body: KeyCreate) -> KeyCreated:
        if (body.role is Role.UNIT) != (body.unit is not None):
            raise InvalidInput(message(Messages.unit_key_needs_unit))
        if body.unit is not None:
            self.reference.check_units([body.unit])
        secret = new_secret()
        now = self.clock()
        row = ApiKey(
            id=str(uuid.uuid4()),
            prefix=key_prefix(secret),
            key_hash=hash_secret(secret),
            role=body.role.value,
            unit=body.unit,
            name=body.name,
            created_at=now,
            expires_at=now + timedelta(days=body.expires_days) if body.expires_days else None,
            revoked_at=None,
        )
        with self.db.write() as session:
            session.add(row)
        return KeyCreated(**self._out(row, now).model_dump(), key=secret)

    def list(self) -> list[KeyOut]:
        now = self.clock()
        with self.db.read() as session:
            return [
                self._out(row, now)
                for row in session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))
            ]

    def revoke(self, key_id: str) -> KeyOut:
        now = self.clock()
        with self.db.write() as session:
            row = session.get(ApiKey, key_id)
            if row is None:
                raise NotFound(message(Messages.key_not_found))
            if row.revoked_at is None:
                row.revoked_at = now
            self._cache = {h: entry for h, entry in self._cache.items() if entry.principal.key_id != key_id}
            return self._out(row, now)

    def cached(self, secret: str | None) -> Principal | None:
        """The principal of a key authenticated within `cache_seconds` and not expired since; else None."""
        if not secret:
            return None
        entry = self._cache.get(hash_secret(secret))
        now = self.clock()
        if entry is None or (now - entry.fetched_at).total_seconds() > self.cache_seconds:
            return None
        if entry.expires_at is not None and entry.expires_at <= now:
            return None
        return entry.principal

    async def authenticate_async(self, secret: str | None) -> Principal:
        """As `authenticate`, from the event loop. Concurrent requests with a key that is not cached
        (at start, or when its cache entry lapses under load) share one database lookup instead of
        each sending their own through the threadpool."""
        principal = self.cached(secret)
        if principal is not None:
            return principal
        if not secret:
            raise Unauthorized(message(Messages.missing_key))
        key_hash = hash_secret(secret)
        lookup = self._lookups.get(key_hash)
        if lookup is None:
            lookup = asyncio.ensure_future(anyio.to_thread.run_sync(self.authenticate, secret))
            self._lookups[key_hash] = lookup
            lookup.add_done_callback(lambda _: self._lookups.pop(key_hash, None))
        return await asyncio.shield(lookup)  # a caller that goes away does not cancel the others' lookup

    def authenticate(self, secret: str | None) -> Principal:
        if not secret:
            raise Unauthorized(message(Messages.missing_key))
        now = self.clock()
        key_hash = hash_secret(secret)
        with self.db.read() as session:
            row = session.scalars(select(ApiKey).where(ApiKey.key_hash == key_hash)).one_or_none()
        if row is None or not self._active(row, now):
            self._cache.pop(key_hash, None)
            raise Unauthorized(message(Messages.bad_key))
        principal = Principal(key_id=row.id, role=Role(row.role), unit=row.unit, name=row.name)
        if self.cache_seconds > 0:
            if len(self._cache) > 10_000:  # bounded: forget everything rather than grow
                self._cache.clear()
            self._cache[key_hash] = _CachedKey(principal, row.expires_at, now)
        return principal

    @staticmethod
    def _active(row: ApiKey, now: datetime) -> bool:
        return row.revoked_at is None and (row.expires_at is None or row.expires_at > now)

    def _out(self, row: ApiKey, now: datetime) -> KeyOut:
        return KeyOut(
            id=row.id,
            prefix=row.prefix,
            role=row.role,
            unit=row.unit,
            name=row.name,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            active=self._active(row, now),
        )
