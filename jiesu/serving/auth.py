"""Access control: API keys (stored as sha256 of a 256-bit random secret, shown once; a short prefix
identifies a key in lists), roles, unit binding, and masking of caller data.

Roles: operator (intake, dispatch desk, follow-up), reviewer (dispatch review: returns, escalation),
unit (one handling unit: sees and acts only on tickets dispatched, co-handled or copied to it),
auditor (read-only: lists, tickets, rates), admin (manages keys; may also create tickets)."""

from __future__ import annotations

import hashlib
import secrets

from jiesu.workflow.actors import Principal
from jiesu.workflow.states import Role

KEY_PREFIX = "jsk_"
PREFIX_CHARS = 12  # "jsk_" + 8 random characters: enough to tell keys apart, useless for guessing


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # A high-entropy random secret needs no slow hash or salt: sha256 cannot be brute-forced here.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def key_prefix(secret: str) -> str:
    return secret[:PREFIX_CHARS]


# --- caller data --------------------------------------------------------------------------------------


def mask_phone(phone: str | None) -> str | None:
    """138****5678: the first three and last four digits stay, so a caller can still be told apart."""
    if phone is None:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 8:
        return "*" * len(digits) or "*"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str | None) -> str | None:
    """张* / 欧** : the surname's first character only."""
    if name is None:
        return None
    stripped = name.strip()
    return stripped[:1] + "*" * max(len(stripped) - 1, 1)


def sees_caller(principal: Principal, lead_unit: str | None, co_handlers: list[str]) -> bool:
    """Caller phone and name are for operators and the handling unit (lead or co-handler) only
    (Regulation art. 8, 28, 35); everyone else, including reviewers, auditors and admins, sees them masked."""
    if principal.role is Role.OPERATOR:
        return True
    if principal.role is Role.UNIT and principal.unit is not None:
        return principal.unit == lead_unit or principal.unit in co_handlers
    return False
