"""Every hypothesis test in the suite runs under the profile tests/conftest.py loads."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parent


def test_the_default_profile_is_derandomised_without_a_database() -> None:
    if os.environ.get("HYPOTHESIS_PROFILE", "shapecalc") != "shapecalc":
        pytest.skip("another profile is loaded")
    assert settings.get_current_profile_name() == "shapecalc"
    assert settings.default.derandomize and settings.default.database is None


def test_fuzz_is_random_and_longer() -> None:
    fuzz, default = settings.get_profile("fuzz"), settings.get_profile("shapecalc")
    assert not fuzz.derandomize and fuzz.max_examples > default.max_examples


def test_every_given_follows_the_loaded_profile() -> None:
    """No test collected in this run (in tests/properties/, tests/test_fuzz*.py, anywhere under
    tests/) carries its own randomness, database or deadline: only its count may differ."""
    profile = settings.default
    expected = (profile.derandomize, profile.database, profile.deadline)
    checked = []
    for module in list(sys.modules.values()):
        if not str(getattr(module, "__file__", "")).startswith(str(TESTS)):
            continue
        for name, function in vars(module).items():
            # What @given attaches: the test's settings, built over the loaded profile.
            own = getattr(function, "_hypothesis_internal_use_settings", None)
            if name.startswith("test") and own is not None:
                checked.append(name)
                got = (own.derandomize, own.database, own.deadline)
                assert got == expected, f"{module.__name__}.{name}"
    if not checked:
        pytest.skip("no other hypothesis test collected in this run")
