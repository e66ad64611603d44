"""Time of each fuzz input: every input must be handled in under a second.

    python benchmarks/fuzz.py [--examples 2000] [--seed 0] [--large]

Draws the same inputs as the fuzz tests (tests/fuzzing.py: mutated valid specs, token soups,
arbitrary text) with hypothesis, and times each one in-process: the analysis (parse and infer,
or build the error message) is what the goal is about; the rendering of a successful analysis
(table, Markdown, JSON with costs, explanation, drawing) is timed apart and printed, not
judged here (benchmarks/bench.py holds the goals for long tables). Then times the analysis of
the inputs at and past the limits (LIMIT_CASES; with --large also LARGE_CASES, which hold the
known slow ones), printing the time to render them beside it. Prints the count, median, p99
and maximum, and the slowest inputs. Exits 1 when any input took more than 1.5 s (the goal of
1 s plus 50%), so that a regression shows when someone runs it; the figures are the result.

The first analysis of a process imports sympy and rich; that import is timed on its own
(a warm-up) and not charged to whichever input happened to come first. Figures from a shared
machine vary from run to run: run it twice before believing a single slow input.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

from shapecalc import SpecError  # noqa: E402

#: The goal per input, and how far past it the script fails.
GOAL = 1.0
FAIL_AT = 1.5 * GOAL


def _analyse(text: str) -> tuple[float, float | None, str]:
    """Seconds to analyse ``text`` (or build its error), seconds to render it (None after an
    error), and the outcome. Rendering very long tables is timed apart: the goal here is the
    analysis; benchmarks/bench.py holds the goals of the table's speed."""
    start = time.perf_counter()
    outcome = fuzzing.check_spec(text, render=False)
    analysed = time.perf_counter() - start
    if isinstance(outcome, SpecError):
        outcome.render()
        return time.perf_counter() - start, None, "error"
    start = time.perf_counter()
    fuzzing.render_all(outcome)
    return analysed, time.perf_counter() - start, "ok"


def _show(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 90 else shown[:60] + f"... ({len(text):,} chars)"


def _summary(label: str, times: list[tuple[float, str, str]]) -> None:
    seconds = sorted(t for t, _, _ in times)
    p99 = seconds[min(len(seconds) - 1, int(0.99 * len(seconds)))]
    ok = sum(1 for _, r, _ in times if r == "ok")
    errors = f", {len(seconds) - ok:,} spec errors" if len(seconds) > ok else ""
    print(
        f"{label}: {len(seconds):,} inputs ({ok:,} analysed{errors}); "
        f"median {statistics.median(seconds) * 1000:.2f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {seconds[-1] * 1000:.1f} ms, total {sum(seconds):.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="generated inputs")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed")
    parser.add_argument("--large", action="store_true", help="also time LARGE_CASES")
    parser.add_argument("--slowest", type=int, default=8, help="slowest inputs listed")
    args = parser.parse_args()

    start = time.perf_counter()
    fuzzing.check_spec("nxnx3 | conv{f}x{f}x8 pad1 | res(relu) | gap | dense10")
    print(f"warm-up (imports sympy, rich): {time.perf_counter() - start:.2f} s")

    times: list[tuple[float, str, str]] = []
    renders: list[tuple[float, str, str]] = []

    @hypothesis_seed(args.seed)
    @settings(
        max_examples=args.examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(fuzzing.fuzz_texts())
    def run(text: str) -> None:
        seconds, rendered, result = _analyse(text)
        times.append((seconds, result, text))
        if rendered is not None:
            renders.append((rendered, result, text))

    run()
    _summary("fuzz inputs, analysis", times)
    _summary("fuzz inputs, rendering (not judged)", renders)

    cases = list(fuzzing.LIMIT_CASES) + (list(fuzzing.LARGE_CASES) if args.large else [])
    limits: list[tuple[float, str, str]] = []
    print("\ninputs at and past the limits (analysis; rendering timed apart, not judged):")
    for name, text, _ in cases:
        seconds, rendered, result = _analyse(text)
        limits.append((seconds, result, name))
        shown = f"{rendered * 1000:9.1f} ms" if rendered is not None else " " * 12
        print(f"  {seconds * 1000:9.1f} ms  {result:<5}  render {shown}  {name}")
    _summary("limit inputs", limits)

    for label, rows in (("analyse", times), ("render", renders)):
        print(f"\nslowest {args.slowest} fuzz inputs to {label}:")
        for seconds, result, text in sorted(rows, reverse=True)[: args.slowest]:
            print(f"  {seconds * 1000:9.1f} ms  {result:<5}  {_show(text)}")

    over = [(s, n) for s, _, n in times + limits if s > FAIL_AT]
    if over:
        print(f"\nFAIL: {len(over)} input(s) took over {FAIL_AT:.1f} s (goal {GOAL:.0f} s):")
        for seconds, text in sorted(over, reverse=True):
            print(f"  {seconds:.2f} s  {_show(text)}")
        return 1
    print(f"\nevery input under {FAIL_AT:.1f} s (goal {GOAL:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
