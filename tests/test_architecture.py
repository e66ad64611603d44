"""The package's import layers and forbidden imports: pyproject.toml's import-linter
contracts, run in-process (no subprocess, so the test stays in the fast loop)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold(capsys: pytest.CaptureFixture[str]) -> None:
    """Imports point one way (cli -> renderers and bridges -> costs and working -> engine ->
    result model -> layer kinds -> core -> symbolic -> errors), and the calculator's modules
    import no torch, keras, hypothesis or numpy (pyproject.toml lists the few deliberate
    lazy imports, each with its reason)."""
    here = os.getcwd()
    os.chdir(ROOT)  # import-linter reads the contracts from ./pyproject.toml
    try:
        code = lint_imports(no_cache=True)
    finally:
        os.chdir(here)
    assert code == 0, capsys.readouterr().out
