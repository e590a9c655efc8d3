"""Console sessions: an API key is exchanged once for a random session token (the cookie); the database
keeps only the token's sha256, the key it came from, a CSRF token and the expiry. Every request reads the
session with its key, so revoking or expiring the key ends the session at once, in every worker."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from jiesu.serving.clock import Clock, utcnow
from jiesu.serving.db import Database
from jiesu.serving.keys import KeyService
from jiesu.serving.orm import ApiKey, ConsoleSession
from jiesu.workflow.actors import Principal
from jiesu.workflow.states import Role

COOKIE = "jiesu_console"


@dataclass(frozen=True)
class SignedIn:
    """Who a console request comes from, and the CSRF token its forms must carry."""

    principal: Principal
    csrf: str
    expires_at: datetime

    def csrf_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf, given or "")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionService:
    def __init__(
        self, database: Database, keys: KeyService, *, hours: float = 12.0, clock: Clock = utcnow
    ) -> None:
        self.db = database
        self.keys = keys
        self.lifetime = timedelta(hours=hours)
        self.clock = clock

    def open(self, secret: str) -> tuple[str, SignedIn]:
        """(cookie token, session) for a valid API key; Unauthorized (the API's 401) otherwise. The
        session ends at the key's expiry if that comes first."""
        principal = self.keys.authenticate(secret.strip())
        now = self.clock()
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.db.write() as session:
            key = session.get(ApiKey, principal.key_id)
            key_expiry = key.expires_at if key is not None else None
            expires_at = min(now + self.lifetime, key_expiry) if key_expiry else now + self.lifetime
            session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
            session.add(
                ConsoleSession(
                    id=_hash(token), key_id=principal.key_id, csrf=csrf, created_at=now, expires_at=expires_at
                )
            )
        return token, SignedIn(principal, csrf, expires_at)

    def find(self, token: str | None) -> SignedIn | None:
        """The live session of a cookie token: not expired, and its key neither revoked nor expired."""
        if not token or len(token) > 100:
            return None
        now = self.clock()
        query = (
            select(ConsoleSession, ApiKey)
            .join(ApiKey, ApiKey.id == ConsoleSession.key_id)
            .where(ConsoleSession.id == _hash(token))
        )
        with self.db.read() as session:
            row = session.execute(query).one_or_none()
        if row is None:
            return None
        stored, key = row[0], row[1]
        if stored.expires_at <= now or key.revoked_at is not None:
            return None
        if key.expires_at is not None and key.expires_at <= now:
            return None
        principal = Principal(key_id=key.id, role=Role(key.role), unit=key.unit, name=key.name)
        return SignedIn(principal, stored.csrf, stored.expires_at)

    def close(self, token: str | None) -> None:
        if token:
            with self.db.write() as session:
                session.execute(delete(ConsoleSession).where(ConsoleSession.id == _hash(token)))
