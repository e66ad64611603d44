"""The docs say what the code does: generated layer reference, README commands, CI."""

from __future__ import annotations

import re
from pathlib import Path

from shapecalc.render.reference import layers_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_spec_reference_is_generated_from_the_registry() -> None:
    text = (ROOT / "docs" / "spec.md").read_text()
    embedded = text.split("<!-- layers:begin -->\n")[1].split("<!-- layers:end -->")[0]
    assert embedded == layers_markdown(), "regenerate with: shapecalc layers --markdown"


def test_spec_reference_carries_the_parser_grammar() -> None:
    import shapecalc.parser

    grammar = [
        line.strip() for line in (shapecalc.parser.__doc__ or "").splitlines() if " = " in line
    ]
    text = (ROOT / "docs" / "spec.md").read_text()
    for line in grammar:
        assert line in text


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert len(blocks) >= 2
    test_command = blocks[1].strip()
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci
