"""The data options of `jiesu train` and `jiesu evaluate`: `--data` may be repeated, and the column
options that follow a `--data` belong to it (`jiesu train --data seed --data history.csv --text-column 内容
--label-map map.csv`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the datasets library takes over a second to import: not for `jiesu --help`
    from jiesu.training.datasets import SourceSpec


class SourceOption(argparse.Action):
    """`--data` starts a training source; `--text-column`, `--label-column`, `--column` and `--label-map`
    belong to the `--data` before them (those given before any `--data`, to the first)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        sources: list[dict[str, Any]] = list(getattr(namespace, "sources", None) or [])
        pending: dict[str, Any] = dict(getattr(namespace, "pending_source", None) or {})
        if self.dest == "data":
            sources.append(pending | {"path": values})
            pending = {}
        else:
            target = sources[-1] if sources else pending
            if self.dest == "column":
                target["columns"] = [*target.get("columns", []), values]
            elif self.dest in target:
                parser.error(f"{option_string} is given twice for the same --data")
            else:
                target[self.dest] = values
        namespace.sources = sources
        namespace.pending_source = pending


def source_specs(args: argparse.Namespace) -> list[SourceSpec]:
    from jiesu.training.datasets import SourceSpec

    specs = []
    for source in args.sources:
        label_map = source.get("label_map")
        specs.append(
            SourceSpec(
                path=source["path"],
                text_column=source.get("text_column", "text"),
                label_column=source.get("label_column"),
                columns=tuple(source.get("columns", [])),
                label_map=Path(label_map) if label_map else None,
            )
        )
    return specs


def add_data_options(
    parser: argparse.ArgumentParser, *, several: bool = False, required: bool = True
) -> None:
    parser.set_defaults(sources=[], pending_source={})
    parser.add_argument(
        "--data",
        action=SourceOption,
        required=required,
        help="CSV/JSONL/JSON/Parquet file, or 'seed' for the seed corpus"
        + (
            "; repeat it to train one model on several sources, each with the options that follow it"
            if several
            else ""
        ),
    )
    parser.add_argument(
        "--text-column", action=SourceOption, help="column holding the request text (default: text)"
    )
    parser.add_argument(
        "--label-column",
        action=SourceOption,
        help="one label column of category names (first- or second-level, detected; with --label-map, "
        "the column it maps, default: label)",
    )
    parser.add_argument(
        "--column",
        action=SourceOption,
        metavar="SRC=DST",
        help="map a column to a head column (category_l2, category_l1, request_type, disposition, channel, "
        "emergency_number); repeatable",
    )
    parser.add_argument(
        "--label-map",
        action=SourceOption,
        metavar="FILE",
        help="CSV label,category_l1,category_l2 mapping another taxonomy's categories to the current ones "
        "(category_l2 may be empty: such rows teach the first level only)",
    )
