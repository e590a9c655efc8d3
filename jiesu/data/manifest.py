"""The manifest of the shipped reference data (`resources/manifest.json`): every resource file with its
version and the sha256 of its content. `jiesu data check` compares each file with it, so a file whose
content changed without a new version is an error, and a version always names one content.

After a deliberate change: bump the file's `version`, then `jiesu data check --update-manifest` records
the new version and hash. Recording refuses a changed file whose version is still the recorded one.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jiesu.data.resources import RESOURCES_DIR, file_sha256, read_json
from jiesu.errors import Messages, ReferenceDataError, message

MANIFEST_FILE = "manifest.json"
RESOURCE_SUFFIXES = (".json", ".csv")
NOTES = (
    "Written by `jiesu data check --update-manifest`; do not edit by hand. Every resource file with its "
    "version and the sha256 of its bytes: `jiesu data check` fails when a file changed without a new version."
)


class ManifestEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    notes: str = ""
    files: dict[str, ManifestEntry]


def resource_files(directory: Path = RESOURCES_DIR) -> list[Path]:
    """The versioned resource files of a directory (the manifest itself excluded), by name."""
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file() and path.suffix in RESOURCE_SUFFIXES and path.name != MANIFEST_FILE
    )


def resource_version(path: Path) -> str:
    """The `version` a resource declares: the JSON object's `version`, or a CSV's `# version: X` line."""
    if path.suffix == ".json":
        return str(read_json(path)["version"])
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("#"):
                break
            key, _, value = line[1:].partition(":")
            if key.strip() == "version" and value.strip():
                return value.strip()
    raise ReferenceDataError(f"{path} must start with a '# version: ...' line")


def current_entries(directory: Path = RESOURCES_DIR) -> dict[str, ManifestEntry]:
    return {
        path.name: ManifestEntry(version=resource_version(path), sha256=file_sha256(path))
        for path in resource_files(directory)
    }


def load_manifest(directory: Path = RESOURCES_DIR) -> Manifest:
    path = directory / MANIFEST_FILE
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReferenceDataError(message(Messages.manifest_missing, path=path)) from exc
    except ValidationError as exc:
        raise ReferenceDataError(f"resource manifest {path} is invalid: {exc}") from exc


def manifest_problems(directory: Path = RESOURCES_DIR) -> list[str]:
    """One line per resource that disagrees with the manifest; empty when all agree."""
    recorded = load_manifest(directory).files
    current = current_entries(directory)
    problems = []
    for name, now in current.items():
        before = recorded.get(name)
        if before is None:
            problems.append(message(Messages.resource_not_in_manifest, name=name))
        elif now.sha256 != before.sha256 and now.version == before.version:
            problems.append(message(Messages.resource_changed_same_version, name=name, version=now.version))
        elif now != before:
            problems.append(
                message(
                    Messages.resource_manifest_stale, name=name, version=now.version, recorded=before.version
                )
            )
    problems += [
        message(Messages.resource_missing, name=name) for name in sorted(set(recorded) - set(current))
    ]
    return problems


def update_manifest(directory: Path = RESOURCES_DIR) -> list[str]:
    """Record every resource's version and hash; returns what changed ('aliases.csv 2026.11.1 →
    2026.11.2'). Refuses (ReferenceDataError, nothing written) while a changed file keeps its version."""
    path = directory / MANIFEST_FILE
    recorded = load_manifest(directory).files if path.exists() else {}
    current = current_entries(directory)
    unbumped = [
        name
        for name, now in current.items()
        if name in recorded and now.sha256 != recorded[name].sha256 and now.version == recorded[name].version
    ]
    if unbumped:
        raise ReferenceDataError(message(Messages.manifest_refused, names=", ".join(unbumped)))
    changes = [
        f"{name} {recorded[name].version if name in recorded else '(new)'} → {now.version}"
        for name, now in current.items()
        if recorded.get(name) != now
    ]
    changes += [f"{name} removed" for name in sorted(set(recorded) - set(current))]
    manifest = {"notes": NOTES, "files": {name: entry.model_dump() for name, entry in current.items()}}
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return changes
