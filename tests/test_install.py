"""Every install hint names this distribution (PyPI's ``shapecalc`` is another package)."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import shapecalc
from shapecalc.install import DISTRIBUTION, install_hint

ROOT = Path(__file__).resolve().parents[1]
#: ``pip install`` and what it installs: a quoted or bare requirement, or a path.
PIP_INSTALL = re.compile(r"""pip install (?:-[a-zA-Z-]+ )*(['"]?)([A-Za-z0-9_.=\-]+(?:\[[a-z,]+\])?)\1""")
#: What may be installed: this distribution or a clone ('.'), with extras; the oracles and
#: helpers the docs name by their own names.
OWN = re.compile(rf"(?:{re.escape(DISTRIBUTION)}|\.)(?:\[[a-z,]+\])?")
OTHERS = {"torch==2.13.0", "numpy", "hypothesis", "keras", "torchvision==0.28.0", "Pillow"}


def _documents() -> list[Path]:
    package = Path(shapecalc.__file__).parent
    return [
        *sorted(package.rglob("*.py")),
        ROOT / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
    ]


def test_pyproject_names_the_distribution() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(rf'^name = "{re.escape(DISTRIBUTION)}"$', text, re.M)
    assert 'shapecalc = "shapecalc.cli:console_main"' in text  # the command keeps its name
    assert metadata.distribution(DISTRIBUTION).metadata["Name"] == DISTRIBUTION


def test_every_install_hint_names_this_distribution() -> None:
    hints = [
        (path.name, match.group(2))
        for path in _documents()
        for match in PIP_INSTALL.finditer(path.read_text(encoding="utf-8"))
    ]
    wrong = [
        (name, what)
        for name, what in hints
        if not OWN.fullmatch(what) and what not in OTHERS and not what.startswith("-")
    ]
    assert wrong == []
    # The hints that install shapecalc with an extra: each is this distribution or a clone.
    extras = [what for _, what in hints if "[" in what]
    assert f"{DISTRIBUTION}[png]" in extras and f"{DISTRIBUTION}[torch]" in extras
    assert all(OWN.fullmatch(what) for what in extras), extras


def test_the_hint_gives_the_published_name_and_the_clone() -> None:
    assert install_hint("png") == (
        'pip install "shapecalc-cnn[png]" (from a clone: pip install ".[png]")'
    )
