"""From spec text to an :class:`Analysis`: layers built from the registry, shapes inferred.

This is the one loop that knows where each layer stands in the spec, so it turns the
position-less :class:`LayerError` of layer code into a :class:`ShapeError` with a caret.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import (
    BranchError,
    LayerError,
    ShapecalcError,
    ShapeError,
    Span,
    SpecError,
    SpecSyntaxError,
    SubstitutionError,
    TorchError,
    UnknownLayerError,
)
from .expression import evaluate
from .layers import REGISTRY, Checks, Layer, SpecReader
from .layers.base import OPTION_ALIASES, suggest_keyword
from .layers.merge import Add, Concat, Merge
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
    expand,
    fmt,
    make_symbol,
    merge_constraints,
    sp,
    symbols_of,
    tree_size,
)

#: Most layers a spec may expand to (repeats included), so a typo cannot exhaust memory.
MAX_LAYERS = 100_000
#: Largest value given with --at (as for numbers in a spec).
MAX_VALUE = 10**18
#: Largest concrete size or count a layer may produce; beyond it, exact printing gets slow.
MAX_RESULT = 10**100
#: Largest symbolic result, in expression nodes, so that formulas stay printable.
MAX_FORMULA = 2_000
#: Largest validity condition, in expression nodes.
MAX_CONDITION = 200


@dataclass(frozen=True)
class Row:
    """One expanded layer of an analysis.

    Attributes:
        index: 1-based position among the expanded layers.
        spec: the item as written in the spec.
        span: where the item stands in the spec text.
        layer: the layer object.
        input_shape, output_shape: shapes, channels last.
        trainable, non_trainable: parameter counts; ``params`` is their sum.
        constraints: validity conditions this layer adds for symbolic specs.
        formula: the symbolic output shape when the analysis substituted ``--at`` values.
        depth: how many blocks (``res``, ``concat``, named blocks, paths) enclose the row;
            0 for every row of a sequential spec.
        block: the index of the innermost enclosing :class:`Block`, or None.
        sources: the rows whose outputs the row takes in (0 is the network's input): the
            row before it, the input of a branch for the first row of a path, every path's
            last row for a merge. Empty means the row before (as built by hand).
    """

    index: int
    spec: str
    span: Span
    layer: Layer
    input_shape: Shape
    output_shape: Shape
    trainable: Dim
    non_trainable: Dim
    constraints: tuple[Constraint, ...] = ()
    formula: Shape | None = None
    depth: int = 0
    block: int | None = None
    sources: tuple[int, ...] = ()

    @property
    def inputs(self) -> tuple[int, ...]:
        """The rows whose outputs this row takes in (0 is the network's input)."""
        return self.sources or (self.index - 1,)

    @property
    def kind(self) -> str:
        """The layer family (``conv``, ``pool``, ``dense``, ...)."""
        return self.layer.kind

    @property
    def keyword(self) -> str:
        """The layer's canonical keyword (``conv``, ``maxpool``, ``relu``, ...)."""
        return self.layer.keyword

    @property
    def params(self) -> Dim:
        """Trainable plus non-trainable parameters."""
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Block:
    """A block of rows: a ``res`` or ``concat`` block, one of its paths, or a named block's use.

    Blocks nest; ``Analysis.blocks`` lists them in pre-order (a block before the blocks and
    rows inside it), and each row names its innermost block, so the flat rows and this tree
    describe the same network.

    Attributes:
        index: 1-based position among the blocks, in pre-order.
        kind: ``res``, ``concat``, ``block`` (a named block's use) or ``path`` (one path of a
            ``res`` with a shortcut, or of a ``concat``).
        label: the text shown: ``res``, ``concat``, ``basic(64, 2)``, ``main``,
            ``shortcut``, ``branch 2``.
        span: where the block stands in the spec text.
        depth: how many blocks enclose this one.
        parent: the index of the enclosing block, or None.
        first, last: the indices of its first and last rows (the merge row ends a ``res``
            or ``concat``).
        input_shape, output_shape: what enters and what leaves the block.
        trainable, non_trainable: the parameters of its rows.
    """

    index: int
    kind: str
    label: str
    span: Span
    depth: int
    parent: int | None
    first: int
    last: int
    input_shape: Shape
    output_shape: Shape
    trainable: Dim
    non_trainable: Dim

    @property
    def params(self) -> Dim:
        """Trainable plus non-trainable parameters."""
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Totals:
    """Parameter totals of a network."""

    trainable: Dim
    non_trainable: Dim

    @property
    def params(self) -> Dim:
        """All parameters, trainable and not (Keras' "Total params")."""
        return self.trainable + self.non_trainable

    @property
    def param_bytes(self) -> Dim:
        """Memory of all parameters at float32."""
        return expand(4 * self.params)


@dataclass(frozen=True)
class Analysis:
    """Every layer's shape and parameter count for a spec.

    Render it with rich (``rich.print(analysis)``), or as ``to_json()`` / ``to_markdown()``.
    """

    source: str
    input_shape: Shape
    rows: tuple[Row, ...]
    totals: Totals
    constraints: tuple[Constraint, ...] = ()
    symbols: tuple[str, ...] = ()
    substitutions: dict[str, int] = field(default_factory=dict)
    input_formula: Shape | None = None  # the symbolic input when --at values were given
    blocks: tuple[Block, ...] = ()  # res/concat/named blocks and paths, in pre-order

    @property
    def layers(self) -> tuple[Row, ...]:
        """The expanded layers (alias of ``rows``)."""
        return self.rows

    @property
    def output_shape(self) -> Shape:
        """The network's output shape."""
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def is_symbolic(self) -> bool:
        """True when some result still depends on symbols."""
        return any(symbols_of(d) for row in self.rows for d in row.output_shape.dims) or any(
            symbols_of(d) for d in (*self.input_shape.dims, self.totals.params)
        )

    def to_json(self, explain: bool = False, costs: Any = None) -> dict[str, Any]:
        """The ``--json`` document (see README for the schema); ``explain`` adds each layer's
        worked arithmetic, ``costs`` (from :meth:`costs`) each layer's cost fields."""
        from .render.json import analysis_to_json

        return analysis_to_json(self, explain=explain, costs=costs)

    def explain(self) -> Any:
        """The worked arithmetic of every layer (an :class:`~shapecalc.explain.Explanation`)."""
        from .explain import explain

        return explain(self)

    def costs(self, batch: int = 1, dtype: str = "float32", convention: str = "torch") -> Any:
        """MACs, FLOPs, memory and receptive field of every row, and totals (a
        :class:`shapecalc.costs.Costs`; ``convention`` is ``torch`` or ``torchinfo``)."""
        from .costs import costs

        return costs(self, batch=batch, dtype=dtype, convention=convention)

    def to_markdown(self, depth: int | None = None) -> str:
        """The table as GitHub Markdown; ``depth`` folds rows nested deeper (see ``table``)."""
        from .render.markdown import analysis_to_markdown

        return analysis_to_markdown(self, depth=depth)

    def table(self, depth: int | None = None) -> Any:
        """The table as a rich renderable. Rows inside blocks (``res``, ``concat``, named
        blocks) are indented under a row per block; ``depth`` leaves out rows nested deeper
        than that, as torchinfo's ``depth`` does (0 shows only the outermost rows)."""
        from .render.table import analysis_table

        return analysis_table(self, depth=depth)

    def __rich__(self) -> Any:
        from .render.table import analysis_table

        return analysis_table(self)

    def check(self, *, device: str = "cpu", batch: int = 1, seed: int = 0) -> Any:
        """Cross-check every row against a PyTorch forward pass (needs torch).

        A symbolic analysis is checked at a few points where it is valid. Returns a
        :class:`shapecalc.torchcheck.CheckResult` (``.ok``, ``to_json()``, renders with rich).

        Raises:
            TorchError: torch is not installed, the device is unavailable, or no valid point
                was found for the symbols.
        """
        try:
            from . import torchcheck
        except ModuleNotFoundError as err:
            if err.name is None or err.name.split(".")[0] != "torch":
                raise
            raise TorchError(
                'the check needs PyTorch: pip install "shapecalc[torch]" '
                "(or pip install torch==2.13.0)"
            ) from None
        return torchcheck.check(self, device=device, batch=batch, seed=seed)

    def to_torch_code(self, class_name: str = "Net") -> str:
        """A runnable Python module defining the network as an ``nn.Sequential`` (no torch
        needed to write it).

        Raises:
            TorchError: the analysis still has symbols.
        """
        from .torchcode import torch_code

        return torch_code(self, class_name=class_name)

    def to_svg(self, style: str | None = None, **options: Any) -> str:
        """An NN-SVG-style drawing: ``style`` is lenet, alexnet or fcnn (None picks one).

        Other keywords are :class:`shapecalc.render.svg.DrawOptions` fields
        (``max_channels``, ``scale``, ``direction``, ``title``, ...).
        """
        from .render.svg import analysis_to_svg

        return analysis_to_svg(self, style=style, **options)

    def _repr_svg_(self) -> str | None:
        """Jupyter shows the drawing; None (the table instead) when it cannot be drawn."""
        try:
            return self.to_svg()
        except ShapecalcError:
            return None


class _Symbols:
    """Resolves symbol values: integers from ``--at``, else sympy symbols.

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


_Event = _Placed | _Open | _Close


def _path_label(kind: str, index: int) -> str:
    if kind == "res":
        return "main" if index == 0 else "shortcut"
    return f"branch {index + 1}"


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
            out.append(_Open(item.kind, item.kind, item.span, note, uses))
            shown = len(item.paths) > 1
            for index, path in enumerate(item.paths):
                label = _path_label(item.kind, index)
                out.append(_Open("path", label, item.path_spans[index], note, uses, shown))
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
        close = suggest_keyword(spec.keyword)
        hint = f" — did you mean {close!r}?" if close else " — run 'shapecalc layers' for the list"
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
            known = ", ".join(names) if names else "none"
            raise SubstitutionError(f"unknown symbol {name!r} in --at; the spec's symbols: {known}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise SubstitutionError(f"--at {name}={value!r}: values must be whole numbers")
        if value < 0 or (value == 0 and name not in pad_only):
            need = "not be negative" if name in pad_only else "be positive"
            raise SubstitutionError(
                f"--at {name}={value}: {name} must {need}"
                + ("" if name in pad_only else " (only a symbol used just for padding may be 0)")
            )
        if value > MAX_VALUE:
            raise SubstitutionError(f"--at {name}: the value is larger than 10**18")


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


def _size_problem(values: tuple[Dim, ...]) -> str:
    """What makes results too large to be a network (and to print exactly), or ""."""
    for value in values:
        if isinstance(value, int):
            if value > MAX_RESULT:
                return "a size or parameter count exceeds 10**100"
        elif tree_size(value) > MAX_FORMULA:
            return (
                f"the formula grows past {MAX_FORMULA:,} terms; give some symbols values with --at"
            )
    return ""


#: Why a layer whose validity condition passes MAX_CONDITION terms is refused: the
#: condition stops being readable, and every later step with it (deciding it, and which
#: conditions imply others) slows with its size, as with a symbolic stride and kernel in
#: every layer. Many small conditions are fine: they are not pruned past a count.
_CONDITION_TOO_LARGE = (
    f"a validity condition grows past {MAX_CONDITION:,} terms; give some symbols values with --at"
)


def _condition_too_large(conditions: tuple[Constraint, ...]) -> bool:
    """Whether one of these conditions passes MAX_CONDITION terms (see :func:`tree_size`)."""
    return any(c.expr is not None and tree_size(c.expr) > MAX_CONDITION for c in conditions)


def _check_size(index: int, where: _Placed, source: str, values: tuple[Dim, ...]) -> None:
    """Refuse concrete results too large to be a network (and to print exactly)."""
    message = _size_problem(values)
    if message:
        raise ShapeError(
            message, source, where.spec.span, prefix=_layer_label(index, where, source)
        )


def _agree(a: Dim, b: Dim) -> bool | Constraint:
    """Whether two dims are equal: decided, or a condition on the symbols."""
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    s = sp()
    # expand, not simplify: simplify is slow on nested floors, and an undecided case is
    # only recorded as a condition.
    diff = s.expand(s.sympify(a) - s.sympify(b))
    if diff == 0:
        return True
    if not diff.free_symbols:
        return False
    if not _ever_equal(diff):
        return False
    text = f"{fmt(a)} = {fmt(b)}"
    # -(a - b)**2 >= 0 exactly when a = b: the form every condition's ``expr`` takes.
    return Constraint(text, text, 0, -(diff**2))


#: How far each symbol is searched for a value at which two paths agree.
AGREEMENT_SEARCH = 4096
#: Most points tried when several symbols are involved.
AGREEMENT_POINTS = 200_000


def _ever_equal(diff: Any) -> bool:
    """Whether ``diff`` is 0 for some values of its symbols: every value up to
    :data:`AGREEMENT_SEARCH` for one symbol, a grid of small values for several. Paths that
    agree nowhere there (``n`` against ``floor(n/2)``) are a shape error, not a condition that
    no input could meet."""
    import numpy as np

    from .evaluate import compile_formula, holds, overflow_safe

    symbols = sorted(diff.free_symbols, key=lambda sym: sym.name)
    per_symbol = max(2, min(AGREEMENT_SEARCH, int(AGREEMENT_POINTS ** (1 / len(symbols)))))
    axes = [np.arange(0 if not sym.is_positive else 1, per_symbol + 1) for sym in symbols]
    grids = np.meshgrid(*axes, indexing="ij")
    env = {sym.name: grid.ravel().astype(np.int64) for sym, grid in zip(symbols, grids)}
    formula = compile_formula(diff)
    return bool(np.any(holds(formula, 0, overflow_safe(formula, env))))


class _Frame:
    """A block being walked: where it started and, for a branch, its paths' outputs."""

    def __init__(self, shape: Shape, block: int | None, first: int, source: int) -> None:
        self.input = shape
        self.block = block
        self.first = first
        self.source = source  # the row whose output enters the block
        self.outputs: list[Shape] = []
        self.sources: list[int] = []  # the last row of each path


def _merge(frame: _Frame, close: _Close, source: str) -> tuple[Merge, list[Constraint]]:
    """The merge of a branch's path outputs, or a :class:`BranchError` at the path that
    disagrees."""
    kind = close.kind
    outputs = list(frame.outputs)
    spans = list(close.path_spans)
    note = _uses_note(source, close.uses)
    prefix = f"{kind} block" + (f" ({note})" if note else "")
    if kind == "res" and len(outputs) == 1:  # the identity shortcut
        outputs.append(frame.input)
    names = [_path_label(kind, i) for i in range(len(outputs))]
    # "the main path", "the shortcut"; "branch 2" of a concat.
    names = [{"main": "the main path", "shortcut": "the shortcut"}.get(n, n) for n in names]
    constraints: list[Constraint] = []
    first = outputs[0]
    for index in range(1, len(outputs)):
        other = outputs[index]
        if index < len(spans):
            span = spans[index]
            said = f"{names[index]} gives {other} but {names[0]} gives {first}"
            fix = ""
        else:  # the identity shortcut of a res block: point at the keyword
            span = Span(close.span.start, close.span.start + len(kind))
            said = f"the main path gives {first} but the identity shortcut passes {other}"
            fix = f"; add a projection shortcut after ';', such as conv1x1x{fmt(first.channels)}"
        if len(other.dims) != len(first.dims):
            raise BranchError(f"{said}; their ranks differ{fix}", source, span, prefix=prefix)
        dims = first.dims if kind == "res" else first.spatial
        others = other.dims if kind == "res" else other.spatial
        for mine, theirs in zip(dims, others):
            verdict = _agree(mine, theirs)
            if verdict is False:
                what = "shapes" if kind == "res" else "spatial sizes"
                raise BranchError(
                    f"{said}; the {what} must agree{fix}", source, span, prefix=prefix
                )
            if isinstance(verdict, Constraint):
                constraints.append(verdict)
    if kind == "res":
        return Add(tuple(outputs), first), constraints
    channels: Dim = sum((o.channels for o in outputs), start=0)
    if not isinstance(channels, int):
        channels = expand(channels)
    output = Shape((*first.spatial, channels))
    return Concat(tuple(outputs), output), constraints


def analyze_parsed(parsed: ParsedSpec, subs: dict[str, int] | None = None) -> Analysis:
    """Analyse an already parsed spec, substituting ``subs`` for symbols."""
    subs = dict(subs or {})
    source = parsed.source
    events: list[_Event] = []
    _expand(parsed.items, source, events, None)
    specs = [e.spec for e in events if isinstance(e, _Placed)]
    names, pad_only = _scan_symbols(parsed, specs)
    _check_substitutions(names, subs, pad_only)
    symbols = _Symbols(pad_only, subs)
    shape = _input_shape(parsed, symbols)
    input_shape = shape
    built: dict[int, Layer] = {}  # a repeated item is built once
    rows: list[Row] = []
    stack: list[_Frame] = []
    blocks: list[dict[str, Any]] = []  # filled in as blocks close
    current = 0  # the row whose output the next row takes in (0: the input)

    def enclosing() -> tuple[int, int | None]:
        """Depth and innermost shown block of what comes next."""
        shown = [f.block for f in stack if f.block is not None]
        return len(shown), (shown[-1] if shown else None)

    for event in events:
        if isinstance(event, _Open):
            depth, parent = enclosing()
            if event.kind == "path":
                shape, current = stack[-1].input, stack[-1].source
            block = None
            if event.shown:
                blocks.append(
                    {
                        "kind": event.kind,
                        "label": event.label,
                        "span": event.span,
                        "depth": depth,
                        "parent": parent,
                        "input_shape": shape,
                    }
                )
                block = len(blocks)
            stack.append(_Frame(shape, block, len(rows) + 1, current))
            continue
        if isinstance(event, _Close):
            frame = stack.pop()
            if event.kind == "path":
                stack[-1].outputs.append(shape)
                stack[-1].sources.append(current)
            elif event.kind in ("res", "concat"):
                merge, merge_constraints_ = _merge(frame, event, source)
                conditions = tuple(merge_constraints(merge_constraints_))
                too_large = _size_problem(merge.output.dims) or (
                    _CONDITION_TOO_LARGE if _condition_too_large(conditions) else ""
                )
                if too_large:
                    raise ShapeError(too_large, source, event.span, prefix=f"{event.kind} block")
                depth, parent = enclosing()
                depth += 1 if frame.block is not None else 0
                shape = merge.output
                index = len(rows) + 1  # within MAX_LAYERS: _expand counted this merge
                rows.append(
                    Row(
                        index,
                        merge.keyword,
                        event.span,
                        merge,
                        merge.inputs[0],
                        shape,
                        0,
                        0,
                        conditions,
                        depth=depth,
                        block=frame.block,
                        # The identity shortcut adds the block's input.
                        sources=tuple(frame.sources)
                        + ((frame.source,) if len(merge.inputs) > len(frame.sources) else ()),
                    )
                )
                current = index
            if frame.block is not None:
                blocks[frame.block - 1].update(
                    first=frame.first, last=len(rows), output_shape=shape
                )
            continue
        where = event
        index = len(rows) + 1
        spec = where.spec
        layer = built.get(id(spec))
        if layer is None:
            try:
                layer = built[id(spec)] = _build(spec, source, symbols)
            except SpecError as err:
                if not where.uses or err.prefix is not None:
                    raise
                label = _layer_label(index, where, source)
                raise type(err)(err.message, err.source, err.span, prefix=label) from None
        checks = Checks()
        checks.constraints.extend(symbols.conditions.get(id(spec), ()))
        try:
            out = layer.output_shape(shape, checks)
            trainable = layer.param_count(shape)
            non_trainable = layer.non_trainable_count(shape)
        except LayerError as err:
            raise _shape_error(index, where, source, err) from None
        _check_size(index, where, source, (*out.dims, trainable, non_trainable))
        conditions = tuple(merge_constraints(checks.constraints))
        if _condition_too_large(conditions):
            raise ShapeError(
                _CONDITION_TOO_LARGE,
                source,
                where.spec.span,
                prefix=_layer_label(index, where, source),
            )
        depth, parent = enclosing()
        rows.append(
            Row(
                index,
                spec.text,
                spec.span,
                layer,
                shape,
                out,
                trainable,
                non_trainable,
                conditions,
                depth=depth,
                block=parent,
                sources=(current,),
            )
        )
        shape, current = out, index
    totals = Totals(
        sum((r.trainable for r in rows), start=0), sum((r.non_trainable for r in rows), start=0)
    )
    constraints = merge_constraints([c for r in rows for c in r.constraints])
    remaining = tuple(n for n in names if n not in subs)
    return Analysis(
        source,
        input_shape,
        tuple(rows),
        totals,
        tuple(constraints),
        remaining,
        subs,
        blocks=_finish_blocks(blocks, rows),
    )


def _finish_blocks(blocks: list[dict[str, Any]], rows: list[Row]) -> tuple[Block, ...]:
    """Frozen blocks with the parameter totals of their rows."""
    done = []
    for index, b in enumerate(blocks, start=1):
        inside = rows[b["first"] - 1 : b["last"]]
        done.append(
            Block(
                index,
                b["kind"],
                b["label"],
                b["span"],
                b["depth"],
                b["parent"],
                b["first"],
                b["last"],
                b["input_shape"],
                b["output_shape"],
                sum((r.trainable for r in inside), start=0),
                sum((r.non_trainable for r in inside), start=0),
            )
        )
    return tuple(done)


def analyze(spec: str, **subs: int) -> Analysis:
    """Analyse a spec: every layer's output shape and parameter count.

    Args:
        spec: the architecture, e.g. ``"28x28x1 | conv3x3x16 same | maxpool2"``.
        **subs: integer values for symbols, e.g. ``n=28``; the result then also carries each
            layer's symbolic ``formula``.

    Raises:
        ShapecalcError: a subclass naming what is wrong and, for spec errors, where.
    """
    parsed = parse(spec)
    analysis = analyze_parsed(parsed, subs)
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


def check(spec: str, *, device: str = "cpu", batch: int = 1, **subs: int) -> Any:
    """Analyse a spec and cross-check it against a PyTorch forward pass.

    Args:
        spec: the architecture.
        device: ``cpu``, ``cuda`` or ``meta`` (no memory allocated; shapes and counts only).
        batch: the batch size of the random input.
        **subs: values for symbols; symbols left without one are checked at sample points.

    Returns:
        A :class:`shapecalc.torchcheck.CheckResult`.

    Raises:
        ShapecalcError: a bad spec, or :class:`TorchError` (no torch, device unavailable).
    """
    return analyze(spec, **subs).check(device=device, batch=batch)


__all__ = ["Analysis", "Block", "Row", "Totals", "analyze", "analyze_parsed", "check"]
