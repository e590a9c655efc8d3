"""The core install needs no extra: importing the CLI, the server or the linear model never imports torch,
and a feature whose extra is missing says which extra to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jiesu.cli import main
from jiesu.errors import MissingExtraError
from jiesu.extras import EXTRA_MODULES, require_extra


@pytest.mark.slow  # a fresh interpreter imports the server and the model (~3 s)
def test_the_core_imports_no_extra() -> None:
    code = (
        "import sys, jiesu.cli, jiesu.serving.app, jiesu.model.classifier, jiesu.model.suggestion, "
        "jiesu.training.pipeline, jiesu.evaluation.bench_classify, jiesu.batch.job, jiesu.batch.bench; "
        "print(sorted(m for m in ('torch', 'transformers', 'skops', 'ray') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_missing_extra_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    require_extra("transformer", "anything")  # installed here (make install installs every extra)
    monkeypatch.setitem(EXTRA_MODULES, "transformer", ("torch", "jiesu_not_installed"))
    with pytest.raises(
        MissingExtraError,
        match=r"^the transformer backend needs jiesu_not_installed, which is not installed: install jiesu\[transformer\], after the CPU build of torch",
    ):
        require_extra("transformer", "the transformer backend")
    monkeypatch.setitem(EXTRA_MODULES, "bench", ("skops_a", "skops_b"))
    with pytest.raises(
        MissingExtraError,
        match=r"needs skops_a and skops_b, which are not installed: install jiesu\[bench\] ",
    ):
        require_extra("bench", "the benchmark")


def test_train_without_the_transformer_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setitem(EXTRA_MODULES, "transformer", ("jiesu_not_installed",))
    out = tmp_path / "model"
    assert main(["train", "--data", "seed", "--backend", "transformer", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: jiesu train --backend transformer needs jiesu_not_installed")
    assert error.count("\n") == 1
    assert "jiesu[transformer]" in error
    assert not out.exists()
