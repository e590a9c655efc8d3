"""SIGTERM and Ctrl-C end a command with its `with` blocks and `finally` clauses run (temporary folders
removed, worker pools shut down), a one-word message and the shell's exit status."""

from __future__ import annotations

import argparse
import os
import signal
import time

import pytest

from jiesu import cli


def _parser_running(handler: object) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=handler, verbose=0)
    return parser


@pytest.mark.parametrize(
    ("signum", "status", "word"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")]
)
def test_a_signal_unwinds_the_command(
    signum: int, status: int, word: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cleaned: list[bool] = []

    def long_command(_args: argparse.Namespace) -> int:
        try:
            os.kill(os.getpid(), signum)
            time.sleep(5)
            return 0
        finally:
            cleaned.append(True)

    monkeypatch.setattr(cli, "build_parser", lambda: _parser_running(long_command))
    previous = signal.getsignal(signal.SIGTERM)
    try:
        assert cli.main([]) == status
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert cleaned == [True]
    assert capsys.readouterr().err.strip().endswith(word)
