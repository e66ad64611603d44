"""The Layer base class, the registry of layer keywords, and helpers shared by layer kinds.

A layer kind is one class in one module of this package, decorated with :func:`register`.
Everything the program knows about the kind is on that class; every consumer (the
calculator, ``shapecalc layers`` and docs/spec.md, costs, receptive fields, the worked
arithmetic, the torch check and code, the drawings, the fuzzers) reads it from there.

Adding a layer kind (the contributor checklist; ``tests/test_layer_kinds.py`` fails, without
torch, when a registered kind misses one of these):

1. The class, in the module of its family, a frozen dataclass decorated with
   :func:`register`: ``keyword`` (and ``aliases``), ``kind``, ``options``, ``formula``, a
   docstring (the user help, stating the formula) and ``examples`` (each is checked).
2. ``from_spec`` (read the spec item) and ``to_spec`` (the canonical text; it parses back to
   an equal layer).
3. ``output_shape`` (raise :class:`LayerError` or record conditions in :class:`Checks`),
   ``param_count``/``non_trainable_count`` when it has parameters, and ``explain`` (one
   :class:`Step` per size or count it computes) when it changes the shape or has parameters.
4. ``ops`` (multiply-accumulates, bias additions, and what fvcore and thop count when they
   count it differently) and ``windows`` (a :class:`Window` per spatial dim, or a
   :class:`NoWindow` outcome: ``SEES_ALL`` or ``NOT_COMPUTABLE``).
5. ``torch_module`` (its ``torch.nn`` counterpart as a :class:`TorchModule`) and, for the
   other direction, ``torch_classes`` (the ``torch.nn`` class names it recognises) with
   ``from_torch`` (the layer read back from such a module).
6. ``title`` (how it reads in a drawing), or ``drawing_label`` when its hyperparameters show;
   ``drawing_window`` when it slides a kernel or window (the drawing draws it).
7. Its hypothesis strategy in :data:`shapecalc.strategies.LAYER_STRATEGIES` (an independent
   model of its shape, used by the property tests against torch), and its Keras form in
   :data:`shapecalc.kerascode.KERAS_FORMS` (``tests/test_keras_code.py`` fails without it).
8. Regenerate the docs: ``python -m shapecalc layers --markdown`` feeds docs/spec.md
   (tests/test_docs.py says when it is stale).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, TypeVar

from ..errors import LayerError, Span, SpecError, SpecSyntaxError, TorchError, UnknownLayerError
from ..expression import spec_text
from ..parser import LayerSpec, OptionSpec, Value
from ..shape import Shape
from ..symbolic import Constraint, Dim, at_least, fmt
from ..torchmodule import TorchModule
from ..working import Step

#: Short option names accepted everywhere, mapped to their full names.
OPTION_ALIASES = {"s": "stride", "d": "dilation", "g": "groups", "padding": "pad"}


@dataclass(frozen=True)
class Option:
    """An option a layer accepts: a flag (``same``) or one that takes sizes (``stride2x1``)."""

    help: str
    takes_values: bool = False
    zero_ok: bool = False  # a value of 0 is meaningful (padding)


@dataclass(frozen=True)
class Example:
    """A worked example: a layer applied to an input, with the expected result.

    Used by ``shapecalc layers``, docs/spec.md, and tests that check every example against
    the calculator (and against torch in the cross-check tests).
    """

    input: str
    layer: str
    output: str
    params: int


@dataclass(frozen=True)
class Ops:
    """What one sample costs a layer, counted as primitive operations (see shapecalc.costs).

    Conventions (torch's FlopCounterMode, torchinfo, ...) combine these counts differently;
    a layer states only what it does. The defaults (nothing) suit layers without weights.

    Attributes:
        macs: multiply-accumulates of inputs with weights (convolution, dense), bias excluded.
        bias: bias additions (one per output element that gets a bias).
        fvcore: what fvcore's FlopCountAnalysis counts for the layer, where it differs from
            ``macs`` (it charges some operations without weights, such as batch norm);
            None when it counts ``macs``.
        thop: the same for thop's ``profile``, which charges by module class.
        torchinfo: what torchinfo's Mult-Adds count, where that is not ``macs + bias``
            (a transposed convolution: its parameters once per output position); None
            otherwise.
    """

    macs: Dim = 0
    bias: Dim = 0
    fvcore: Dim | None = None
    thop: Dim | None = None
    torchinfo: Dim | None = None


@dataclass(frozen=True)
class Window:
    """One spatial dim's contribution to the receptive field (Araujo, Norris and Sim, 2019).

    Output element ``o`` depends on input elements in ``[o*stride - padding,
    o*stride - padding + kernel - 1]`` (the integers in it). Upsampling and transposed
    convolution step through their input by fractions: their values are then exact
    fractions (see :mod:`shapecalc.costs`).

    Attributes:
        kernel: the (dilated) window size, ``dilation*(k - 1) + 1``.
        stride: the step between windows.
        padding: the padding before the first element (left/top).
    """

    kernel: Dim = 1
    stride: Dim = 1
    padding: Dim = 0


class NoWindow(Enum):
    """What :meth:`Layer.windows` returns when no window per spatial dim describes a layer."""

    #: Every output element sees the whole input (flatten, dense, global pooling).
    SEES_ALL = "all"
    #: Each output element sees part of the input, but not one that a (kernel, stride,
    #: padding) per dim describes, so the receptive field is not computed (adaptive pooling).
    NOT_COMPUTABLE = "not computable"


#: What :meth:`Layer.windows` returns: one window per spatial dim, or a :class:`NoWindow`.
Windows = tuple[Window, ...] | NoWindow


class Checks:
    """Collects validity conditions while a layer computes its output.

    A condition that is false raises :class:`LayerError`; one that depends on symbols is
    recorded as a :class:`Constraint` ("needs n >= 7").
    """

    def __init__(self) -> None:
        self.constraints: list[Constraint] = []

    def at_least(
        self, value: Dim, minimum: Dim, message: Callable[[], str], option: str | None = None
    ) -> None:
        """Require ``value >= minimum``; ``message`` explains the failure."""
        self.require(at_least(value, minimum), message, option)

    def require(
        self,
        verdict: bool | Constraint,
        message: str | Callable[[], str],
        option: str | None = None,
    ) -> None:
        """Raise on a false verdict, record a conditional one."""
        if verdict is False:
            raise LayerError(message if isinstance(message, str) else message(), option=option)
        if isinstance(verdict, Constraint):
            self.constraints.append(verdict)


class SpecReader:
    """Reads one :class:`LayerSpec` for a layer class: numbers, options, symbols.

    Errors it raises point at the exact number or option in the spec text.
    """

    def __init__(
        self,
        spec: LayerSpec,
        source: str,
        layer: type[Layer],
        resolve: Callable[[Value], Dim],
    ) -> None:
        self.spec = spec
        self.source = source
        self.layer = layer
        self._resolve = resolve
        self._options = self._read_options()

    def error(self, message: str, span: Span) -> SpecError:
        """A syntax error at ``span``."""
        return SpecSyntaxError(message, self.source, span)

    def _read_options(self) -> dict[str, OptionSpec]:
        allowed = self.layer.options
        seen: dict[str, OptionSpec] = {}
        for opt in self.spec.options:
            key = OPTION_ALIASES.get(opt.key, opt.key)
            if opt.word is not None:  # pad=same, padding=valid
                if key != "pad":
                    raise self.error(
                        f"{opt.key}={opt.word} is not an option; use {opt.word}", opt.span
                    )
                key = opt.word
            if key not in allowed:
                raise self._unknown_option(opt)
            if key in seen:
                raise self.error(f"option {key!r} given twice", opt.span)
            if allowed[key].takes_values and not opt.values:
                raise self.error(f"option {key!r} needs a value, as in {key}2", opt.span)
            if not allowed[key].takes_values and opt.values:
                raise self.error(f"option {key!r} takes no value", opt.span)
            seen[key] = opt
        return seen

    def _unknown_option(self, opt: OptionSpec) -> SpecError:
        word = self.source[opt.span.start : opt.span.end]
        names = sorted(self.layer.options)
        if not names:
            return UnknownLayerError(
                f"{self.spec.keyword} takes no options, found {word!r}", self.source, opt.span
            )
        hint = _option_hint(opt.key, word, names)
        return UnknownLayerError(
            f"unknown option {word!r} for {self.spec.keyword}{hint}", self.source, opt.span
        )

    def flag(self, name: str) -> bool:
        """Whether a flag option such as ``same`` is present."""
        return name in self._options

    def option_span(self, name: str) -> Span | None:
        """Where an option stands in the spec, if present."""
        opt = self._options.get(name)
        return opt.span if opt is not None else None

    def values(self, name: str) -> tuple[Dim, ...] | None:
        """The sizes given to an option (``stride2x1`` -> (2, 1)), or None when absent."""
        opt = self._options.get(name)
        if opt is None:
            return None
        return tuple(
            self.dim(v, what=name, zero_ok=self.layer.options[name].zero_ok) for v in opt.values
        )

    def params(self, count: range, form: str) -> tuple[Value, ...]:
        """The values glued to the keyword, checking their count against ``form``."""
        params = self.spec.params
        if len(params) not in count:
            span = (
                self.spec.keyword_span.cover(params[-1].span) if params else self.spec.keyword_span
            )
            word = self.source[span.start : span.end]
            raise self.error(f"{word!r} does not match the form {form}", span)
        return params

    def dim(self, value: Value, *, what: str, zero_ok: bool = False) -> Dim:
        """A positive integer (or nonnegative when ``zero_ok``) or a symbol."""
        if value.is_symbol:
            return self._resolve(value)
        number = value.number
        if not isinstance(number, int):
            raise self.error(f"{what} must be a whole number, got {value.text!r}", value.span)
        if number < (0 if zero_ok else 1):
            need = "nonnegative" if zero_ok else "positive"
            raise self.error(f"{what} must be {need}, got {number}", value.span)
        return number

    def fraction(self, value: Value, *, what: str) -> float:
        """A number in [0, 1], such as a dropout probability."""
        if value.is_symbol or value.number is None or not 0 <= value.number <= 1:
            raise self.error(f"{what} must be a number from 0 to 1, got {value.text!r}", value.span)
        return float(value.number)


class Layer(ABC):
    """Base class of layer kinds. By default a layer keeps its input shape and has no parameters.

    Subclasses are frozen dataclasses holding their resolved hyperparameters, and set:

    - ``keyword`` (and ``aliases``): the words that name the layer in a spec;
    - ``kind``: the family, reported in JSON (``conv``, ``pool``, ``dense``, ...);
    - ``options``: the options it accepts;
    - ``formula``: the output shape and parameter formulas, as help text;
    - ``examples``: worked examples, checked by the tests;
    - ``title``: how the layer reads in a drawing;
    - ``torch_classes``: the ``torch.nn`` classes it recognises (see :meth:`from_torch`).

    The module docstring has the whole checklist of a new kind.
    """

    keyword: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    kind: ClassVar[str] = "other"
    options: ClassVar[dict[str, Option]] = {}
    formula: ClassVar[str] = "output = input"
    examples: ClassVar[tuple[Example, ...]] = ()
    #: Keyword numbers that may be 0 (zeropad0), used to give symbols the right assumptions.
    params_zero_ok: ClassVar[bool] = False
    #: How the layer reads in a drawing (``ReLU``); kinds whose hyperparameters show there
    #: override :meth:`drawing_label` instead.
    title: ClassVar[str] = ""
    #: The ``torch.nn`` class names that :meth:`from_torch` reads back as this kind; ``()``
    #: when torch has no class of its own for it (the kind's comment says what it imports
    #: as). None means not stated, which the completeness test refuses.
    torch_classes: ClassVar[tuple[str, ...] | None] = None

    @classmethod
    @abstractmethod
    def from_spec(cls, reader: SpecReader) -> Layer:
        """Build the layer from its spec item (no input shape needed yet)."""

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        """The output shape for ``inp``; raises LayerError or records constraints in ``checks``."""
        return inp

    def param_count(self, inp: Shape) -> Dim:
        """Trainable parameters for input ``inp``."""
        return 0

    def non_trainable_count(self, inp: Shape) -> Dim:
        """Non-trainable parameters (running statistics) for input ``inp``."""
        return 0

    def ops(self, inp: Shape, out: Shape) -> Ops:
        """Operations per sample for ``inp`` -> ``out`` (default: none)."""
        return Ops()

    def windows(self, inp: Shape) -> Windows:
        """Each spatial dim's window, for receptive fields, or a :class:`NoWindow` outcome
        (``SEES_ALL``: flatten, dense, global pooling; ``NOT_COMPUTABLE``). The default
        suits layers that act element by element: a 1-wide window with stride 1."""
        return tuple(Window() for _ in inp.spatial)

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        """Worked arithmetic for ``inp`` -> ``out``: one step per computed size and count.

        Layers that keep their input shape and have no parameters show none.
        """
        return ()

    @abstractmethod
    def to_spec(self) -> str:
        """Canonical spec text; parsing it gives an equal layer."""

    def torch_module(self, inp: Shape) -> TorchModule:
        """The ``torch.nn`` module that computes this layer on an input of shape ``inp``
        (channels last), described as data.

        Raises:
            TorchError: a size is still symbolic, or torch has no such module.
        """
        raise TorchError(
            f"no torch module for layer class {type(self).__name__} (keyword {self.keyword!r})"
        )

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Layer:
        """The layer that a ``torch.nn`` module of one of :attr:`torch_classes` computes,
        read from the module's attributes (the reverse of :meth:`torch_module`); ``inp`` is
        the shape that reaches it, channels last.

        Raises:
            TorchError: the module has settings the spec language cannot express.
        """
        raise TorchError(f"{cls.__name__} reads no torch module")

    def drawing_label(self, inp: Shape) -> str:
        """How the operation reads under the gap before its tensor in a drawing."""
        return self.title or self.to_spec()

    def drawing_window(self, inp: Shape) -> tuple[Dim, ...] | None:
        """The kernel or pooling window a drawing shows on the input tensor, one size per
        spatial dim; None when the layer has none."""
        return None

    #: The window is drawn on the output instead, a pixel of the input spreading to it (a
    #: transposed convolution writes a k x k patch for each input pixel).
    drawing_spreads: ClassVar[bool] = False


#: Every layer keyword and alias, mapped to its class.
REGISTRY: dict[str, type[Layer]] = {}

L = TypeVar("L", bound=type[Layer])


def register(cls: L) -> L:
    """Class decorator that adds a layer kind under its keyword and aliases."""
    for word in (cls.keyword, *cls.aliases):
        if word in REGISTRY:
            raise RuntimeError(f"layer keyword {word!r} registered twice")
        REGISTRY[word] = cls
    return cls


def torch_kinds() -> dict[str, type[Layer]]:
    """Every ``torch.nn`` class name a registered kind reads back, mapped to that kind."""
    return {name: cls for cls in set(REGISTRY.values()) for name in cls.torch_classes or ()}


def _option_hint(key: str, word: str, names: list[str]) -> str:
    """What an unknown option most likely is: another layer (a missing '|'), an option
    written with capitals, or a typo of one of ``names``."""
    if key.lower() in names and key != key.lower():
        return f" — options are lowercase: write {word.lower()!r}"
    if key in REGISTRY:
        return f" — missing '|' before {word!r}?"
    import difflib  # on an error only: kept off the table's start-up

    close = difflib.get_close_matches(key, names, n=1)
    return f" — did you mean {close[0]!r}?" if close else f" — options: {', '.join(names)}"


def suggest_keyword(word: str) -> str | None:
    """The closest known layer keyword, for "did you mean" hints."""
    import difflib  # on an error only: kept off the table's start-up

    close = difflib.get_close_matches(word, list(REGISTRY), n=1, cutoff=0.6)
    return close[0] if close else None


def broadcast(values: tuple[Dim, ...], rank: int, option: str) -> tuple[Dim, ...]:
    """One value for every spatial dim, or exactly one value per dim."""
    if len(values) == 1:
        return values * rank
    if len(values) != rank:
        given = "x".join(fmt(v) for v in values)
        choice = "give one value" if rank == 1 else f"give one, or {rank} joined by x"
        raise LayerError(
            f"{option}{given} gives {len(values)} values for a {rank}D input; {choice}",
            option=option,
        )
    return values


def per_dim(values: tuple[Dim, ...], rank: int) -> tuple[Dim, ...]:
    """One value for every spatial dim, from one value or one per dim (no check: the shape
    was computed, so the counts agree)."""
    return values * rank if len(values) == 1 else values


def drawing_sizes(values: tuple[Dim, ...]) -> str:
    """``(3, 3)`` -> ``3×3``, as sizes read in a drawing."""
    return "×".join(fmt(v) for v in values)


def sizes_text(values: tuple[Dim, ...]) -> str:
    """``(3, 3)`` -> ``3x3``; symbols and expressions in braces, in the spec's own
    arithmetic (``{f//2}``, not sympy's ``floor(f/2)``), so the text parses back."""
    parts = []
    for v in values:
        text = spec_text(v)
        parts.append(text if text.isdigit() else "{" + text + "}")
    return "x".join(parts)


def dim_names(rank: int) -> tuple[str, ...]:
    """Names of the spatial dims in worked arithmetic: L; H, W; D, H, W."""
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(
        rank, tuple(f"n{i}" for i in range(rank))
    )


def reads_as(shape: Shape) -> str:
    """How a shape is read: "a 1D signal of length 28 with 28 channels"."""
    if shape.is_flat:
        return f"a flat vector of {fmt(shape.channels)} values"
    size = "x".join(fmt(d) for d in shape.spatial)
    what = {1: "a 1D signal of length", 2: "a 2D image of", 3: "a 3D volume of"}
    channels = "1 channel" if shape.channels == 1 else f"{fmt(shape.channels)} channels"
    return f"{what.get(shape.spatial_rank, 'a tensor of')} {size} with {channels}"


def require_spatial(keyword: str, inp: Shape) -> None:
    """Raise a LayerError when a layer that works on feature maps gets a flat vector."""
    if inp.is_flat:
        raise LayerError(
            f"{keyword} needs a spatial input such as 28x28x8, got the flat vector {inp}"
        )
