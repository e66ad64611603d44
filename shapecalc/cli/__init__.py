"""The command line: a thin shell over :func:`shapecalc.analyze` and the renderers.

One module per command, imported only when its command runs (see :mod:`.group`):
``calc``, ``check``, ``conv``, ``draw``, ``layers``, ``pool``, ``solve``, ``torch``. Beside
them: ``group`` (the ``shapecalc`` group), ``program`` (the entry points), ``errors`` (how
errors are reported), ``types`` (parameter types), ``options`` (shared options), ``spec``
(reading the spec) and ``output`` (the console).
"""

from __future__ import annotations

from .group import cli
from .options import CONVENTION_NAMES, DTYPE_NAMES
from .program import console_main, main
from .spec import MAX_SPEC_BYTES, STDIN

__all__ = [
    "CONVENTION_NAMES",
    "DTYPE_NAMES",
    "MAX_SPEC_BYTES",
    "STDIN",
    "cli",
    "console_main",
    "main",
]
