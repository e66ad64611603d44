"""The docs say what the code does: generated layer reference, README commands, CI."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from shapecalc.render.reference import layers_markdown

ROOT = Path(__file__).resolve().parent.parent


def _grammar() -> str:
    import shapecalc.parser

    doc = shapecalc.parser.__doc__ or ""
    body = doc[doc.index("    spec ") : doc.index("Why a hand-written")].rstrip()
    return "```ebnf\n" + textwrap.dedent(body) + "\n```\n"


SECTIONS = {"layers": layers_markdown, "grammar": _grammar}


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_spec_reference_sections_are_generated_from_the_code(
    name: str, request: pytest.FixtureRequest
) -> None:
    """docs/spec.md embeds the parser's EBNF and the registry's layer table."""
    path = ROOT / "docs" / "spec.md"
    text = path.read_text()
    begin, end = f"<!-- {name}:begin -->\n", f"<!-- {name}:end -->"
    before, rest = text.split(begin)
    embedded, after = rest.split(end)
    expected = SECTIONS[name]()
    if request.config.getoption("--update-golden"):
        path.write_text(before + begin + expected + end + after)
        embedded = expected
    assert embedded == expected, "regenerate with: pytest tests/test_docs.py --update-golden"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert len(blocks) >= 2
    test_command = blocks[1].strip()
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci


def test_readme_python_example_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)\n```", readme, re.S)
    exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - our own documentation


@pytest.mark.slow
def test_readme_console_examples_show_real_output() -> None:
    """Each ```console block in README.md is a command and exactly what it prints."""
    import os
    import shlex
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```console\n(.*?)\n```", readme, re.S)
    assert len(blocks) >= 3
    for block in blocks:
        command, *expected = block.splitlines()
        assert command.startswith("$ shapecalc ")
        args = shlex.split(command[len("$ shapecalc ") :])
        env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
        proc = subprocess.run(
            [sys.executable, "-m", "shapecalc", *args], capture_output=True, text=True, env=env
        )
        printed = [line.rstrip() for line in (proc.stdout + proc.stderr).splitlines()]
        assert printed == expected, command
