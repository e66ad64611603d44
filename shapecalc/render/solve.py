"""What ``shapecalc solve`` found, for the terminal: solutions, ranges, or the nearest values."""

from __future__ import annotations

from typing import Any

from ..solve import Solutions

#: A run of consecutive values longer than this prints as ``lo..hi``.
LISTED_RUN = 4


def runs(values: list[int]) -> list[tuple[int, int]]:
    """Consecutive integers grouped: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    groups: list[tuple[int, int]] = []
    for value in values:
        if groups and value == groups[-1][1] + 1:
            groups[-1] = (groups[-1][0], value)
        else:
            groups.append((value, value))
    return groups


def values_text(values: list[int]) -> str:
    """``{32, 33}``, or ``{0..511}`` where floors make ranges: a run of more than four values
    prints as its ends."""
    parts = []
    for low, high in runs(values):
        if high - low + 1 > LISTED_RUN:
            parts.append(f"{low}..{high}")
        else:
            parts.extend(str(v) for v in range(low, high + 1))
    return "{" + ", ".join(parts) + "}"


def grouped(solutions: Solutions) -> list[tuple[dict[str, int], str, list[int]]]:
    """Solutions with equal values of all unknowns but the last, the last one's values listed:
    [(values of the others, last unknown, its values)]."""
    *first, last = solutions.unknowns
    groups: list[tuple[dict[str, int], str, list[int]]] = []
    for solution in solutions.solutions:
        head = {name: solution[name] for name in first}
        if groups and groups[-1][0] == head:
            groups[-1][2].append(solution[last])
        else:
            groups.append((head, last, [solution[last]]))
    return groups


def summary_lines(solutions: Solutions) -> list[str]:
    """The answer as plain lines (also used by tests and the Markdown of the docs)."""
    bounds = ", ".join(f"{n} in {lo}..{hi}" for n, (lo, hi) in solutions.bounds.items())
    lines = [f"Targets:  {'; '.join(solutions.targets)}"]
    if solutions.conditions:  # validity conditions that were solved as equations too
        lines.append(f"Requires: {'; '.join(solutions.conditions)}")
    lines.append(f"Searched: {bounds}")
    if not solutions.solutions:
        lines.append("No solution within these bounds.")
        if solutions.nearest:
            lines.append("Nearest values reached:")
            for values, gives in solutions.nearest:
                at = ", ".join(f"{n} = {v}" for n, v in values.items())
                lines.append(f"  {at} gives {gives}")
        return lines
    more = "" if solutions.count_exact else " at least"
    noun = "solution" if solutions.count == 1 else "solutions"
    lines.append(f"{more.strip().capitalize() + ' ' if more else ''}{solutions.count:,} {noun}:")
    for head, last, found in grouped(solutions):
        given = [f"{n} = {v}" for n, v in head.items()]
        tail = f"{last} = {found[0]}" if len(found) == 1 else f"{last} ∈ {values_text(found)}"
        lines.append("  " + ", ".join([*given, tail]))
    if solutions.truncated:
        lines.append(
            f"  … {solutions.count - len(solutions.solutions):,}{more} more (--limit shows more)"
        )
    return lines


def solutions_renderable(solutions: Solutions) -> Any:
    """A rich renderable of :func:`summary_lines`, the answers in bold."""
    from rich.console import Group
    from rich.text import Text

    lines = summary_lines(solutions)
    return Group(*(Text(line, style="bold" if line.startswith("  ") else "") for line in lines))
