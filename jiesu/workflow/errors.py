"""Errors the services raise on purpose; the app turns each into the JSON error envelope
`{"error": {"code", "message", "details"}}` with its HTTP status. Messages are fixed text: they never
contain request text, caller data or raw exception text."""

from __future__ import annotations

from typing import Any

from jiesu.errors import JiesuError, Messages, message

__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "Messages",
    "NotFound",
    "ServiceError",
    "Unauthorized",
    "message",
]


class ServiceError(JiesuError):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class InvalidInput(ServiceError):
    status = 422
    code = "invalid_input"
