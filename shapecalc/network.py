"""The engine: from spec text to an :class:`Analysis`, layers built from the registry,
shapes inferred.

This is the one loop that knows where each layer stands in the spec, so it turns the
position-less :class:`LayerError` of layer code into a :class:`ShapeError` with a caret. The
result it returns (:class:`Analysis`, :class:`Row`, :class:`Block`, :class:`Totals`) lives in
:mod:`shapecalc.analysis`; it is imported from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .analysis import Analysis, Block, Row, Totals
from .errors import (
    BranchError,
    FormulaTooLargeError,
    LayerError,
    MergeError,
    ShapecalcError,
    ShapeError,
    Span,
    SpecError,
    SpecSyntaxError,
    SubstitutionError,
    UnknownLayerError,
)
from .expression import evaluate
from .layers import REGISTRY, Checks, Layer, SpecReader
from .layers.base import OPTION_ALIASES, suggest_keyword
from .layers.merge import MERGES, Chunk, Merge
from .parser import (
    BlockSpec,
    BranchSpec,
    Item,
    LayerSpec,
    ParsedSpec,
    Value,
    evaluate_layer,
    parse,
    uses_note,
)
from .shape import Shape
from .symbolic import (
    Constraint,
    Dim,
    make_symbol,
    merge_constraints,
    tree_size,
)

if TYPE_CHECKING:
    from .torchcheck import CheckResult

#: Most layers a spec may expand to (repeats included), so a typo cannot exhaust memory.
MAX_LAYERS = 100_000
#: Largest value given for a symbol (as for numbers in a spec).
MAX_VALUE = 10**18
#: Largest concrete size or count a layer may produce; beyond it, exact printing gets slow.
MAX_RESULT = 10**100
#: Largest symbolic result, in expression nodes, so that formulas stay printable.
MAX_FORMULA = 2_000
#: Largest validity condition, in expression nodes.
MAX_CONDITION = 200


class _Symbols:
    """Resolves symbol values: the integers given for symbols, else sympy symbols.

    A symbol used only for padding may be 0; every other symbol is a positive integer.
    """

    def __init__(self, pad_only: set[str], subs: dict[str, int]) -> None:
        self.pad_only = pad_only
        self.subs = subs
        #: Per layer item (by id): the conditions under which its expressions are sizes.
        self.conditions: dict[int, list[Constraint]] = {}

    def resolve(self, value: Value) -> Dim:
        """The integer given for the symbol, or the sympy symbol itself; an expression's
        value (already checked by :meth:`evaluate`)."""
        if value.expr is not None:
            return evaluate(value.expr, self.value_of, "")
        assert value.name is not None
        return self.value_of(value.name)

    def value_of(self, name: str) -> Dim:
        """The integer given for a symbol, or the sympy symbol itself."""
        if name in self.subs:
            return self.subs[name]
        return make_symbol(name, nonnegative=name in self.pad_only)

    def evaluate(self, spec: LayerSpec, source: str) -> LayerSpec:
        """The item with its expressions evaluated (see :func:`~shapecalc.parser.evaluate_layer`)."""
        evaluated, self.conditions[id(spec)] = evaluate_layer(
            spec, _values(spec), self.value_of, source
        )
        return evaluated


@dataclass(frozen=True)
class _Placed:
    """An expanded layer item and, inside a repeat, which pass it belongs to."""

    spec: LayerSpec
    repeat: str | None = None
    uses: tuple[BlockSpec, ...] = ()  # the named blocks it stands in, outermost first


@dataclass(frozen=True)
class _Open:
    """The start of a block (or of one path of a branch; ``shown`` when the path is a block
    of its own in the table)."""

    kind: str  # res, concat, block, path
    label: str
    span: Span
    repeat: str | None = None
    uses: tuple[BlockSpec, ...] = ()
    shown: bool = True


@dataclass(frozen=True)
class _Close:
    """The end of the block opened by the matching :class:`_Open`."""

    kind: str
    span: Span
    repeat: str | None = None
    uses: tuple[BlockSpec, ...] = ()
    path_spans: tuple[Span, ...] = ()  # of a branch, to point at the path that disagrees
    shown: bool = True


@dataclass(frozen=True)
class _Take:
    """The start of a ``split`` block's path: the row that takes its part of the channels."""

    index: int
    chunks: int
    span: Span  # the block, whose keyword an error points at
    repeat: str | None = None
    uses: tuple[BlockSpec, ...] = ()


_Event = _Placed | _Open | _Close | _Take


def _path_label(kind: str, index: int) -> str:
    return MERGES[kind].path_label(index)


def _expand(
    items: tuple[Item, ...],
    source: str,
    out: list[_Event],
    note: str | None,
    uses: tuple[BlockSpec, ...] = (),
    counter: list[int] | None = None,
) -> None:
    """Flatten the items into layers in execution order, with the start and end of every
    block between them (repeats expanded; ``counter`` counts the rows: layers and merges)."""
    counter = counter if counter is not None else [0]

    def count_row(span: Span) -> None:
        """Count one more row (a layer, or a merge, so that a repeated branch is refused
        before its copies are made)."""
        counter[0] += 1
        if counter[0] > MAX_LAYERS:
            raise SpecSyntaxError(
                f"the spec expands to more than {MAX_LAYERS:,} layers", source, span
            )

    for item in items:
        if isinstance(item, LayerSpec):
            out.append(_Placed(item, note, uses))
            count_row(item.span)
            continue
        if isinstance(item, BranchSpec):
            if item.kind == "split" and len(item.paths) < 2:
                raise SpecSyntaxError(
                    "split gives each path an equal part of the channels and needs two or "
                    "more paths, separated by ';' as in split( identity ; conv1x1x8 )",
                    source,
                    item.keyword_span,
                    prefix="split block",
                )
            out.append(_Open(item.kind, item.kind, item.span, note, uses))
            shown = len(item.paths) > 1
            for index, path in enumerate(item.paths):
                label = _path_label(item.kind, index)
                out.append(_Open("path", label, item.path_spans[index], note, uses, shown))
                if item.kind == "split":
                    out.append(_Take(index, len(item.paths), item.keyword_span, note, uses))
                    count_row(item.span)
                _expand(path, source, out, note, uses, counter)
                out.append(_Close("path", item.path_spans[index], note, uses, shown=shown))
            out.append(_Close(item.kind, item.span, note, uses, item.path_spans))
            count_row(item.span)  # the merge row
            continue
        if isinstance(item, BlockSpec):
            out.append(_Open("block", item.label, item.span, note, uses))
            _expand(item.body, source, out, note, (*uses, item), counter)
            out.append(_Close("block", item.span, note, uses))
            continue
        first: list[_Event] = []
        before = counter[0]
        _expand(item.body, source, first, f"pass 1 of {item.count}", uses, counter)
        layers = counter[0] - before
        if before + layers * item.count > MAX_LAYERS:
            # With layers before it, say the total too: "100,000 layers" alone reads as
            # within the limit of 100,000.
            total = (
                f" ({before + layers * item.count:,} with the layers before it)" if before else ""
            )
            raise SpecSyntaxError(
                f"this repeat expands to {layers * item.count:,} layers{total}; "
                f"the limit is {MAX_LAYERS:,}",
                source,
                item.span,
            )
        counter[0] = before + layers * item.count
        out.extend(first)
        for index in range(2, item.count + 1):
            again = f"pass {index} of {item.count}"
            out.extend(
                replace(p, repeat=again if p.repeat == first[0].repeat else p.repeat) for p in first
            )


def _values(spec: LayerSpec) -> Iterator[tuple[Value, bool]]:
    """Every value of a layer item, and whether 0 is meaningful there (padding)."""
    cls = REGISTRY.get(spec.keyword)
    for value in spec.params:
        yield value, cls is not None and cls.params_zero_ok
    for opt in spec.options:
        key = OPTION_ALIASES.get(opt.key, opt.key)
        option = cls.options.get(key) if cls is not None else None
        for value in opt.values:
            yield value, option is not None and option.zero_ok


def _scan_symbols(parsed: ParsedSpec, specs: list[LayerSpec]) -> tuple[list[str], set[str]]:
    """Every symbol name in first-seen order, and those used only where 0 is meaningful
    (padding), which get nonnegative symbols instead of positive ones."""
    names: dict[str, None] = {}
    zero_ok: set[str] = set()
    other: set[str] = set()
    for value in parsed.input.dims:
        if value.name:
            names.setdefault(value.name)
            other.add(value.name)
    for spec in specs:
        for value, zero in _values(spec):
            for name in value.symbols:
                names.setdefault(name)
                (zero_ok if zero else other).add(name)
    return list(names), zero_ok - other


def _input_shape(parsed: ParsedSpec, symbols: _Symbols) -> Shape:
    dims: list[Dim] = []
    for value in parsed.input.dims:
        if value.is_symbol:
            dims.append(symbols.resolve(value))
            continue
        if not isinstance(value.number, int) or value.number < 1:
            raise SpecSyntaxError(
                f"input sizes must be positive whole numbers, got {value.text!r}",
                parsed.source,
                value.span,
            )
        dims.append(value.number)
    if len(dims) > 4:
        raise SpecSyntaxError(
            f"input {parsed.input.text!r} has {len(dims)} dims; at most 4 (D x H x W x C)",
            parsed.source,
            parsed.input.span,
        )
    return Shape(tuple(dims))


def _build(spec: LayerSpec, source: str, symbols: _Symbols) -> Layer:
    cls = REGISTRY.get(spec.keyword)
    if cls is None:
        word_span = (
            spec.keyword_span.cover(spec.params[-1].span) if spec.params else spec.keyword_span
        )
        word = source[word_span.start : word_span.end]
        first = source[spec.options[0].span.start : spec.options[0].span.end] if spec.options else None
        from .hints import lowercase_hint, option_first_hint  # only an error needs them

        close = suggest_keyword(spec.keyword)
        hint = (
            lowercase_hint(word)
            or option_first_hint(spec.keyword, word, first)
            or (f" — did you mean {close!r}?" if close else " — run 'shapecalc layers' for the list")
        )
        raise UnknownLayerError(f"unknown layer {word!r}{hint}", source, word_span)
    spec = symbols.evaluate(spec, source)
    return cls.from_spec(SpecReader(spec, source, cls, symbols.resolve))


def _error_span(spec: LayerSpec, err: LayerError) -> Span:
    """Point at the option the error is about when there is one, else at the whole item."""
    if err.option is not None:
        for opt in spec.options:
            if OPTION_ALIASES.get(opt.key, opt.key) == err.option:
                return opt.span
    return spec.span


def _check_substitutions(names: list[str], subs: dict[str, int], pad_only: set[str]) -> None:
    for name, value in subs.items():
        if name not in names:
            raise SubstitutionError.unknown_symbol(name, names)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SubstitutionError.bad_value(
                name, f"{name}={value!r}", "values must be whole numbers"
            )
        if value < 0 or (value == 0 and name not in pad_only):
            need = "not be negative" if name in pad_only else "be positive"
            raise SubstitutionError.bad_value(
                name,
                f"{name}={value}",
                f"{name} must {need}"
                + ("" if name in pad_only else " (only a symbol used just for padding may be 0)"),
            )
        if value > MAX_VALUE:
            raise SubstitutionError.bad_value(name, name, "the value is larger than 10**18")


def _uses_note(source: str, uses: tuple[BlockSpec, ...]) -> str:
    """``in basic(64, 2) used at line 9, column 1``, innermost use first."""
    return uses_note(source, ((use.label, use.span) for use in uses))


def _layer_label(index: int, where: _Placed, source: str = "") -> str:
    text = where.spec.text if len(where.spec.text) <= 32 else where.spec.text.split()[0]
    notes = [where.repeat] if where.repeat else []
    if where.uses:
        notes.append(_uses_note(source, where.uses))
    extra = f" ({'; '.join(notes)})" if notes else ""
    return f"layer {index} {text!r}{extra}"


def _shape_error(index: int, where: _Placed, source: str, err: LayerError) -> ShapeError:
    """A layer's error with the layer named and the caret under it (or its option)."""
    return ShapeError(
        err.message,
        source,
        _error_span(where.spec, err),
        prefix=_layer_label(index, where, source),
    )


def _check_results(
    values: tuple[Dim, ...], source: str, span: Span, label: Callable[[], str]
) -> None:
    """Refuse results too large to be a network (and to print exactly): a concrete size or
    count past MAX_RESULT, a formula past MAX_FORMULA terms. ``label`` makes the prefix."""
    for value in values:
        if isinstance(value, int):
            if value > MAX_RESULT:
                raise ShapeError(
                    "a size or parameter count exceeds 10**100", source, span, prefix=label()
                )
        elif tree_size(value) > MAX_FORMULA:
            raise FormulaTooLargeError(
                f"the formula grows past {MAX_FORMULA:,} terms", source, span, prefix=label()
            )


def _check_conditions(
    conditions: tuple[Constraint, ...], source: str, span: Span, label: Callable[[], str]
) -> None:
    """Refuse a validity condition past MAX_CONDITION terms (see :func:`tree_size`).

    The condition stops being readable, and every later step with it (deciding it, and
    which conditions imply others) slows with its size, as with a symbolic stride and kernel
    in every layer. Many small conditions are fine: they are not pruned past a count.
    """
    if any(c.expr is not None and tree_size(c.expr) > MAX_CONDITION for c in conditions):
        raise FormulaTooLargeError(
            f"a validity condition grows past {MAX_CONDITION:,} terms",
            source,
            span,
            prefix=label(),
        )


@dataclass
class _OpenBlock:
    """A block shown in the table while its rows are walked; :meth:`done` freezes it."""

    index: int
    kind: str
    label: str
    span: Span
    depth: int
    parent: int | None
    input_shape: Shape
    first: int
    last: int = 0  # set when the block closes, with its output
    output_shape: Shape | None = None

    def done(self, rows: list[Row]) -> Block:
        """The finished block, with the parameter totals of its rows."""
        assert self.output_shape is not None, "every opened block is closed"
        inside = rows[self.first - 1 : self.last]
        return Block(
            self.index,
            self.kind,
            self.label,
            self.span,
            self.depth,
            self.parent,
            self.first,
            self.last,
            self.input_shape,
            self.output_shape,
            sum((r.trainable for r in inside), start=0),
            sum((r.non_trainable for r in inside), start=0),
        )


@dataclass
class _Frame:
    """A block or path being walked: what enters it and, for a branch, its paths' outputs."""

    input: Shape
    source: int  # the row whose output enters it
    block: _OpenBlock | None  # None for a path that is not a block of its own in the table
    outputs: list[Shape] = field(default_factory=list)  # a branch's: each path's output
    sources: list[int] = field(default_factory=list)  # a branch's: each path's last row


def _merge(frame: _Frame, close: _Close, source: str) -> tuple[Merge, tuple[Constraint, ...]]:
    """The merge of a branch's path outputs and its conditions, or a :class:`BranchError` at
    the path that disagrees."""
    checks = Checks()
    try:
        merge = MERGES[close.kind].merge(frame.outputs, frame.input, checks)
    except MergeError as err:
        note = _uses_note(source, close.uses)
        prefix = f"{close.kind} block" + (f" ({note})" if note else "")
        if err.path < len(close.path_spans):
            span = close.path_spans[err.path]
        else:  # the block's input, through the identity shortcut: point at the keyword
            span = Span(close.span.start, close.span.start + len(close.kind))
        raise BranchError(err.message, source, span, prefix=prefix) from None
    return merge, tuple(merge_constraints(checks.constraints))


class _Walk:
    """One pass over the expanded spec, event by event: the rows made so far, the blocks
    open around the next row, its input shape and the row that input comes from."""

    def __init__(self, source: str, shape: Shape, symbols: _Symbols) -> None:
        self.source = source
        self.symbols = symbols
        self.input_shape = shape
        self.shape = shape  # what the next row takes in
        self.current = 0  # the row whose output that is (0: the network's input)
        self.rows: list[Row] = []
        self.blocks: list[_OpenBlock] = []  # in pre-order
        self.stack: list[_Frame] = []
        self.built: dict[int, Layer] = {}  # a repeated item is built once

    def step(self, event: _Event) -> None:
        """Take one event of :func:`_expand` into the rows and blocks."""
        if isinstance(event, _Open):
            self.open(event)
        elif isinstance(event, _Close):
            self.close(event)
        elif isinstance(event, _Take):
            self.take(event)
        else:
            self.place(event)

    def enclosing(self) -> tuple[int, int | None]:
        """Depth and innermost shown block of what comes next."""
        shown = [f.block.index for f in self.stack if f.block is not None]
        return len(shown), (shown[-1] if shown else None)

    def open(self, event: _Open) -> None:
        """Start a block, or one path of a branch (which starts from the branch's input)."""
        depth, parent = self.enclosing()
        if event.kind == "path":
            self.shape, self.current = self.stack[-1].input, self.stack[-1].source
        block = None
        if event.shown:
            block = _OpenBlock(
                len(self.blocks) + 1,
                event.kind,
                event.label,
                event.span,
                depth,
                parent,
                self.shape,
                first=len(self.rows) + 1,
            )
            self.blocks.append(block)
        self.stack.append(_Frame(self.shape, self.current, block))

    def close(self, event: _Close) -> None:
        """End a block: a path hands its output to its branch, a branch adds its merge row."""
        frame = self.stack.pop()
        if event.kind == "path":
            self.stack[-1].outputs.append(self.shape)
            self.stack[-1].sources.append(self.current)
        elif event.kind in MERGES:
            self.merge(frame, event)
        if frame.block is not None:
            frame.block.last = len(self.rows)
            frame.block.output_shape = self.shape

    def merge(self, frame: _Frame, event: _Close) -> None:
        """The merge row at the end of a branch."""
        merge, conditions = _merge(frame, event, self.source)

        def label() -> str:
            return f"{event.kind} block"

        _check_results(merge.output.dims, self.source, event.span, label)
        _check_conditions(conditions, self.source, event.span, label)
        depth, _ = self.enclosing()
        depth += 1 if frame.block is not None else 0
        index = len(self.rows) + 1  # within MAX_LAYERS: _expand counted this merge
        # The identity shortcut adds the block's input.
        identity = (frame.source,) if len(merge.inputs) > len(frame.sources) else ()
        self.rows.append(
            Row(
                index,
                merge.keyword,
                event.span,
                merge,
                merge.inputs[0],
                merge.output,
                0,
                0,
                conditions,
                depth=depth,
                block=frame.block.index if frame.block is not None else None,
                sources=(*frame.sources, *identity),
            )
        )
        self.shape, self.current = merge.output, index

    def take(self, event: _Take) -> None:
        """The first row of a ``split`` block's path: its part of the block's channels."""
        checks = Checks()
        try:
            Chunk.divides(event.chunks, self.shape, checks)
        except MergeError as err:
            note = _uses_note(self.source, event.uses)
            prefix = "split block" + (f" ({note})" if note else "")
            raise BranchError(err.message, self.source, event.span, prefix=prefix) from None
        layer = Chunk(event.index, event.chunks)
        out = layer.output_shape(self.shape, checks)
        depth, parent = self.enclosing()
        index = len(self.rows) + 1
        self.rows.append(
            Row(
                index,
                layer.to_spec(),
                event.span,
                layer,
                self.shape,
                out,
                0,
                0,
                tuple(merge_constraints(checks.constraints)),
                depth=depth,
                block=parent,
                sources=(self.current,),
            )
        )
        self.shape, self.current = out, index

    def place(self, where: _Placed) -> None:
        """The row of one layer."""
        index = len(self.rows) + 1
        layer = self.layer(index, where)
        checks = Checks()
        # The conditions under which the item's expressions are sizes ({f-4}: f >= 5).
        checks.constraints.extend(self.symbols.conditions.get(id(where.spec), ()))
        try:
            out = layer.output_shape(self.shape, checks)
            trainable = layer.param_count(self.shape)
            non_trainable = layer.non_trainable_count(self.shape)
        except LayerError as err:
            raise _shape_error(index, where, self.source, err) from None

        def label() -> str:
            return _layer_label(index, where, self.source)

        values = (*out.dims, trainable, non_trainable)
        _check_results(values, self.source, where.spec.span, label)
        conditions = tuple(merge_constraints(checks.constraints))
        _check_conditions(conditions, self.source, where.spec.span, label)
        depth, parent = self.enclosing()
        self.rows.append(
            Row(
                index,
                where.spec.text,
                where.spec.span,
                layer,
                self.shape,
                out,
                trainable,
                non_trainable,
                conditions,
                depth=depth,
                block=parent,
                sources=(self.current,),
            )
        )
        self.shape, self.current = out, index

    def layer(self, index: int, where: _Placed) -> Layer:
        """The layer of an item, built the first time a repeat places it."""
        spec = where.spec
        layer = self.built.get(id(spec))
        if layer is None:
            try:
                layer = self.built[id(spec)] = _build(spec, self.source, self.symbols)
            except SpecError as err:
                if not where.uses or err.prefix is not None:
                    raise
                label = _layer_label(index, where, self.source)
                raise type(err)(err.message, err.source, err.span, prefix=label) from None
        return layer

    def analysis(self, names: list[str], subs: dict[str, int]) -> Analysis:
        """The result, once every event is taken: totals, conditions, frozen blocks."""
        rows = self.rows
        totals = Totals(
            sum((r.trainable for r in rows), start=0),
            sum((r.non_trainable for r in rows), start=0),
        )
        constraints = merge_constraints([c for r in rows for c in r.constraints])
        return Analysis(
            self.source,
            self.input_shape,
            tuple(rows),
            totals,
            tuple(constraints),
            tuple(n for n in names if n not in subs),
            subs,
            blocks=tuple(block.done(rows) for block in self.blocks),
        )


def analyze_parsed(parsed: ParsedSpec, subs: dict[str, int] | None = None) -> Analysis:
    """Analyse an already parsed spec, substituting ``subs`` for symbols."""
    subs = dict(subs or {})
    events: list[_Event] = []
    _expand(parsed.items, parsed.source, events, None)
    specs = [e.spec for e in events if isinstance(e, _Placed)]
    names, pad_only = _scan_symbols(parsed, specs)
    _check_substitutions(names, subs, pad_only)
    symbols = _Symbols(pad_only, subs)
    walk = _Walk(parsed.source, _input_shape(parsed, symbols), symbols)
    for event in events:
        walk.step(event)
    return walk.analysis(names, subs)


def _with_channel_order(err: ShapeError, parsed: ParsedSpec) -> ShapeError:
    """``err``, adding how the input was read when it looks channels-first (``1x28x28``), the
    likely cause of a layer that does not fit it."""
    dims = tuple(v.number for v in parsed.input.dims)
    if type(err) is not ShapeError or not all(isinstance(d, int) for d in dims):
        return err
    reading = Shape(tuple(d for d in dims if d is not None)).channels_first_reading()
    if reading is None:
        return err
    return ShapeError(f"{err.message}; {reading}", err.source, err.span, err.prefix)


def _parsed(source: str) -> ParsedSpec:
    """The parse tree of ``source``; on a syntax error, :func:`shapecalc.hints.parse_spec`'s
    error, which proposes the spec text where the mistake is a known habit. The hints are
    imported only then: a spec that parses never needs them (start-up, issue 13)."""
    try:
        return parse(source)
    except SpecSyntaxError:
        from .hints import parse_spec

        return parse_spec(source)  # parses again and raises the error with its hint


def analyze(spec: str, **subs: int) -> Analysis:
    """Analyse a spec: every layer's output shape and parameter count.

    Args:
        spec: the architecture, e.g. ``"28x28x1 | conv3x3x16 same | maxpool2"``.
        **subs: integer values for symbols, e.g. ``n=28``; the result then also carries each
            layer's symbolic ``formula``.

    Raises:
        ShapecalcError: a subclass naming what is wrong and, for spec errors, where.
    """
    parsed = _parsed(spec)
    try:
        analysis = analyze_parsed(parsed, subs)
    except ShapeError as err:
        raise _with_channel_order(err, parsed) from None
    if not subs:
        return analysis
    try:
        symbolic = analyze_parsed(parsed)
    except ShapecalcError:
        # The values make the spec valid but the formulas alone are refused (too large):
        # the numbers still stand, without formulas beside them.
        return analysis
    rows = tuple(
        replace(row, formula=sym_row.output_shape)
        for row, sym_row in zip(analysis.rows, symbolic.rows)
    )
    return replace(analysis, rows=rows, input_formula=symbolic.input_shape)


def check(
    spec: str, *, device: str = "cpu", batch: int = 1, framework: str = "torch", **subs: int
) -> CheckResult:
    """Analyse a spec and cross-check it against a PyTorch (or Keras) forward pass.

    Args:
        spec: the architecture.
        device: ``cpu``, ``cuda`` or ``meta`` (no memory allocated; shapes and counts only;
            torch only).
        batch: the batch size of the random input.
        framework: ``torch`` or ``keras`` (Keras 3 on the torch backend).
        **subs: values for symbols; symbols left without one are checked at sample points.

    Returns:
        A :class:`shapecalc.torchcheck.CheckResult`.

    Raises:
        ShapecalcError: a bad spec, or :class:`TorchError` (no torch, device unavailable).
    """
    return analyze(spec, **subs).check(device=device, batch=batch, framework=framework)


__all__ = ["Analysis", "Block", "Row", "Totals", "analyze", "analyze_parsed", "check"]
