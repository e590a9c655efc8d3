"""The optional parts of jiesu (pyproject's extras) and the check that one is installed.

The core install serves, suggests, trains and evaluates with the linear backend; `transformer` adds torch
and transformers, `bench` what `jiesu bench classify` needs, `report` matplotlib for the HTML reports (a
model's evaluation, the audit), `ray` the Ray engine of `jiesu rescore`. Code that needs an extra imports
it lazily and calls `require_extra` first, so a missing extra is one clear error line instead of an
ImportError.
"""

from __future__ import annotations

import importlib.util
from typing import Literal

from jiesu.errors import Messages, MissingExtraError, message

Extra = Literal["transformer", "bench", "report", "ray"]

# The modules each extra provides (import names, not distribution names).
EXTRA_MODULES: dict[Extra, tuple[str, ...]] = {
    "transformer": ("torch", "transformers"),
    "bench": ("skops",),
    "report": ("matplotlib",),
    "ray": ("ray",),
}
# torch: the CPU build is installed first, or pip pulls a multi-GB CUDA build (DEVELOPERS.md).
_HINTS: dict[Extra, str] = {"transformer": ", after the CPU build of torch (`pip install torch==2.13.0`)"}


def missing_modules(extra: Extra) -> list[str]:
    """The modules of `extra` that cannot be imported here (found without importing them)."""
    return [name for name in EXTRA_MODULES[extra] if importlib.util.find_spec(name) is None]


def require_extra(extra: Extra, purpose: str) -> None:
    """Raise MissingExtraError, naming `purpose` and how to install `extra`, unless it is installed."""
    missing = missing_modules(extra)
    if missing:
        raise MissingExtraError(
            message(
                Messages.missing_extra,
                purpose=purpose,
                missing=" and ".join(missing),
                verb="is" if len(missing) == 1 else "are",
                extra=extra,
                hint=_HINTS.get(extra, ""),
            )
        )
