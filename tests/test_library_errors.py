"""Library errors speak of the library; the command line adds its own wording (--at)."""

from __future__ import annotations

from collections.abc import Callable

import fuzzing
import pytest

import shapecalc
from shapecalc import FormulaTooLargeError, ShapecalcError, SubstitutionError, analyze
from shapecalc.errors import Span

SPEC = "nxnx3 | conv3x3x8 pad{p}"
#: A symbolic spec whose validity conditions pass 200 terms by its fifth layer.
TOO_LARGE = "nx3 | " + " | ".join(["maxpool2 stride{s} ceil"] * 12)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("subs", "library", "program"),
    [
        (
            {"m": 3},
            "unknown symbol 'm'; the spec's symbols: n, p",
            "unknown symbol 'm' in --at; the spec's symbols: n, p",
        ),
        (
            {"n": 0},
            "n=0: n must be positive (only a symbol used just for padding may be 0)",
            "--at n=0: n must be positive (only a symbol used just for padding may be 0)",
        ),
        ({"p": -1}, "p=-1: p must not be negative", "--at p=-1: p must not be negative"),
        (
            {"n": 10**18 + 1},
            "n: the value is larger than 10**18",
            "--at n: the value is larger than 10**18",
        ),
    ],
)
def test_bad_values_in_the_library_and_on_the_command_line(
    subs: dict[str, int], library: str, program: str
) -> None:
    with pytest.raises(SubstitutionError) as info:
        analyze(SPEC, **subs)
    assert str(info.value) == info.value.message == library
    assert "--at" not in info.value.render()
    ((name, value),) = subs.items()
    proc = fuzzing.run_program(SPEC, "--at", f"{name}={value}")
    assert (proc.returncode, proc.stderr) == (2, f"error: {program}\n")


def test_a_bad_value_carries_what_a_front_end_needs_to_word_it() -> None:
    unknown = SubstitutionError.unknown_symbol("m", ["n"])
    assert (unknown.symbol, unknown.unknown, unknown.reason) == ("m", True, "the spec's symbols: n")
    assert SubstitutionError.unknown_symbol("m", []).message == (
        "unknown symbol 'm'; the spec's symbols: none"
    )
    with pytest.raises(SubstitutionError) as info:
        analyze(SPEC, n=2.5)  # type: ignore[arg-type]
    err = info.value
    assert (err.symbol, err.given, err.reason, err.unknown) == (
        "n",
        "n=2.5",
        "values must be whole numbers",
        False,
    )
    assert err.message == "n=2.5: values must be whole numbers"
    # A plain message still makes one (without the structured parts).
    assert SubstitutionError("no values").reason is None


@pytest.mark.slow
def test_a_formula_too_large_asks_for_values_without_naming_a_flag() -> None:
    with pytest.raises(FormulaTooLargeError) as info:
        analyze(TOO_LARGE)
    err = info.value
    assert err.problem == "a validity condition grows past 200 terms"
    assert err.message == "a validity condition grows past 200 terms; give some symbols values"
    assert "--at" not in err.render()
    assert isinstance(err, shapecalc.ShapeError)  # caught as before
    proc = fuzzing.run_program(TOO_LARGE)
    assert proc.returncode == 2
    assert proc.stderr.split("\n")[0] == (
        "error: layer 5 'maxpool2 stride{s} ceil' at column 111: a validity condition grows "
        "past 200 terms; give some symbols values with --at"
    )
    # The caret is the library's: only the wording of the fix changes.
    stderr = proc.stderr.encode("latin-1").decode("utf-8")  # run_program reads bytes as Latin-1
    assert stderr.split("\n", 1)[1] == err.render().split("\n", 1)[1] + "\n"


def test_the_formula_error_keeps_its_parts_apart() -> None:
    err = FormulaTooLargeError("the formula grows past 2,000 terms", "nx3 | relu", Span(6, 10))
    assert err.message == "the formula grows past 2,000 terms; give some symbols values"
    assert (err.problem, err.fix) == (
        "the formula grows past 2,000 terms",
        FormulaTooLargeError.FIX,
    )
    own = FormulaTooLargeError(err.problem, err.source, err.span, fix="do something else")
    assert own.message == "the formula grows past 2,000 terms; do something else"


def test_every_error_class_is_exported_from_the_package() -> None:
    import inspect

    import shapecalc.errors

    classes = [
        cls
        for _, cls in inspect.getmembers(shapecalc.errors, inspect.isclass)
        if issubclass(cls, ShapecalcError) and cls.__module__ == "shapecalc.errors"
    ]
    assert len(classes) >= 12
    for cls in classes:
        assert getattr(shapecalc, cls.__name__) is cls, cls.__name__
        assert cls.__name__ in shapecalc.__all__


def test_no_error_class_is_defined_outside_errors_py() -> None:
    import ast
    import inspect
    from pathlib import Path

    import shapecalc.errors

    names = {
        name
        for name, cls in inspect.getmembers(shapecalc.errors, inspect.isclass)
        if issubclass(cls, ShapecalcError)
    }
    package = Path(shapecalc.__file__).parent
    defined = [
        f"{path.relative_to(package)}: {node.name}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "errors.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id in names for base in node.bases)
    ]
    assert defined == []


def test_no_library_module_words_an_error_with_at_or_range() -> None:
    """The values of symbols are ``--at`` and ``--range`` only on the command line: a library
    error that asks for them says so in the API's terms (a :class:`Remedy`)."""
    import ast
    import re
    from pathlib import Path

    package = Path(shapecalc.__file__).parent
    worded = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        if "cli" not in path.relative_to(package).parts
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Raise)
        for part in ast.walk(node)
        if isinstance(part, ast.Constant)
        and isinstance(part.value, str)
        and re.search(r"--(at|range)\b", part.value)
    ]
    assert worded == []


def _solve(spec: str, out: str | None = None, params: int | None = None, **kw: object) -> None:
    from shapecalc.solve import Target, solve

    target = Target.parse_shape(out, None) if out else Target(layer=None, params=params)
    solve(spec, [target], **kw)  # type: ignore[arg-type]


LIBRARY_AND_PROGRAM = [
    (
        lambda: _solve("nxnx3 | conv{f}x{f}x8", params=224),
        ["solve", "nxnx3 | conv{f}x{f}x8", "--params", "224"],
        "unknown 'n' appears in no target's formula; give a value for n or add a target that "
        "depends on it",
        "unknown 'n' appears in no target's formula; give it a value with --at n=... or add a "
        "target that depends on it",
    ),
    (
        lambda: _solve("nxnx3 | conv3x3x8", "5x5x8", at={"n": 7}),
        ["solve", "nxnx3 | conv3x3x8", "--out", "5x5x8", "--at", "n=7"],
        "every symbol has a value; leave out the values of the symbols to solve for",
        "every symbol has a value; leave out of --at the ones to solve for",
    ),
    (
        lambda: _solve("nxnx3 | conv3x3x8", "5x5x8", bounds={"m": (1, 4)}),
        ["solve", "nxnx3 | conv3x3x8", "--out", "5x5x8", "--range", "m=1..4"],
        "the range of m: not an unknown; the unknowns: n",
        "--range m: not an unknown; the unknowns: n",
    ),
    (
        lambda: _solve("nxnx3 | conv3x3x8", "5x5x8", bounds={"n": (5, 4)}),
        ["solve", "nxnx3 | conv3x3x8", "--out", "5x5x8", "--range", "n=5..4"],
        "the range of n: the low end is above the high end",
        "--range n: the low end is above the high end",
    ),
    (
        lambda: _solve("nxnx3 | conv{f}x{f}x8 stride{s}", "7x7x8"),
        ["solve", "nxnx3 | conv{f}x{f}x8 stride{s}", "--out", "7x7x8"],
        "1,073,741,824 combinations of values to try (n 1..1024, f 1..1024, s 1..1024); narrow "
        "the ranges of n, f, s or give some symbols values",
        "1,073,741,824 combinations of values to try (n 1..1024, f 1..1024, s 1..1024); narrow "
        "them with --range NAME=LOW..HIGH or give some values with --at",
    ),
    (
        lambda: analyze("nxnx1 | conv3x3x16").to_svg(),
        ["draw", "nxnx1 | conv3x3x16", "-o", "-"],
        "a drawing needs a size for every dim; give values for n (n=28)",
        "a drawing needs a size for every dim; give values for n with --at n=28",
    ),
]


@pytest.mark.parametrize(("call", "args", "library", "program"), LIBRARY_AND_PROGRAM)
def test_a_remedy_is_worded_by_the_library_and_by_the_program(
    call: Callable[[], object], args: list[str], library: str, program: str
) -> None:
    from click.testing import CliRunner

    from shapecalc.cli import cli

    with pytest.raises(ShapecalcError) as info:
        call()
    assert str(info.value) == library
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.output) == (2, f"error: {program}\n")


def test_torch_needs_numbers_for_a_symbolic_option() -> None:
    from shapecalc.errors import TorchError
    from shapecalc.torchmodule import concrete_int

    with pytest.raises(TorchError) as info:
        concrete_int(analyze("nxnx3 | conv3x3x{c}").rows[0].output_shape.channels, "channels")
    assert str(info.value) == "channels is c; torch needs numbers; give a value for c"
    from shapecalc.cli.errors import library_error

    assert library_error(info.value) == (
        "error: channels is c; torch needs numbers; give it a value with --at c=..."
    )
