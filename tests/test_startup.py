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
