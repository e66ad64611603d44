"""Hypothesis profiles for the property tests.

Building torch modules and sympy expressions is far slower than hypothesis's default
deadline expects, so every profile turns the deadline off. Pick a profile with the
``HYPOTHESIS_PROFILE`` environment variable: ``shapecalc`` (the default), ``dev`` for a
quick run, ``ci`` for a thorough one.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_BASE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

settings.register_profile("shapecalc", _BASE, max_examples=150)
settings.register_profile("dev", _BASE, max_examples=30)
settings.register_profile("ci", _BASE, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "shapecalc"))
