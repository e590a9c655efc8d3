"""Each top-level package imports only from the packages before it in this list (README, "Layout"):
reference data at the bottom, the HTTP layer at the top. Local (function-level) imports count too."""

import ast
from pathlib import Path

import jiesu

LAYERS = ["data", "model", "training", "evaluation", "batch", "workflow", "serving", "demo"]
ROOT = Path(jiesu.__file__).parent


def _imported_layers(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        for name in names:
            parts = name.split(".")
            if parts[0] == "jiesu" and len(parts) > 1 and parts[1] in LAYERS:
                layers.add(parts[1])
    return layers


def test_imports_point_down_the_layers() -> None:
    upward = []
    for position, layer in enumerate(LAYERS):
        allowed = set(LAYERS[: position + 1])
        for path in sorted((ROOT / layer).rglob("*.py")):
            for imported in sorted(_imported_layers(path) - allowed):
                upward.append(f"{path.relative_to(ROOT)} imports jiesu.{imported}")
    assert upward == []
