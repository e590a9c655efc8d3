"""The resource manifest: a resource whose content changed without a version bump fails the check, and
recording refuses it until the version is bumped."""

import json
import shutil
from pathlib import Path

import pytest

from jiesu.data.check import ReferencePaths, run_check
from jiesu.data.manifest import (
    MANIFEST_FILE,
    load_manifest,
    manifest_problems,
    resource_files,
    update_manifest,
)
from jiesu.data.resources import RESOURCES_DIR, SEED_DIR
from jiesu.errors import ReferenceDataError


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    copy = tmp_path / "resources"
    shutil.copytree(RESOURCES_DIR, copy)
    return copy


def _edit_workflow(directory: Path, *, version: str | None = None) -> None:
    path = directory / "workflow.json"
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["online_acceptance_hours"] += 1
    if version is not None:
        payload["version"] = version
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def test_the_shipped_manifest_lists_every_resource_as_it_is() -> None:
    assert manifest_problems() == []
    assert set(load_manifest().files) == {path.name for path in resource_files()}


def test_a_change_without_a_version_bump_fails_the_check(resources: Path) -> None:
    _edit_workflow(resources)
    assert manifest_problems(resources) == [
        "workflow.json changed but its version is still 2026.11.1: bump its version, then record it with "
        "`jiesu data check --update-manifest`."
    ]
    corpus = resources.parent / "corpus.jsonl"  # one row: the corpus is not what is checked here
    first_row = sorted(SEED_DIR.glob("*.jsonl"))[0].read_text(encoding="utf-8").split("\n")[0]
    corpus.write_text(first_row + "\n", encoding="utf-8")
    result = run_check(ReferencePaths(resources=resources, corpus=corpus))
    assert not result.ok
    assert any(error.startswith("workflow.json changed") for error in result.errors)


def test_recording_refuses_a_change_without_a_bump_and_writes_nothing(resources: Path) -> None:
    _edit_workflow(resources)
    before = (resources / MANIFEST_FILE).read_bytes()
    with pytest.raises(ReferenceDataError, match=r"not recording workflow\.json: .* Bump the version"):
        update_manifest(resources)
    assert (resources / MANIFEST_FILE).read_bytes() == before


def test_a_bumped_change_is_reported_until_recorded(resources: Path) -> None:
    _edit_workflow(resources, version="2099.1.1")
    assert manifest_problems(resources) == [
        "workflow.json is at version 2099.1.1 but the manifest records 2026.11.1: record it with "
        "`jiesu data check --update-manifest`."
    ]
    assert update_manifest(resources) == ["workflow.json 2026.11.1 → 2099.1.1"]
    assert manifest_problems(resources) == []
    assert load_manifest(resources).files["workflow.json"].version == "2099.1.1"


def test_new_and_removed_resources_are_reported(resources: Path) -> None:
    (resources / "extra.json").write_text('{"version": "1"}', encoding="utf-8")
    (resources / "units.json").unlink()
    problems = manifest_problems(resources)
    assert problems[0].startswith("extra.json is not in the resource manifest")
    assert problems[1].startswith("units.json is in the resource manifest but not among the resources")


def test_a_csv_resource_needs_a_version_line(resources: Path) -> None:
    aliases = resources / "aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"aliases\.csv must start with a '# version: \.\.\.' line"):
        manifest_problems(resources)


def test_a_missing_manifest_says_how_to_write_it(resources: Path) -> None:
    (resources / MANIFEST_FILE).unlink()
    with pytest.raises(ReferenceDataError, match="jiesu data check --update-manifest"):
        manifest_problems(resources)
