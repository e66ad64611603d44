"""Activation functions and dropout: they keep the shape and have no parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..shape import Shape
from ..symbolic import Dim
from .base import Example, Layer, Ops, SpecReader, register, sizes_text


@dataclass(frozen=True)
class Activation(Layer):
    """An element-wise activation: keeps the shape, no parameters."""

    kind = "activation"

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Any:
        reader.params(range(0, 1), cls.keyword)
        return cls()

    def to_spec(self) -> str:
        return self.keyword


@register
@dataclass(frozen=True)
class ReLU(Activation):
    """Rectified linear unit: ``relu``; ``relu6`` clips it at 6 (MobileNet's ReLU6)."""

    keyword = "relu"
    examples = (
        Example("28x28x16", "relu", "28x28x16", 0),
        Example("112x112x32", "relu6", "112x112x32", 0),
    )

    cap: Dim | None = None  # the output is clipped to [0, cap]

    @classmethod
    def from_spec(cls, reader: SpecReader) -> ReLU:
        params = reader.params(range(0, 2), "relu or relu<cap>, as in relu6")
        return cls(reader.dim(params[0], what="relu cap")) if params else cls()

    def to_spec(self) -> str:
        return "relu" if self.cap is None else f"relu{sizes_text((self.cap,))}"


@register
class Sigmoid(Activation):
    """Logistic sigmoid: ``sigmoid``."""

    keyword = "sigmoid"
    examples = (Example("120", "sigmoid", "120", 0),)


@register
class Tanh(Activation):
    """Hyperbolic tangent: ``tanh``."""

    keyword = "tanh"
    examples = (Example("84", "tanh", "84", 0),)


@register
class Softmax(Activation):
    """Softmax over the last dim (the classes of a flat vector): ``softmax``."""

    keyword = "softmax"
    examples = (Example("10", "softmax", "10", 0),)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        return Ops(op="softmax")


@register
class LeakyReLU(Activation):
    """Leaky ReLU: ``leakyrelu``."""

    keyword = "leakyrelu"
    examples = (Example("28x28x16", "leakyrelu", "28x28x16", 0),)


@register
class GELU(Activation):
    """Gaussian error linear unit: ``gelu``."""

    keyword = "gelu"
    examples = (Example("768", "gelu", "768", 0),)


@register
class ELU(Activation):
    """Exponential linear unit: ``elu``."""

    keyword = "elu"
    examples = (Example("32x32x8", "elu", "32x32x8", 0),)


@register
class SiLU(Activation):
    """Sigmoid linear unit (swish): ``silu``."""

    keyword = "silu"
    examples = (Example("32x32x8", "silu", "32x32x8", 0),)


@register
@dataclass(frozen=True)
class Dropout(Layer):
    """Dropout with drop probability p: ``dropout0.5`` (``dropout`` alone means 0.5)."""

    keyword = "dropout"
    kind = "dropout"
    examples = (Example("4096", "dropout0.5", "4096", 0),)

    p: float = 0.5

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Dropout:
        params = reader.params(range(0, 2), "dropout or dropout<p>, as in dropout0.5")
        return cls(reader.fraction(params[0], what="dropout probability")) if params else cls()

    def to_spec(self) -> str:
        return f"dropout{self.p:g}"
