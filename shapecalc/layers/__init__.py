"""Layer kinds. Importing this package registers every kind in :data:`REGISTRY`."""

from __future__ import annotations

from . import activation, conv, deconv, dense, norm, pool, reshape
from .base import (
    REGISTRY,
    Checks,
    Example,
    Layer,
    NoWindow,
    Ops,
    Option,
    SpecReader,
    Window,
    Windows,
    register,
    torch_kinds,
)

__all__ = [
    "REGISTRY",
    "Checks",
    "Example",
    "Layer",
    "NoWindow",
    "Ops",
    "Option",
    "SpecReader",
    "Window",
    "Windows",
    "activation",
    "conv",
    "deconv",
    "dense",
    "norm",
    "pool",
    "register",
    "reshape",
    "torch_kinds",
]
