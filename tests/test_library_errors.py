"""Library errors speak of the library; the command line adds its own wording (--at)."""

from __future__ import annotations

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
