"""`jiesu train` and `jiesu evaluate` end to end on small files."""

import json
from pathlib import Path

import pytest

from jiesu.cli import main
from jiesu.data.corpus import load_seed_corpus

CATEGORIES = ("供暖", "餐饮油烟", "欠薪", "停车管理")
FIRST_LEVEL = {"供暖": "城乡建设", "餐饮油烟": "环境保护", "欠薪": "劳动和社会保障", "停车管理": "交通运输"}


@pytest.fixture(scope="module")
def first_level_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Teddy-Cup-shaped file: text and one label column of first-level names."""
    corpus = load_seed_corpus()
    path = tmp_path_factory.mktemp("data") / "messages.csv"
    lines = ["content,label"]
    for text, l2 in zip(corpus["text"], corpus["category_l2"], strict=True):
        if l2 in CATEGORIES:
            lines.append('"{}",{}'.format(text.replace('"', '""'), FIRST_LEVEL[l2]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_with_cv_then_evaluate(
    first_level_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    argv = ["train", "--data", str(first_level_csv), "--text-column", "content", "--label-column", "label"]
    assert main([*argv, "--out", str(out), "--cv", "2", "--no-progress", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert "category_l1 (out-of-fold, 2-fold)" in printed
    assert "macro-F1" in printed
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert list(metadata["heads"]) == ["category_l1"]
    assert metadata["config"]["seed"] == 3
    assert metadata["training_data"]["rows"] > 50
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["cross_validation"]["k"] == 2
    assert "ece" in metrics["cross_validation"]["heads"]["category_l1"]
    report_path = tmp_path / "report.json"
    argv = ["evaluate", "--model", str(out), "--data", str(first_level_csv), "--text-column", "content"]
    assert main([*argv, "--label-column", "label", "--output", str(report_path)]) == 0
    report = json.loads(report_path.read_text(encoding="utf-8"))
    head = report["heads"]["category_l1"]
    assert head["accuracy"] > 0.8
    assert set(head["per_class"]) == set(FIRST_LEVEL.values())
    assert len(head["confusion"]["matrix"]) == 4
    printed = capsys.readouterr().out
    matrix = head["confusion"]["matrix"]
    mistakes = sum(count for i, row in enumerate(matrix) for j, count in enumerate(row) if i != j)
    assert head["accuracy"] == pytest.approx(1 - mistakes / sum(map(sum, matrix)))
    assert "risk–coverage" in printed
    # The terminal lists the most frequent confusions exactly when there are some.
    assert ("most frequent confusions" in printed) == (mistakes > 0)
    assert main(["evaluate", "--model", str(report_path), "--data", str(first_level_csv)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_bad_training_input_gets_a_clear_error(
    first_level_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["train", "--data", str(first_level_csv), "--out", str(tmp_path / "m"), "--no-progress"]
    assert main([*argv, "--text-column", "content", "--label-column", "nope"]) == 2
    assert "column 'nope' is missing" in capsys.readouterr().err
    assert main([*argv, "--text-column", "body", "--label-column", "label"]) == 2
    assert "column 'body' is missing" in capsys.readouterr().err
    one_class = tmp_path / "one.csv"
    one_class.write_text("text,label\n暖气不热,城乡建设\n暖气太凉,城乡建设\n", encoding="utf-8")
    assert (
        main(["train", "--data", str(one_class), "--out", str(tmp_path / "m"), "--label-column", "label"])
        == 2
    )
    assert "1 distinct label" in capsys.readouterr().err
    odd_labels = tmp_path / "odd.csv"
    odd_labels.write_text("text,label\n暖气不热,好\n暖气太凉,坏\n", encoding="utf-8")
    assert (
        main(["train", "--data", str(odd_labels), "--out", str(tmp_path / "m"), "--label-column", "label"])
        == 2
    )
    assert "neither first- nor second-level" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
    for folds in ("1", "0", "-2", "two"):
        with pytest.raises(SystemExit):
            main([*argv, "--text-column", "content", "--label-column", "label", "--cv", folds])
    assert "--cv (cross-validation folds) must be between 2 and 1000" in capsys.readouterr().err
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("text,label\n暖气不热,城乡建设\n饭馆油烟,环境保护\n", encoding="utf-8")
    assert main(["train", "--data", str(tiny), "--out", str(tmp_path / "m"), "--label-column", "label"]) == 2
    assert "cannot train on" in capsys.readouterr().err


def test_train_never_overwrites_what_is_not_a_model(
    first_level_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["train", "--data", str(first_level_csv), "--text-column", "content", "--label-column", "label"]
    folder = tmp_path / "my-files"
    folder.mkdir()
    (folder / "notes.txt").write_text("precious", encoding="utf-8")
    assert main([*argv, "--out", str(folder), "--no-progress"]) == 2
    assert "holds other files" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "precious"
    a_file = tmp_path / "model.txt"
    a_file.write_text("keep", encoding="utf-8")
    assert main([*argv, "--out", str(a_file), "--no-progress"]) == 2
    assert a_file.read_text(encoding="utf-8") == "keep"
    model = tmp_path / "model"
    assert main([*argv, "--out", str(model), "--no-progress"]) == 0
    assert main([*argv, "--out", str(model), "--no-progress"]) == 0  # an earlier model is replaced


def test_label_column_selects_one_head_and_evaluate_reads_either_level(tmp_path: Path) -> None:
    corpus = load_seed_corpus(split="train")
    rows = [row for row in corpus.to_list() if row["category_l2"] in CATEGORIES]
    data = tmp_path / "seed.jsonl"
    data.write_text(
        "".join(
            json.dumps({**row, "category_l1": FIRST_LEVEL[row["category_l2"]]}, ensure_ascii=False) + "\n"
            for row in rows
        ),
        encoding="utf-8",
    )
    out = tmp_path / "l1"
    assert (
        main(
            [
                "train",
                "--data",
                str(data),
                "--label-column",
                "category_l1",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert list(metadata["heads"]) == ["category_l1"]  # not the other label columns in the file
    both = tmp_path / "both"
    argv = [
        "train",
        "--data",
        str(data),
        "--label-column",
        "category_l1",
        "--column",
        "request_type=request_type",
    ]
    assert main([*argv, "--out", str(both), "--no-progress"]) == 0
    heads = json.loads((both / "metadata.json").read_text(encoding="utf-8"))["heads"]
    assert list(heads) == ["category_l1", "request_type"]  # a head mapped explicitly is kept
    # Scored on second-level labels only: the first level is derived through the taxonomy.
    second_only = tmp_path / "l2.jsonl"
    second_only.write_text(
        "".join(
            json.dumps({"text": r["text"], "category_l2": r["category_l2"]}, ensure_ascii=False) + "\n"
            for r in rows
        ),
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    assert main(["evaluate", "--model", str(out), "--data", str(second_only), "--output", str(report)]) == 0
    assert json.loads(report.read_text(encoding="utf-8"))["heads"]["category_l1"]["accuracy"] > 0.8
    one_class = tmp_path / "one.jsonl"
    one_class.write_text(
        json.dumps({"text": "暖气不热", "category_l1": "城乡建设"}, ensure_ascii=False) + "\n", "utf-8"
    )
    assert main(["evaluate", "--model", str(out), "--data", str(one_class)]) == 0


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """`jiesu … | head`: a closed pipe is exit status 141 and no traceback, not a crash."""
    import subprocess
    import sys

    script = (
        "import argparse, sys\n"
        "import jiesu.cli as cli\n"
        "def flood(args):\n"
        "    for n in range(200_000):\n"
        "        print('suggestion', n)\n"
        "    return 0\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--verbose', action='store_true')\n"
        "parser.set_defaults(handler=flood)\n"
        "cli.build_parser = lambda: parser\n"
        "sys.exit(cli.main([]))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.read(20).startswith(b"suggestion 0")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr


def test_a_bad_workers_setting_is_refused_before_the_data_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIESU_TRAIN_WORKERS", "zero")
    read: list[bool] = []
    monkeypatch.setattr("jiesu.training.datasets.load_training_sources", lambda *_: read.append(True))
    assert main(["train", "--data", "seed", "--out", str(tmp_path / "model")]) == 2
    assert "JIESU_TRAIN_WORKERS='zero'" in capsys.readouterr().err
    assert read == []
    assert not (tmp_path / "model").exists()
