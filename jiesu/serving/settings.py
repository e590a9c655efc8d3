"""Serving settings (pydantic-settings, env prefix JIESU_). Read when the app or a command starts, never
at import; handlers receive them through a dependency so tests can override them. Commands read them with
`load_settings`, which validates command-line overrides with the same model as the environment."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jiesu.errors import Messages, SettingsError, message

_HOST_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def default_database_url() -> str:
    # Same data directory as the default model (jiesu.training.default_model.data_dir).
    return f"sqlite:///{Path(os.environ.get('JIESU_DATA_DIR', 'var')) / 'jiesu.db'}"


# The largest legal bodies, in compact JSON with every character \u-escaped: 6 bytes a character, 12 for
# one outside the Basic Multilingual Plane (a surrogate pair), which is what the limits assume. Field
# names, punctuation and short fields (an id of 200 characters, a district, a name, a phone) fit in the
# allowance. A body padded with whitespace can exceed any limit; such a body is not what a client sends.
_BYTES_PER_CHAR = 12
_SHORT_FIELDS = 64 * 1024  # every field but the text, of a ticket (under 5 KB when all escaped)
_SUGGEST_ITEM_FIELDS = 4 * 1024  # id (200 characters) and caller_district (32), all escaped: < 3 KB


def ticket_body_bytes(max_text_chars: int) -> int:
    """The largest legal POST /v1/tickets body (and the action bodies, whose texts are at most 2,000
    characters, are smaller)."""
    return _BYTES_PER_CHAR * max_text_chars + _SHORT_FIELDS


def suggest_item_bytes(max_text_chars: int) -> int:
    return _BYTES_PER_CHAR * max_text_chars + _SUGGEST_ITEM_FIELDS


class ServingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIESU_", extra="ignore")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///path (default var/jiesu.db) or postgresql+psycopg2://…",
    )
    model_dir: Path | None = Field(
        default=None, description="model directory; default: the default model (trained if missing)"
    )
    model_reload_s: float = Field(
        default=5.0,
        ge=0,
        description="how often the server looks for a newly promoted model in the registry (0: never)",
    )
    host: str = Field(default="127.0.0.1", min_length=1, description="interface the server binds")
    port: int = Field(default=8000, ge=1, le=65535)
    max_text_chars: int = Field(default=20000, ge=1, description="longer request texts are refused (422)")
    max_batch: int = Field(default=500, ge=1, description="most requests in one POST /v1/suggest")
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description=(
            "larger request bodies are refused (413) before they are read; /v1/suggest has its own limit,"
            " suggest_body_bytes, which follows from max_batch and max_text_chars"
        ),
    )
    body_timeout_s: float = Field(
        default=15.0, gt=0, description="a request body that stops arriving for this long is refused (408)"
    )
    auto_migrate: bool | None = Field(
        default=None, description="apply migrations on start; default: only for the embedded SQLite"
    )
    page_size: int = Field(default=50, ge=1, le=500, description="default page size of ticket lists")
    console_session_hours: float = Field(
        default=12.0,
        gt=0,
        le=24 * 30,
        description="a web console sign-in lasts this long (or until its key ends)",
    )

    @field_validator("host")
    @classmethod
    def _a_host(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            labels = value.split(".")
            if not all(_HOST_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
                raise ValueError(
                    "must be an IP address or a host name (127.0.0.1, 0.0.0.0, ::1, localhost)"
                ) from None
        return value

    @field_validator("database_url")
    @classmethod
    def _a_usable_database_url(cls, value: str) -> str:
        # Imported here: `jiesu --help` loads this module and must not load SQLAlchemy.
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            url = make_url(value)
            dialect = url.get_dialect()
        except (ArgumentError, NoSuchModuleError):
            raise ValueError(
                "is not a database URL: sqlite:///path or postgresql+psycopg2://user@host/db"
            ) from None
        try:
            dialect.import_dbapi()
        except ImportError:
            raise ValueError(
                f"needs the {url.drivername} driver, which is not installed: use sqlite:///path or postgresql+psycopg2://…"
            ) from None
        return value

    @field_validator("max_body_bytes")
    @classmethod
    def _legal_bodies_fit(cls, value: int, info: ValidationInfo) -> int:
        max_text_chars = info.data.get("max_text_chars")
        if max_text_chars is not None and value < (needed := ticket_body_bytes(max_text_chars)):
            raise ValueError(
                f"must be at least {needed} with max_text_chars={max_text_chars}: the largest legal ticket body"
            )
        return value

    @property
    def suggest_body_bytes(self) -> int:
        """The body limit of /v1/suggest: the largest legal batch, however it is encoded."""
        return max(self.max_body_bytes, self.max_batch * suggest_item_bytes(self.max_text_chars) + 1024)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def migrate_on_start(self) -> bool:
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate


def load_settings(**overrides: Any) -> ServingSettings:
    """The settings from the environment, with the command line's `overrides` (None: not given) on top.

    Both go through ServingSettings' validation (`--port 99999` is refused like `JIESU_PORT=99999`); an
    invalid value is a SettingsError naming the option or variable, its value and what is wrong.
    """
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return ServingSettings(**given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            name = f"--{field.replace('_', '-')}" if field in given else f"JIESU_{field.upper()}"
            problems.append(
                message(Messages.invalid_setting, name=name, value=error["input"], problem=error["msg"])
            )
        raise SettingsError("; ".join(problems)) from None
