"""Positions in a spec and the exception hierarchy.

Every error shapecalc raises derives from :class:`ShapecalcError`. Errors about a spec carry
the source text and a :class:`Span`, and render as one line of message followed by the spec
line with a caret under the offending token. This module imports nothing from shapecalc.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

E = TypeVar("E", bound="ShapecalcError")


@dataclass(frozen=True)
class Span:
    """Half-open character offsets ``[start, end)`` into the spec text."""

    start: int
    end: int

    def cover(self, other: Span) -> Span:
        """The smallest span that contains both spans."""
        return Span(min(self.start, other.start), max(self.end, other.end))


#: Longest spec line echoed under an error; longer lines are shown as a window around the caret.
_ECHO_WIDTH = 100


def shortened(text: str, width: int = 24) -> str:
    """``text`` as written, or its start and end around ``…`` when longer than ``width``
    (a number of 4,000 digits quoted in an error)."""
    if len(text) <= width:
        return text
    keep = (width - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


def location(source: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``source``."""
    before = source[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def position(source: str, offset: int) -> str:
    """``line 2, column 5``, or just ``column 5`` in a one-line spec."""
    line, column = location(source, offset)
    return f"line {line}, column {column}" if "\n" in source else f"column {column}"


@dataclass(frozen=True)
class Remedy:
    """What a user can do about an error: give symbols values, narrow the ranges a solve
    searches, or leave values out.

    The library words it in its API's terms (:meth:`words`: ``give values for n, f``); a
    front end that takes values from places of its own (the command line's ``--at`` and
    ``--range``) words it from the fields instead.

    Attributes:
        values: the symbols that want a value (empty: "some symbols").
        example: a value to show for each of ``values`` (``n=32``), or None for none.
        narrow: the symbols whose search range is too wide.
        omit: the values given leave nothing to solve for: leave some out.
        otherwise: another remedy, joined with "or" (``add a target that depends on it``).
    """

    values: tuple[str, ...] = ()
    example: int | None = None
    narrow: tuple[str, ...] = ()
    omit: bool = False
    otherwise: str | None = None

    def examples(self, separator: str) -> str:
        """``n=32,f=32`` (with ``separator`` ",") for :attr:`values` and :attr:`example`."""
        return separator.join(f"{name}={self.example}" for name in self.values)

    def words(self) -> str:
        """The remedy in the library's terms, as the message of the error ends with it."""
        if self.omit:
            text = "leave out the values of the symbols to solve for"
        elif self.narrow and len(self.narrow) > 1:
            text = f"narrow the ranges of {', '.join(self.narrow)} or give some symbols values"
        elif self.narrow:
            text = f"narrow the range of {self.narrow[0]}"
        elif not self.values:
            text = "give some symbols values"
        elif self.example is not None:
            text = f"give values for {', '.join(self.values)} ({self.examples(', ')})"
        else:
            text = f"give a value for {', '.join(self.values)}"
        return text if self.otherwise is None else f"{text} or {self.otherwise}"


class ShapecalcError(Exception):
    """Base class of every error shapecalc raises on bad input.

    Attributes:
        problem: what is wrong, without the remedy (the whole message when there is none).
        remedy: what the user can do, or None; the message ends with :meth:`Remedy.words`.
        range_of: the symbol whose search range the error is about (``solve``'s ``bounds``),
            or None; the message then starts with ``the range of NAME:``.
    """

    problem: str | None = None
    remedy: Remedy | None = None
    range_of: str | None = None

    @classmethod
    def with_remedy(
        cls: type[E], problem: str, remedy: Remedy | None = None, *, range_of: str | None = None
    ) -> E:
        """An error whose message is ``problem`` and ``remedy``, with both kept apart for a
        front end to word its own way (``cls`` must take the message alone)."""
        subject = "" if range_of is None else f"the range of {range_of}: "
        tail = "" if remedy is None else f"; {remedy.words()}"
        err = cls(f"{subject}{problem}{tail}")
        err.problem, err.remedy, err.range_of = problem, remedy, range_of
        return err

    def render(self) -> str:
        """The full human-readable message (may span several lines)."""
        return str(self)


class LayerError(ShapecalcError):
    """A layer's arithmetic failed; raised without a position.

    The analysis loop, which knows where the layer stands in the spec, re-raises it as a
    :class:`ShapeError` with the layer's span.
    """

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Name of the option the error is about, so the caret can point at it.
        self.option = option


class MergeError(LayerError):
    """The outputs of a block's paths cannot be merged; raised without a position.

    The analysis loop re-raises it as a :class:`BranchError` at the path that disagrees.

    Attributes:
        path: the index of that path among the merge's inputs (0 is the first path); the
            index after the last written path is the block's input, which the identity
            shortcut of a ``res`` block passes.
    """

    def __init__(self, message: str, *, path: int) -> None:
        super().__init__(message)
        self.path = path


class SpecError(ShapecalcError):
    """An error at a position in the spec text.

    Attributes:
        message: one line naming what is wrong.
        source: the whole spec text.
        span: where in ``source`` the problem is.
    """

    def __init__(self, message: str, source: str, span: Span, prefix: str | None = None) -> None:
        self.message = message
        self.source = source
        self.span = span
        # What the error is about, such as "layer 3 'dense10'"; the position follows it.
        self.prefix = prefix
        super().__init__(self.render())

    def location(self) -> tuple[int, int]:
        """1-based (line, column) of the span start."""
        return location(self.source, self.span.start)

    def render(self) -> str:
        """Message, then the offending spec line with carets under the span."""
        line_no, column = self.location()
        lines = self.source.split("\n")
        text = lines[line_no - 1] if lines else ""
        where = position(self.source, self.span.start)
        if self.prefix is not None:
            first = f"{self.prefix} at {where}: {self.message}"
        else:
            # The position goes after the first clause: "unknown layer 'x' at column 3 — hint".
            cut = min(
                (i for i in (self.message.find(" — "), self.message.find("; ")) if i >= 0),
                default=len(self.message),
            )
            first = f"{self.message[:cut]} at {where}{self.message[cut:]}"
        width = max(
            1, min(self.span.end, self.span.start + len(text) - column + 1) - self.span.start
        )
        start = column - 1
        if len(text) > _ECHO_WIDTH:  # show a window of a long line around the caret
            left = max(0, min(start - _ECHO_WIDTH // 3, len(text) - _ECHO_WIDTH))
            shown = text[left : left + _ECHO_WIDTH]
            text = ("…" if left else "") + shown + ("…" if left + _ECHO_WIDTH < len(text) else "")
            start = start - left + (1 if left else 0)
            width = min(width, _ECHO_WIDTH)
        caret = " " * start + "^" * width
        return f"{first}\n  {text}\n  {caret}"


class SpecSyntaxError(SpecError):
    """The spec text does not follow the grammar."""


class UnknownLayerError(SpecError):
    """A layer keyword or option that shapecalc does not know (with a suggestion)."""


class ShapeError(SpecError):
    """A layer cannot be applied to its input (kernel too large, wrong rank, ...)."""


class SubstitutionError(ShapecalcError):
    """A value given for a symbol cannot be used: the spec has no such symbol, or the value
    is not a whole number in range.

    The message speaks of symbols and values only. A front end that takes the values from a
    place of its own (the command line's ``--at``) can word it from the attributes, which
    :meth:`unknown_symbol` and :meth:`bad_value` fill in; ``reason`` is None otherwise.

    Attributes:
        message: the message, as ``str(err)``.
        symbol: the symbol the value was given for.
        given: what was given, as the message names it: ``n=0``, or ``n`` alone for a value
            too long to echo.
        reason: what is wrong: ``values must be whole numbers``; for an unknown symbol, the
            spec's symbols (``the spec's symbols: n, f``).
        unknown: True when the spec has no symbol ``symbol``.
    """

    def __init__(
        self,
        message: str,
        *,
        symbol: str | None = None,
        given: str | None = None,
        reason: str | None = None,
        unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.symbol = symbol
        self.given = given
        self.reason = reason
        self.unknown = unknown

    @classmethod
    def unknown_symbol(cls, symbol: str, known: Sequence[str]) -> SubstitutionError:
        """A value for ``symbol``, which is none of the spec's symbols ``known``."""
        reason = f"the spec's symbols: {', '.join(known) if known else 'none'}"
        return cls(
            f"unknown symbol {symbol!r}; {reason}", symbol=symbol, reason=reason, unknown=True
        )

    @classmethod
    def bad_value(cls, symbol: str, given: str, reason: str) -> SubstitutionError:
        """A value for ``symbol`` (``given``, as in ``n=0``) that ``reason`` refuses."""
        return cls(f"{given}: {reason}", symbol=symbol, given=given, reason=reason)


class TorchError(ShapecalcError):
    """The PyTorch cross-check or code cannot be made: torch missing, device unavailable,
    symbols without values."""


class KerasError(ShapecalcError):
    """The Keras code or cross-check cannot be made: Keras missing, symbols without values,
    a device Keras does not run on."""


class KerasLayerError(SpecError, KerasError):
    """A layer of the spec that Keras cannot express, pointed at in the spec."""


class ModelImportError(ShapecalcError):
    """A model cannot be imported as a spec (``shapecalc import``): it cannot be traced, or
    some of its modules or operations have no layer kind (the message names every one)."""


class MatrixError(ShapecalcError):
    """Bad numbers for ``shapecalc conv``/``pool``: a ragged or non-numeric matrix, a missing
    file, a kernel that does not fit the input, a zero stride."""


class BranchError(ShapeError):
    """The paths of a ``res`` or ``concat`` block give shapes that cannot be merged."""


class FormulaTooLargeError(ShapeError):
    """A symbolic result or validity condition grows past its size limit; values for some
    symbols keep the arithmetic small.

    Attributes:
        problem: what grew, as in ``the formula grows past 2,000 terms``.
        fix: the remedy the message ends with, :attr:`FIX` unless a front end words its own
            (the command line adds ``with --at``).
    """

    FIX = "give some symbols values"
    problem: str

    def __init__(
        self, problem: str, source: str, span: Span, prefix: str | None = None, *, fix: str = FIX
    ) -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem}; {fix}", source, span, prefix)


class CostError(ShapecalcError):
    """An unknown dtype, convention or batch size (raised by :mod:`shapecalc.costs`)."""


class DrawError(ShapecalcError):
    """The analysis cannot be drawn in the requested way (style, size, missing values);
    raised by :mod:`shapecalc.render.svg`."""


class SolveError(ShapecalcError):
    """A solve request that cannot be answered: a bad target, an unknown in no formula..."""


class TargetCountError(SolveError):
    """A parameter-count target that is not a whole number.

    The message speaks of the target; a front end that takes targets from a field of its own
    (the command line's ``--params``) words it from :attr:`given`.

    Attributes:
        given: the target as given, with its layer prefix if any (``2:many``).
    """

    def __init__(self, given: str) -> None:
        super().__init__(f"parameter count {given!r} is not a whole number, as in 7600")
        self.given = given
