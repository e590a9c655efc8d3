"""Where the shipped reference-data files live, and reading them with clear errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from jiesu.errors import ReferenceDataError

RESOURCES_DIR = Path(__file__).parent / "resources"
SEED_DIR = Path(__file__).parent / "seed"


def resource_path(name: str) -> Path:
    return RESOURCES_DIR / name


def read_json(path: Path) -> dict[str, Any]:
    """Read a reference JSON file that must be an object carrying a `version`."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"reference file {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise ReferenceDataError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict) or not payload.get("version"):
        raise ReferenceDataError(f"{path} must be a JSON object with a non-empty 'version'")
    return payload


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
