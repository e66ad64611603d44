"""In-process time of ``Analysis.costs`` and of laying out the cost columns. Prints figures;
asserts nothing.

    python benchmarks/costs.py [--runs 5]

The analysis itself is timed apart, so the figures show what ``--costs`` adds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shapecalc import analyze
from shapecalc.render.common import COST_COLUMNS, table_data

ROOT = Path(__file__).resolve().parent.parent

SPECS = {
    "VGG-16 (concrete)": (ROOT / "examples" / "vgg16.shape").read_text(),
    "10,000-layer concrete": "224x224x3 | (conv3x3x8 same | relu)x5000",
    "60-layer symbolic": "HxWx3\n"
    + "conv3x3x{c} pad1 | bn | relu | conv3x3x{c} same stride2 | maxpool2 ceil\n" * 12,
}


def best(runs: int, work: Callable[[], Any]) -> float:
    """The best wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print one line per spec: analyse, costs, table cells."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"{'spec':24} {'analyze':>9} {'costs':>9} {'cells':>9}  (best of {runs})")
    for name, spec in SPECS.items():
        print(f"{name:24} " + " ".join(f"{t:8.3f}s" for t in _times(spec, runs)))


def _times(spec: str, runs: int) -> tuple[float, float, float]:
    analysis = analyze(spec)
    costs = analysis.costs()
    return (
        best(runs, lambda: analyze(spec)),
        best(runs, lambda: analysis.costs(batch=64, dtype="bfloat16")),
        best(runs, lambda: table_data(analysis, COST_COLUMNS, costs)),
    )


if __name__ == "__main__":
    main()
