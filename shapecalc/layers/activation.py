"""Activation functions and dropout: they keep the shape; PReLU alone has parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import TorchError
from ..shape import Shape
from ..symbolic import Dim, exact_div, product, times
from ..torchmodule import TorchModule, concrete_int, keywords
from ..working import Num, Step, Var
from .base import Example, Layer, Ops, Option, SpecReader, register, sizes_text


def decimal(value: float) -> str:
    """A probability or slope as spec text that reads back as the same float: ``0.2``,
    ``1`` for 1.0, ``0.00001`` for 1e-05 (the spec has no exponents)."""
    from decimal import Decimal

    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


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
@dataclass(frozen=True)
class LeakyReLU(Activation):
    """Leaky ReLU: ``leakyrelu`` (torch's slope 0.01), ``leakyrelu0.2`` (slope 0.2).

    The slope multiplies negative inputs; DCGAN's is 0.2, Keras' default 0.3.
    """

    keyword = "leakyrelu"
    title = "LeakyReLU"
    torch_classes = ("LeakyReLU",)
    examples = (
        Example("28x28x16", "leakyrelu", "28x28x16", 0),
        Example("32x32x128", "leakyrelu0.2", "32x32x128", 0),
    )

    slope: float = 0.01  # torch's negative_slope

    @classmethod
    def from_spec(cls, reader: SpecReader) -> LeakyReLU:
        params = reader.params(range(0, 2), "leakyrelu or leakyrelu<slope>, as in leakyrelu0.2")
        return cls(reader.fraction(params[0], what="leakyrelu slope")) if params else cls()

    def to_spec(self) -> str:
        return "leakyrelu" if self.slope == 0.01 else f"leakyrelu{decimal(self.slope)}"

    def torch_module(self, inp: Shape) -> TorchModule:
        return TorchModule("LeakyReLU", () if self.slope == 0.01 else (self.slope,))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> LeakyReLU:
        slope = float(module.negative_slope)
        if not 0 <= slope <= 1:
            raise TorchError(f"LeakyReLU({slope:g}) has no spec form; the slope is from 0 to 1")
        return cls(slope)

    def drawing_label(self, inp: Shape) -> str:
        return "LeakyReLU" if self.slope == 0.01 else f"LeakyReLU {decimal(self.slope)}"


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
class PReLU(Activation):
    """Parametric ReLU: ``prelu`` (one learned slope), ``prelu channelwise`` (one per channel).

    The slope multiplies negative inputs. 1 parameter (torch's ``nn.PReLU()``), or C with
    ``channelwise`` (``nn.PReLU(C)``). Keras' ``PReLU`` learns one per element (H*W*C)
    unless ``shared_axes`` names the spatial axes, then C.
    """

    keyword = "prelu"
    title = "PReLU"
    options = {"channelwise": Option("one slope per channel: C parameters instead of 1")}
    torch_classes = ("PReLU",)
    formula = "out = in; params = 1 (C with channelwise)"
    examples = (
        Example("56x56x64", "prelu channelwise", "56x56x64", 64),
        Example("56x56x64", "prelu", "56x56x64", 1),
    )

    channelwise: bool = False

    @classmethod
    def from_spec(cls, reader: SpecReader) -> PReLU:
        reader.params(range(0, 1), "prelu or prelu channelwise")
        return cls(reader.flag("channelwise"))

    def param_count(self, inp: Shape) -> Dim:
        return inp.channels if self.channelwise else 1

    def ops(self, inp: Shape, out: Shape) -> Ops:
        # thop's count_prelu: 1 per element (in evaluation); the other tools nothing.
        return Ops(thop=product(inp.dims))

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        term = Var("C", inp.channels) if self.channelwise else Num(1)
        return (Step("params", term, self.param_count(inp)),)

    def to_spec(self) -> str:
        return "prelu channelwise" if self.channelwise else "prelu"

    def torch_module(self, inp: Shape) -> TorchModule:
        if not self.channelwise:
            return TorchModule("PReLU")
        return TorchModule("PReLU", (concrete_int(inp.channels, "channels"),))

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> PReLU:
        count = int(module.num_parameters)
        if count not in (1, int(inp.channels)):
            raise TorchError(
                f"PReLU({count}) on {inp} has no spec form; prelu has 1 slope or one per channel"
            )
        return cls(count != 1)


@register
class Mish(Activation):
    """Mish, x·tanh(softplus(x)): ``mish``."""

    keyword = "mish"
    title = "Mish"
    torch_classes = ("Mish",)
    examples = (Example("52x52x64", "mish", "52x52x64", 0),)


@register
class Softplus(Activation):
    """Softplus, log(1 + exp(x)): ``softplus`` (torch's beta 1, threshold 20)."""

    keyword = "softplus"
    title = "Softplus"
    torch_classes = ("Softplus",)
    examples = (Example("64", "softplus", "64", 0),)

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> Softplus:
        if (float(module.beta), float(module.threshold)) != (1.0, 20.0):
            raise TorchError(
                f"Softplus(beta={module.beta:g}, threshold={module.threshold:g}) has no spec "
                "form; softplus is torch's default (beta 1, threshold 20)"
            )
        return cls()


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


@register
@dataclass(frozen=True)
class DropPath(Layer):
    """Stochastic depth: ``droppath0.1`` drops a sample's residual path with probability 0.1.

    In training the whole input of a sample is zeroed (the kept ones scaled by 1/(1 - p));
    in evaluation it is the identity. torchvision's ``StochasticDepth(p, "row")``; its compiled ops need not load beside a CPU
    torch, so ``shapecalc torch`` defines ``DropPath``, the same computation.
    """

    keyword = "droppath"
    kind = "dropout"
    # StochasticDepth: torchvision's class (EfficientNet, ConvNeXt), read back by shapecalc import.
    torch_classes = ("DropPath", "StochasticDepth")
    examples = (Example("56x56x96", "droppath0.1", "56x56x96", 0),)

    p: float = 0.0

    @classmethod
    def from_spec(cls, reader: SpecReader) -> DropPath:
        (p,) = reader.params(range(1, 2), "droppath<p>, as in droppath0.1")
        return cls(reader.fraction(p, what="droppath probability"))

    def to_spec(self) -> str:
        return f"droppath{decimal(self.p)}"

    def torch_module(self, inp: Shape) -> TorchModule:
        return TorchModule("DropPath", (self.p,), defined=True)

    @classmethod
    def from_torch(cls, module: Any, inp: Shape) -> DropPath:
        if getattr(module, "mode", "row") != "row":
            raise TorchError(f"StochasticDepth mode {module.mode!r} has no spec form; droppath is 'row'")
        return cls(float(module.p))

    def drawing_label(self, inp: Shape) -> str:
        return f"DropPath {decimal(self.p)}"
