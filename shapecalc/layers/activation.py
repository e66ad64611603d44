"""Activation functions and dropout: they keep the shape and have no parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import TorchError
from ..shape import Shape
from ..symbolic import Dim, exact_div, product, times
from ..torchmodule import TorchModule, concrete_int, keywords
from .base import Example, Layer, Ops, SpecReader, register, sizes_text


@dataclass(frozen=True)
class Activation(Layer):
    """An element-wise activation: keeps the shape, no parameters.

    A kind without hyperparameters states only its keyword, ``title``, ``torch_classes``
    (the first is the module it runs) and examples.
    """

    kind = "activation"

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Any:
        reader.params(range(0, 1), cls.keyword)
        return cls()

    def to_spec(self) -> str:
        return self.keyword

    def torch_module(self, inp: Shape) -> TorchModule:
        assert self.torch_classes, f"{type(self).__name__} names no torch class"
        return TorchModule(self.torch_classes[0])

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Any:
        return cls()


@register
@dataclass(frozen=True)
class ReLU(Activation):
    """Rectified linear unit: ``relu``; ``relu6`` clips it at 6 (MobileNet's ReLU6)."""

    keyword = "relu"
    title = "ReLU"
    # ReLU6 is Hardtanh(0, 6); other caps have no class of their own.
    torch_classes = ("ReLU", "ReLU6", "Hardtanh")
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

    def torch_module(self, inp: Shape) -> TorchModule:
        if self.cap is None:
            return TorchModule("ReLU")
        cap = concrete_int(self.cap, "relu cap")
        return TorchModule("ReLU6") if cap == 6 else TorchModule("Hardtanh", (0.0, float(cap)))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> ReLU:
        if type(module).__name__ == "ReLU":
            return cls()
        low, high = float(module.min_val), float(module.max_val)  # ReLU6 is a Hardtanh
        if low != 0 or high != int(high) or high < 1:
            raise TorchError(f"Hardtanh({low:g}, {high:g}) is no relu<cap>: it needs 0 and a whole cap")
        return cls(int(high))


@register
class Sigmoid(Activation):
    """Logistic sigmoid: ``sigmoid``."""

    keyword = "sigmoid"
    title = "Sigmoid"
    torch_classes = ("Sigmoid",)
    examples = (Example("120", "sigmoid", "120", 0),)


@register
class Tanh(Activation):
    """Hyperbolic tangent: ``tanh``."""

    keyword = "tanh"
    title = "Tanh"
    torch_classes = ("Tanh",)
    examples = (Example("84", "tanh", "84", 0),)


@register
class Softmax(Activation):
    """Softmax over the last dim (the classes of a flat vector): ``softmax``."""

    keyword = "softmax"
    title = "Softmax"
    torch_classes = ("Softmax",)
    examples = (Example("10", "softmax", "10", 0),)

    def ops(self, inp: Shape, out: Shape) -> Ops:
        # thop: 3*C - 1 per row of C classes (exp, sum, divide).
        rows = exact_div(product(inp.dims), inp.channels)
        return Ops(thop=times(rows, 3 * inp.channels - 1))

    def torch_module(self, inp: Shape) -> TorchModule:
        # Over the channels (dim 1): the classes of a flat vector, as the calculator reads it.
        return TorchModule("Softmax", (), keywords(dim=1))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Softmax:
        if module.dim not in (1, -1 if inp.is_flat else 1):
            raise TorchError(f"softmax over dim {module.dim} has no spec form; only the channels")
        return cls()


@register
class LeakyReLU(Activation):
    """Leaky ReLU: ``leakyrelu``."""

    keyword = "leakyrelu"
    title = "LeakyReLU"
    torch_classes = ("LeakyReLU",)
    examples = (Example("28x28x16", "leakyrelu", "28x28x16", 0),)


@register
class GELU(Activation):
    """Gaussian error linear unit: ``gelu``."""

    keyword = "gelu"
    title = "GELU"
    torch_classes = ("GELU",)
    examples = (Example("768", "gelu", "768", 0),)


@register
class ELU(Activation):
    """Exponential linear unit: ``elu``."""

    keyword = "elu"
    title = "ELU"
    torch_classes = ("ELU",)
    examples = (Example("32x32x8", "elu", "32x32x8", 0),)


@register
class SiLU(Activation):
    """Sigmoid linear unit (swish): ``silu``."""

    keyword = "silu"
    title = "SiLU"
    torch_classes = ("SiLU",)
    examples = (Example("32x32x8", "silu", "32x32x8", 0),)


@register
class Hardswish(Activation):
    """Hard swish, x·relu6(x + 3)/6, of MobileNetV3: ``hardswish``."""

    keyword = "hardswish"
    title = "Hardswish"
    torch_classes = ("Hardswish",)
    examples = (Example("56x56x16", "hardswish", "56x56x16", 0),)


@register
class Hardsigmoid(Activation):
    """Hard sigmoid, MobileNetV3's squeeze-and-excitation gate: ``hardsigmoid``."""

    keyword = "hardsigmoid"
    title = "Hardsigmoid"
    torch_classes = ("Hardsigmoid",)
    examples = (Example("1x1x16", "hardsigmoid", "1x1x16", 0),)


@register
@dataclass(frozen=True)
class Dropout(Layer):
    """Dropout with drop probability p: ``dropout0.5`` (``dropout`` alone means 0.5)."""

    keyword = "dropout"
    kind = "dropout"
    torch_classes = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d")
    examples = (Example("4096", "dropout0.5", "4096", 0),)

    p: float = 0.5

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Dropout:
        params = reader.params(range(0, 2), "dropout or dropout<p>, as in dropout0.5")
        return cls(reader.fraction(params[0], what="dropout probability")) if params else cls()

    def to_spec(self) -> str:
        return f"dropout{self.p:g}"

    def torch_module(self, inp: Shape) -> TorchModule:
        return TorchModule("Dropout", (self.p,))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Dropout:
        return cls(float(module.p))

    def drawing_label(self, inp: Shape) -> str:
        return f"Dropout {self.p:g}"
