"""argparse types shared by the command lines (`jiesu.cli` and the subcommands defined beside their jobs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole_number(minimum: int, maximum: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number in [minimum, maximum], else a message naming `what`."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not minimum <= number <= maximum:
            raise argparse.ArgumentTypeError(f"{what} must be between {minimum} and {maximum}, got {number}")
        return number

    return parse
