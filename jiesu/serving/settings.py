"""Serving settings (pydantic-settings, env prefix JIESU_). Read when the app or a command starts, never
at import; handlers receive them through a dependency so tests can override them."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    # Same data directory as the default model (jiesu.training.default_model.data_dir).
    return f"sqlite:///{Path(os.environ.get('JIESU_DATA_DIR', 'var')) / 'jiesu.db'}"


class ServingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIESU_", extra="ignore")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///path (default var/jiesu.db) or postgresql+psycopg2://…",
    )
    model_dir: Path | None = Field(
        default=None, description="model directory; default: the default model (trained if missing)"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_text_chars: int = Field(default=20000, ge=1, description="longer request texts are refused (422)")
    max_batch: int = Field(default=500, ge=1, description="most requests in one POST /v1/suggest")
    auto_migrate: bool | None = Field(
        default=None, description="apply migrations on start; default: only for the embedded SQLite"
    )
    page_size: int = Field(default=50, ge=1, le=500, description="default page size of ticket lists")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def migrate_on_start(self) -> bool:
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate
