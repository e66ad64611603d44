"""The name shapecalc is installed by, and the install hints that errors give.

The import name and the ``shapecalc`` command are ``shapecalc``; the distribution on PyPI is
:data:`DISTRIBUTION`, because PyPI's ``shapecalc`` is an unrelated geometry package that an
install by that name would bring (and, with ``-U``, put in this one's place).
This module imports nothing.
"""

from __future__ import annotations

#: The distribution name in pyproject.toml, as ``pip install`` and ``importlib.metadata`` know it.
DISTRIBUTION = "shapecalc-cnn"


def install_hint(extra: str) -> str:
    """How to install shapecalc with one of its extras, published and from a clone:
    ``pip install "shapecalc-cnn[torch]" (from a clone: pip install ".[torch]")``."""
    return f'pip install "{DISTRIBUTION}[{extra}]" (from a clone: pip install ".[{extra}]")'
