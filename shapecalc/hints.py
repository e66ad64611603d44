"""Errors that say exactly what to type: a spec error whose cause is a habit from elsewhere
(Keras or PyTorch calls, spaces inside a word, capitals, an input shape written another way)
becomes one that proposes the spec text.

:func:`parse_spec` is :func:`shapecalc.parser.parse` with these hints; the parser itself keeps
its plain errors, and only this module knows the habits. A hint is given only when its text
is what the spec means (a proposed layer is written by the rules of the spec language), never
as a guess that could not fix the error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import Span, SpecError, SpecSyntaxError
from .layers import REGISTRY
from .parser import ParsedSpec, parse

#: A call as Keras and PyTorch write a layer: ``Conv2D(16, 3, strides=2)``,
#: ``nn.Conv2d(1, 16, 3)``, ``layers.Dense(10)``, ``tf.keras.layers.Flatten()``.
_CALL = re.compile(
    r"(?P<module>(?:(?:tf\.)?keras\.)?(?:layers\.)?(?:torch\.)?(?:nn\.)?)"
    r"(?P<name>[A-Z][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*)\s*\((?P<args>[^()]*(?:\([^()]*\)[^()]*)*)\)"
)
#: An input shape with spaces or a capital X between its sizes: ``28 x 28 x 1``, ``28X28X1``.
_LOOSE_INPUT = re.compile(r"(\d+|\{\w+\})(?:\s*[xX×]\s*(\d+|\{\w+\}))+")


@dataclass(frozen=True)
class _Call:
    """A framework call's arguments: positional ones, and keywords by name."""

    name: str
    positional: tuple[str, ...]
    keywords: dict[str, str]

    def arg(self, index: int, *names: str) -> str | None:
        """The argument at ``index`` or given by one of ``names`` (None when absent)."""
        for name in names:
            if name in self.keywords:
                return self.keywords[name]
        return self.positional[index] if index < len(self.positional) else None


def parse_spec(source: str) -> ParsedSpec:
    """:func:`shapecalc.parser.parse`, with errors that propose the spec text where the
    mistake is a known habit.

    Raises:
        SpecSyntaxError: as :func:`~shapecalc.parser.parse`, with the proposal when there is one.
    """
    try:
        return parse(source)
    except SpecSyntaxError as err:
        better = syntax_hint(source, err)
        if better is None:
            raise
        raise better from None


def syntax_hint(source: str, err: SpecError) -> SpecSyntaxError | None:
    """A better error than ``err`` for ``source``, or None when there is none to give."""
    for hint in (_framework_call, _loose_input, _starts_with_layer, _split_word):
        better = hint(source, err)
        if better is not None:
            return better
    return None


def _framework_call(source: str, err: SpecError) -> SpecSyntaxError | None:
    for match in _CALL.finditer(source):
        if not match.start() <= err.span.start < match.end():
            continue
        call = _split_call(match.group("name"), match.group("args"))
        module = match.group("module")
        torch = "nn." in module or call.name.endswith(("1d", "2d", "3d")) or call.name == "Linear"
        written = _TORCH.get(call.name) if torch else _KERAS.get(call.name)
        text = None if written is None else written(call)
        if text is None:
            return None
        both = not module and call.name in _KERAS and call.name in _TORCH
        who = "Keras/PyTorch" if both else "PyTorch" if torch else "Keras"
        conv = torch and call.name.startswith("Conv")
        note = _channels_note(source, match.start(), call) if conv else ""
        span = Span(match.start(), match.end())
        return SpecSyntaxError(
            f"{who} layer {match.group(0)!r} — write {text!r}{note}", source, span
        )
    return None


def _split_call(name: str, args: str) -> _Call:
    parts = [p.strip() for p in re.split(r",(?![^()]*\))", args) if p.strip()]
    positional = tuple(p for p in parts if not re.match(r"\w+\s*=", p))
    keywords = {}
    for part in parts:
        if match := re.match(r"(\w+)\s*=\s*(.*)", part):
            keywords[match.group(1)] = match.group(2).strip()
    return _Call(name, positional, keywords)


def _size(text: str | None, rank: int) -> str | None:
    """``3`` or ``(3, 3)`` as spec sizes ``3x3`` (one per spatial dim)."""
    if text is None:
        return None
    values = re.findall(r"\d+", text)
    if not values or not re.fullmatch(r"\(?\s*\d+(?:\s*,\s*\d+)*\s*,?\s*\)?", text):
        return None
    if len(values) == 1:
        values = values * rank
    return "x".join(values)


def _one(text: str | None) -> str | None:
    """A stride or pad as one spec value: ``2``, or ``(2, 1)`` as ``2x1`` (``(2, 2)`` as 2)."""
    if text is None:
        return None
    values = re.findall(r"\d+", text)
    if not values:
        return None
    return values[0] if len(set(values)) == 1 else "x".join(values)


def _rank(name: str) -> int:
    match = re.search(r"([123])[dD]$", name)
    return int(match.group(1)) if match else 2


def _unquoted(text: str | None) -> str | None:
    return None if text is None else text.strip("'\"")


def _conv_words(call: _Call, filters: int, name: str) -> list[str] | None:
    """``["conv3x3x16"]``: a conv call's kernel size and filter count (the argument at
    ``filters``, or keyword ``name``; the kernel size follows it), or None when either is
    not a number. Keras' and torch's calls differ only in where the filters stand."""
    kernel = _size(call.arg(filters + 1, "kernel_size"), _rank(call.name))
    count = call.arg(filters, name)
    if kernel is None or count is None or not count.isdigit():
        return None
    return [f"conv{kernel}x{count}"]


def _keras_conv(call: _Call) -> str | None:
    words = _conv_words(call, 0, "filters")
    if words is None:
        return None
    stride = _one(call.arg(2, "strides"))
    if stride not in (None, "1"):
        words.append(f"stride{stride}")
    if _unquoted(call.arg(3, "padding")) == "same":
        words.append("same")
    dilation = _one(call.keywords.get("dilation_rate"))
    if dilation not in (None, "1"):
        words.append(f"dilation{dilation}")
    if call.keywords.get("use_bias") == "False":
        words.append("nobias")
    return " ".join(words)


def _pool(kind: str, index: int = 0) -> Callable[[_Call], str | None]:
    def write(call: _Call) -> str | None:
        size = _one(call.arg(index, "pool_size", "kernel_size")) or "2"
        words = [f"{kind}{size}"]
        stride = _one(call.arg(index + 1, "strides", "stride"))
        if stride not in (None, "None", size):
            words.append(f"stride{stride}")
        if _unquoted(call.keywords.get("padding")) == "same":
            words.append("same")
        return " ".join(words)

    return write


def _torch_conv(call: _Call) -> str | None:
    words = _conv_words(call, 1, "out_channels")
    if words is None:
        return None
    for index, key, word in ((3, "stride", "stride"), (4, "padding", "pad")):
        value = call.arg(index, key)
        if _unquoted(value) == "same":
            words.append("same")
        elif (one := _one(value)) not in (None, "0" if word == "pad" else "1"):
            words.append(f"{word}{one}")
    for key, word in (("dilation", "dilation"), ("groups", "groups")):
        if (one := _one(call.keywords.get(key))) not in (None, "1"):
            words.append(f"{word}{one}")
    if call.keywords.get("bias") == "False":
        words.append("nobias")
    return " ".join(words)


def _units(index: int, *names: str) -> Callable[[_Call], str | None]:
    def write(call: _Call) -> str | None:
        units = call.arg(index, *names)
        return f"dense{units}" if units is not None and units.isdigit() else None

    return write


def _dropout(call: _Call) -> str | None:
    rate = call.arg(0, "rate", "p")
    return "dropout" if rate is None else f"dropout{rate}"


def _activation(call: _Call) -> str | None:
    name = _unquoted(call.arg(0, "activation"))
    return name if name in REGISTRY else None


def _word(word: str) -> Callable[[_Call], str | None]:
    return lambda call: word


#: Keras layers, as a spec writes them.
_KERAS: dict[str, Callable[[_Call], str | None]] = {
    **{f"Conv{r}D": _keras_conv for r in (1, 2, 3)},
    **{f"MaxPooling{r}D": _pool("maxpool") for r in (1, 2, 3)},
    **{f"MaxPool{r}D": _pool("maxpool") for r in (1, 2, 3)},
    **{f"AveragePooling{r}D": _pool("avgpool") for r in (1, 2, 3)},
    **{f"GlobalAveragePooling{r}D": _word("globalavgpool") for r in (1, 2, 3)},
    **{f"GlobalMaxPooling{r}D": _word("globalmaxpool") for r in (1, 2, 3)},
    "Dense": _units(0, "units"),
    "Flatten": _word("flatten"),
    "ReLU": _word("relu"),
    "Activation": _activation,
    "BatchNormalization": _word("batchnorm"),
    "Dropout": _dropout,
    "Softmax": _word("softmax"),
}
#: PyTorch modules, as a spec writes them.
_TORCH: dict[str, Callable[[_Call], str | None]] = {
    **{f"Conv{r}d": _torch_conv for r in (1, 2, 3)},
    **{f"MaxPool{r}d": _pool("maxpool") for r in (1, 2, 3)},
    **{f"AvgPool{r}d": _pool("avgpool") for r in (1, 2, 3)},
    **{f"BatchNorm{r}d": _word("batchnorm") for r in (1, 2, 3)},
    "Linear": _units(1, "out_features"),
    "Flatten": _word("flatten"),
    "ReLU": _word("relu"),
    "Dropout": _dropout,
    "Softmax": _word("softmax"),
}


def _channels_note(source: str, start: int, call: _Call) -> str:
    """For a torch layer right after the input: where its in-channels disagree with the
    input's (the spec takes them from the input, channels last)."""
    wanted = call.arg(0, "in_channels")
    before = source[:start].rstrip()
    if wanted is None or not before.endswith("|") or "|" in before[:-1]:
        return ""
    dims = before[:-1].strip().split("x")
    if not all(d.isdigit() for d in dims) or dims[-1] == wanted:
        return ""
    return (
        f"; its in_channels {wanted} disagrees with the input {'x'.join(dims)}, which has "
        f"{dims[-1]} channels (channels come last: H x W x C)"
    )


def _loose_input(source: str, err: SpecError) -> SpecSyntaxError | None:
    match = _LOOSE_INPUT.match(source, len(source) - len(source.lstrip()))
    if match is None or not match.start() <= err.span.start <= match.end():
        return None
    written = match.group(0)
    dims = re.split(r"\s*[xX×]\s*", written)
    proposed = "x".join(dims)
    if proposed == written:
        return None
    return SpecSyntaxError(
        f"write the input shape as {proposed!r} — sizes joined by a lowercase 'x', without spaces",
        source,
        Span(match.start(), match.end()),
    )


def _starts_with_layer(source: str, err: SpecError) -> SpecSyntaxError | None:
    first = re.match(r"\s*([A-Za-z_]+)[^\s|]*", source)
    if first is None or first.group(1).lower() not in REGISTRY:
        return None
    if not first.start(1) <= err.span.start <= first.end():
        return None
    item = source[first.start(1) : first.end()]
    return SpecSyntaxError(
        f"a spec starts with the input shape, e.g. '28x28x1 | {item}'",
        source,
        Span(first.start(1), first.end()),
    )


def _split_word(source: str, err: SpecError) -> SpecSyntaxError | None:
    """``conv 3x3x16``, ``stride 2``: a space between a keyword and its sizes."""
    for match in re.finditer(r"(?<![^\s|(;])([a-z]+) +([0-9{][^\s|;()]*)", source):
        if match.start(2) == err.span.start:
            joined = match.group(1) + match.group(2)
            return SpecSyntaxError(
                f"a space splits {match.group(0)!r} — write {joined!r}",
                source,
                Span(match.start(), match.end()),
            )
    return None


def lowercase_hint(word: str) -> str | None:
    """`` — keywords are lowercase: write 'conv3x3x16'`` for ``Conv3x3x16``, or None."""
    name = re.match(r"[A-Za-z_]+", word)
    if name is None or name.group(0) == name.group(0).lower():
        return None
    if name.group(0).lower() not in REGISTRY:
        return None
    return f" — keywords are lowercase: write {word[: name.end()].lower() + word[name.end() :]!r}"


#: The layer an option's example is written with, in this order of preference.
_EXAMPLE_LAYERS = {"conv": "conv3x3x16", "maxpool": "maxpool2", "dense": "dense10"}


def option_first_hint(keyword: str, word: str, first_option: str | None) -> str | None:
    """For a layer ``word`` whose ``keyword`` is some layer's option (``same conv3x3x16``):
    options follow their layer, as in ``conv3x3x16 same``."""
    if keyword in REGISTRY or not any(keyword in cls.options for cls in REGISTRY.values()):
        return None
    if first_option is not None:
        name = re.match(r"[a-z_]+", first_option)
        kind = REGISTRY.get(name.group(0)) if name else None
        if kind is not None and keyword in kind.options:
            return f" — options follow their layer: write '{first_option} {word}'"
    for layer, example in _EXAMPLE_LAYERS.items():
        if keyword in REGISTRY[layer].options:
            return f" — {keyword!r} is an option; it follows its layer, as in '{example} {word}'"
    return f" — {keyword!r} is an option; it follows its layer"
