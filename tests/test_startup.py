"""The plain calculator path imports neither torch nor (for concrete specs) sympy, and the
other commands that need neither keep it that way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

#: Every test here starts a Python process, to see what a fresh one imports.
pytestmark = pytest.mark.slow

CODE = """
import sys
from pathlib import Path
from shapecalc.cli import main
sys.argv = ["shapecalc", *{args!r}]
try:
    main()
except SystemExit:
    pass
print("IMPORTED", *sorted(m for m in {watched!r} if m in sys.modules))
"""

#: The heavy modules a command must not import when it does not need them.
HEAVY = ("torch", "keras", "sympy", "numpy", "resvg_py")

VGG_LIKE = "224x224x3 | (conv3x3x64 same | relu)x2 | maxpool2 | flatten | dense10"


def _imported(*args: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", CODE.format(args=list(args), watched=watched)],
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



#: What the plain table needs none of: the spec hints (an error's), difflib (click's "no such
#: option" suggestions, built when a short option was first looked up as a long one) and rich's
#: emoji table (a header given as a str is read as markup).
NOT_FOR_THE_TABLE = ("shapecalc.hints", "difflib", "rich._emoji_codes")


def test_the_table_from_a_file_imports_no_hints_difflib_or_emoji(tmp_path: Path) -> None:
    spec = tmp_path / "net.shape"
    spec.write_text(VGG_LIKE + "\n")
    assert _imported("-f", str(spec), watched=NOT_FOR_THE_TABLE) == []
