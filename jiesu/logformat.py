"""How the entry points write log lines: `text` (the default: time, level, logger, message) or `json`
(`JIESU_LOG_FORMAT=json`: one JSON object per line, for log shippers). A record that carries `fields`
(the request log line) has them as keys of its JSON object too."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from jiesu.errors import Messages, SettingsError, message

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: control characters, line separators and anything
    outside ASCII are escaped by the encoder, so no logged value can start a line of its own."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({key: value for key, value in fields.items() if key not in entry})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True, default=str)


def log_format() -> str:
    """JIESU_LOG_FORMAT, checked: text (default) or json."""
    value = os.environ.get("JIESU_LOG_FORMAT", "text").strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise SettingsError(message(Messages.log_format, value=value))
    return value


def configure_logging(level: int) -> None:
    """The root logger writes to stderr in the format JIESU_LOG_FORMAT names."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format() == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
