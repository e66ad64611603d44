"""Keras layers that shapecalc defines, for layer kinds Keras has no class of its own for.

A kind whose Keras counterpart is one of these describes it as
``KerasLayer(name, args, defined=True)`` (:class:`shapecalc.kerascode.KerasLayer`). The two
consumers of that description read this one file, as for the torch modules of
:mod:`shapecalc.torchmodules`:

- :mod:`shapecalc.kerascheck` instantiates the class from this module (the only place that
  imports it: it imports Keras, with the backend :mod:`shapecalc.kerasbackend` sets);
- :func:`shapecalc.kerascode.keras_code` copies the class's source, read from this file with
  :mod:`ast` and without importing it, into the emitted module, so the code of ``shapecalc
  keras`` and the layers ``shapecalc check --framework keras`` runs are the same text.

Rules for a class added here (tests/test_keras_code.py checks them): a top-level ``class``
named like no ``keras.layers`` class, whose source uses only ``keras``, ``layers`` and
``ops`` (the names the emitted file imports), ruff-clean at 88 columns, and computing what
the layer kind's docstring says.
"""

from __future__ import annotations

from .kerasbackend import load_keras

load_keras()  # the backend, before Keras' first import

import keras  # noqa: E402
from keras import layers, ops  # noqa: E402


class LocalResponseNorm(layers.Layer):
    """Local response normalisation across the channels (the last axis), as torch's
    ``nn.LocalResponseNorm(size)`` computes it: each value divided by
    ``(k + alpha/size * sum of squares)**beta`` over a window of ``size`` channels
    (``size // 2`` before it, ``(size - 1) // 2`` after)."""

    def __init__(
        self,
        size: int,
        alpha: float = 1e-4,
        beta: float = 0.75,
        k: float = 1.0,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def call(self, x: keras.KerasTensor) -> keras.KerasTensor:
        channels = x.shape[-1]
        pads = [(0, 0)] * (len(x.shape) - 1) + [(self.size // 2, (self.size - 1) // 2)]
        squares = ops.pad(ops.square(x), pads)
        total = sum(squares[..., i : i + channels] for i in range(self.size))
        return x / ops.power(self.k + self.alpha / self.size * total, self.beta)

    def get_config(self) -> dict[str, object]:
        config: dict[str, object] = super().get_config()
        config.update(size=self.size, alpha=self.alpha, beta=self.beta, k=self.k)
        return config


class LayerScale(layers.Layer):
    """A learned scale per channel (ConvNeXt's layer scale, gamma), initialised to
    ``init`` as Keras' own ConvNeXt does: C parameters."""

    def __init__(self, init: float = 1e-6, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.gamma = self.add_weight(
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(self.init),
            name="gamma",
        )

    def call(self, x: keras.KerasTensor) -> keras.KerasTensor:
        return x * self.gamma

    def get_config(self) -> dict[str, object]:
        config: dict[str, object] = super().get_config()
        config.update(init=self.init)
        return config


class ChannelShuffle(layers.Layer):
    """Channel shuffle in ``groups`` groups (ShuffleNet's; torch's
    ``nn.ChannelShuffle``), channels last: the channels, as groups x C/groups,
    transposed."""

    def __init__(self, groups: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.groups = groups

    def call(self, x: keras.KerasTensor) -> keras.KerasTensor:
        *spatial, channels = x.shape[1:]
        grouped = ops.reshape(x, (-1, *spatial, self.groups, channels // self.groups))
        return ops.reshape(ops.swapaxes(grouped, -1, -2), (-1, *spatial, channels))

    def get_config(self) -> dict[str, object]:
        config: dict[str, object] = super().get_config()
        config.update(groups=self.groups)
        return config


class Chunk(layers.Layer):
    """Part ``index`` of ``chunks`` equal parts of the channels (the last axis), as
    torch's ``x.chunk(chunks, dim=1)[index]``: one path's part of a split block."""

    def __init__(self, index: int, chunks: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.index = index
        self.chunks = chunks

    def call(self, x: keras.KerasTensor) -> keras.KerasTensor:
        part = x.shape[-1] // self.chunks
        return x[..., self.index * part : (self.index + 1) * part]

    def get_config(self) -> dict[str, object]:
        config: dict[str, object] = super().get_config()
        config.update(index=self.index, chunks=self.chunks)
        return config
