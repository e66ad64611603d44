"""The result model (shapecalc.analysis) apart from the engine (shapecalc.network)."""

from __future__ import annotations

import ast
from pathlib import Path

import shapecalc
import shapecalc.analysis
import shapecalc.network
from shapecalc import analyze

PACKAGE = Path(shapecalc.__file__).parent


def test_the_old_import_paths_name_the_same_classes() -> None:
    for name in ("Analysis", "Row", "Block", "Totals"):
        moved = getattr(shapecalc.analysis, name)
        assert getattr(shapecalc.network, name) is moved
        assert getattr(shapecalc, name) is moved
        assert moved.__module__ == "shapecalc.analysis"


def _runtime_imports(path: Path) -> set[str]:
    """The modules a file imports when it is loaded: top-level imports, not the ones under
    ``if TYPE_CHECKING:`` nor those inside functions."""
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_result_model_loads_only_the_core() -> None:
    # Renderers, bridges and the engine are imported by the methods that use them.
    assert _runtime_imports(PACKAGE / "analysis.py") <= {
        "__future__",
        "dataclasses",
        "typing",
        ".errors",
        ".shape",
        ".symbolic",
    }


def test_the_methods_return_what_they_say() -> None:
    from rich.console import Console
    from rich.protocol import is_renderable

    from shapecalc.costs import Costs
    from shapecalc.explain import Explanation

    a = analyze("28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10")
    assert isinstance(a.explain(), Explanation)
    assert isinstance(a.costs(), Costs)
    for renderable in (a.table(), a.__rich__()):
        assert is_renderable(renderable)
        console = Console(width=100, record=True, color_system=None)
        console.print(renderable)
        text = console.export_text()
        assert "Total params:" in text and "31,530" in text
    assert a.to_json(costs=a.costs())["costs"]["totals"]["macs"] == a.costs().totals.macs
