"""The plain calculator path imports neither torch nor (for concrete specs) sympy, and the
other commands that need neither keep it that way."""

from __future__ import annotations

import subprocess
import sys

import pytest

#: Every test here starts a Python process, to see what a fresh one imports.
pytestmark = pytest.mark.slow

CODE = """
import sys
from shapecalc.cli import main
sys.argv = ["shapecalc", *{args!r}]
try:
    main()
except SystemExit:
    pass
watched = ("torch", "keras", "sympy", "numpy", "resvg_py")
print("IMPORTED", *sorted(m for m in watched if m in sys.modules))
"""

VGG_LIKE = "224x224x3 | (conv3x3x64 same | relu)x2 | maxpool2 | flatten | dense10"


def _imported(*args: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", CODE.format(args=list(args))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("IMPORTED"))
    return line.split()[1:]


def test_concrete_spec_imports_no_torch_and_no_sympy() -> None:
    assert _imported(VGG_LIKE) == []


def test_symbolic_spec_imports_sympy_but_not_torch() -> None:
    assert _imported("nxnx3 | conv3x3x8") == ["sympy"]


@pytest.mark.parametrize(
    "args",
    [
        [VGG_LIKE, "--explain"],
        [VGG_LIKE, "--latex"],
        [VGG_LIKE, "--json", "--explain"],
        [VGG_LIKE, "--markdown", "--explain"],
        [VGG_LIKE, "--costs"],
        [VGG_LIKE, "--costs", "--macs", "thop"],
        ["draw", VGG_LIKE, "-o", "-"],
        # A preview into a pipe is the Unicode rendering: no PNG, so no resvg_py either.
        ["draw", VGG_LIKE, "--preview"],
        ["torch", VGG_LIKE],
        ["keras", VGG_LIKE],
        ["layers"],
        ["conv", "-i", "1 2; 3 4", "-k", "1 0; 0 1", "--explain"],
        ["pool", "-i", "1 2; 3 4", "--size", "2", "--mode", "avg", "--json"],
    ],
    ids=lambda args: " ".join(a for a in args if a != VGG_LIKE),
)
def test_commands_on_concrete_specs_import_no_numpy_torch_or_sympy(args: list[str]) -> None:
    assert _imported(*args) == []
