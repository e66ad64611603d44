"""The plain calculator path imports neither torch nor (for concrete specs) sympy."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
from shapecalc.cli import main
sys.argv = ["shapecalc", {spec!r}]
try:
    main()
except SystemExit:
    pass
print("IMPORTED", *sorted(m for m in ("torch", "sympy", "numpy") if m in sys.modules))
"""


def _imported(spec: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", CODE.format(spec=spec)], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("IMPORTED"))
    return line.split()[1:]


def test_concrete_spec_imports_no_torch_and_no_sympy() -> None:
    assert _imported("224x224x3 | (conv3x3x64 same | relu)x2 | maxpool2 | flatten | dense10") == []


def test_symbolic_spec_imports_sympy_but_not_torch() -> None:
    assert _imported("nxnx3 | conv3x3x8") == ["sympy"]


NUMERIC = """
import sys
from shapecalc.cli import main
sys.argv = ["shapecalc", *{args!r}]
try:
    main()
except SystemExit:
    pass
print("IMPORTED", *sorted(m for m in ("torch", "sympy", "numpy") if m in sys.modules))
"""


def test_numeric_conv_and_pool_import_no_numpy_torch_or_sympy() -> None:
    for args in (
        ["conv", "-i", "1 2; 3 4", "-k", "1 0; 0 1", "--explain"],
        ["pool", "-i", "1 2; 3 4", "--size", "2", "--mode", "avg", "--json"],
    ):
        out = subprocess.run(
            [sys.executable, "-c", NUMERIC.format(args=args)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.splitlines()[-1] == "IMPORTED", args
