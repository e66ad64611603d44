"""Shared pytest options, and the hypothesis profiles of every test in tests/.

The profiles are registered here, once, so that every ``@given`` in the suite (the property
tests in tests/properties/, the fuzz tests, the strategies' and the solver's tests) runs
under the same one. Pick one with ``HYPOTHESIS_PROFILE=NAME`` (or hypothesis's own
``--hypothesis-profile NAME``):

``shapecalc`` (the default)
    150 examples per test, **derandomised**: each test draws the same examples on every run
    and every machine (until hypothesis, Python or the test changes), and no example
    database is read or written. A red CI is then a regression, never a newly drawn example.
``dev``
    The same, with 30 examples: a quicker local loop.
``fuzz``
    Random and ten times longer (1,500 examples): looks for new failing cases. Failures are
    saved to the example database (``.hypothesis/``, ignored by git) and replayed by the next
    ``fuzz`` run; ``print_blob`` prints a ``@reproduce_failure`` line to pin one down. Turn
    a case it finds into an explicit ``@example`` of the test.
``ci``
    The depth of ``fuzz``, derandomised as the default: a deep run that is the same on every
    run (the name used to mean a long run; hypothesis's own ``ci`` profile, loaded when the
    ``CI`` variable is set, is derandomised too). CI itself runs the default profile.

Every profile turns the deadline off: building torch modules and sympy expressions is far
slower than hypothesis's default deadline expects. Tests that need fewer examples than the
profile scale its count (``settings().max_examples // 5``, or :func:`fuzzing.examples`),
so the profile stays the one switch for depth.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

#: Examples per test under the default profile; the others are multiples of it.
EXAMPLES = 150

# From hypothesis's "default" profile, not the loaded one: with CI set, hypothesis has loaded
# its own "ci" profile at import, whose database=None would otherwise leak into "fuzz".
_BASE = settings(
    settings.get_profile("default"), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# derandomize=True implies database=None: nothing is replayed from, or saved to, .hypothesis/.
_FIXED = settings(_BASE, derandomize=True)

settings.register_profile("shapecalc", _FIXED, max_examples=EXAMPLES)
settings.register_profile("dev", _FIXED, max_examples=EXAMPLES // 5)
settings.register_profile("ci", _FIXED, max_examples=EXAMPLES * 10)
settings.register_profile(
    "fuzz", _BASE, max_examples=EXAMPLES * 10, derandomize=False, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "shapecalc"))


#: The audit events of starting a process (subprocess.run and Popen raise the first).
_PROCESS_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty"}
)
#: Processes started by the test being watched (None while no test is watched).
_started: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _started is not None and event in _PROCESS_EVENTS:
        _started.append(f"{event} {args[0]!r}" if args else event)


sys.addaudithook(_audit)


def _unmarked_processes(item: pytest.Item) -> Generator[None, Any, Any]:
    """Fail a test not marked ``slow`` that starts a process, so that ``-m "not slow"`` stays
    the fast loop: a process costs 0.25 s here, one that imports torch 2 s."""
    global _started
    if item.get_closest_marker("slow") is not None:
        return (yield)
    _started = []
    try:
        result = yield
    finally:
        started, _started = _started, None
    if started:
        pytest.fail(
            f"{item.nodeid} starts a process ({started[0]}): mark it @pytest.mark.slow",
            pytrace=False,
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _unmarked_processes(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _unmarked_processes(item))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output (review the diff before committing)",
    )
