"""Model directories: `metadata.json` plus the backend's files, each recorded with its sha256.

On load the metadata is checked before anything else is read: the format and its version, the backend,
and every file's hash, so a directory that is incomplete, edited by hand or written by an incompatible
jiesu is refused with a message that says what to do, instead of failing later or predicting garbage.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Sequence
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from jiesu import __version__
from jiesu.data.resources import file_sha256
from jiesu.errors import ModelLoadError, ModelSaveError

METADATA_FILE = "metadata.json"
FORMAT = "jiesu-model"
# Bump when a saved directory can no longer be read by the code that reads it.
# 2: jieba_dict.txt and the catalogue version are saved with the model; 3: the hierarchical category
# head, and the decision and unfamiliar-text thresholds of the consultation; 4: the learned legal reader
# (legal_reader.safetensors, legal_reader.json) and its `legal_reader` entry in the metadata
FORMAT_VERSION = 4
LIBRARIES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "jieba",
    "jieba-fast-dat",
    "jionlp",
    "safetensors",
    "torch",
    "transformers",
)


def library_versions() -> dict[str, str]:
    return dict(_installed_versions())


@cache  # installed packages do not change under a running process; looking them up costs ~15 ms
def _installed_versions() -> dict[str, str]:
    versions = {"jiesu": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def _metadata_digest(metadata: dict[str, Any]) -> str:
    content = {key: value for key, value in metadata.items() if key != "metadata_sha256"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def write_metadata(directory: Path, metadata: dict[str, Any], files: Sequence[str]) -> dict[str, Any]:
    """Record every file's hash and write metadata.json last, so a half-written directory has none."""
    complete = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        **metadata,
        "files": {name: file_sha256(directory / name) for name in sorted(files)},
    }
    complete["metadata_sha256"] = _metadata_digest(complete)
    (directory / METADATA_FILE).write_text(
        json.dumps(complete, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return complete


def saved_format_version(directory: Path) -> int | None:
    """The format version a model directory was written in; None where there is no readable metadata."""
    try:
        metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = metadata.get("format_version") if isinstance(metadata, dict) else None
    return version if isinstance(version, int) else None


def read_metadata(directory: Path, *, verify_files: bool = True) -> dict[str, Any]:
    path = directory / METADATA_FILE
    if directory.exists() and not directory.is_dir():
        raise ModelLoadError(f"{directory} is a file; a model is a directory written by `jiesu train`.")
    if not directory.is_dir():
        raise ModelLoadError(f"model directory {directory} does not exist. Train one with `jiesu train`.")
    if not path.exists():
        raise ModelLoadError(
            f"{directory} has no {METADATA_FILE}: it is not a jiesu model directory, or saving did not finish. "
            "Train the model again with `jiesu train`."
        )
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelLoadError(f"{path} is not valid JSON ({exc.msg}); the directory is damaged.") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelLoadError(f"{path} does not describe a jiesu model (format {metadata.get('format')!r}).")
    written = metadata.get("format_version")
    if written != FORMAT_VERSION:
        by = metadata.get("versions", {}).get("jiesu", "an unknown version")
        raise ModelLoadError(
            f"model {directory} was written in model format {written} by jiesu {by}; this jiesu "
            f"({__version__}) reads format {FORMAT_VERSION}. Retrain it with `jiesu train`, or load it with "
            f"jiesu {by}."
        )
    if verify_files:
        if metadata.get("metadata_sha256") != _metadata_digest(metadata):
            raise ModelLoadError(
                f"{path} was edited after saving (its integrity hash does not match). Restore the original "
                "directory or retrain."
            )
        files = metadata.get("files")
        if not isinstance(files, dict) or not files:
            raise ModelLoadError(f"{path} lists no model files; the directory is damaged.")
        for name, expected in files.items():
            file = directory / name
            if not file.exists():
                raise ModelLoadError(
                    f"model file {name} is missing from {directory}; copy the whole directory."
                )
            if file_sha256(file) != expected:
                raise ModelLoadError(
                    f"model file {name} in {directory} does not match the hash in {METADATA_FILE}: it was "
                    "changed after saving. Restore the original directory or retrain."
                )
    return metadata


def check_save_target(target: Path) -> None:
    """Saving replaces only an earlier model directory or an empty one: never a file, never someone's
    folder of other things (`--out ~/data` must not wipe ~/data)."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ModelSaveError(f"{target} exists and is not a directory; choose another --out for the model.")
    if target.is_dir() and any(target.iterdir()) and not _is_model_directory(target):
        raise ModelSaveError(
            f"{target} is a directory that holds other files, not a jiesu model; choose an empty or new "
            "directory for the model (an earlier model directory is replaced)."
        )


def _is_model_directory(directory: Path) -> bool:
    """A jiesu model directory by its metadata's own format mark, any format version: a folder that merely
    holds some metadata.json is not one."""
    try:
        metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(metadata, dict) and metadata.get("format") == FORMAT
