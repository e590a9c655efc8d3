from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# The shared real data lives beside the repository (../shared/data), never inside it.
SHARED_DATA = Path(os.environ.get("JIESU_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
TEDDY_DIR = SHARED_DATA / "teddycup2020"


@pytest.fixture
def teddy_dir() -> Path:
    if not (TEDDY_DIR / "messages_segmented_9210.csv").exists():
        pytest.skip(f"shared Teddy Cup data not found at {TEDDY_DIR} (set JIESU_SHARED_DATA)")
    return TEDDY_DIR
