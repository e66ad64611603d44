"""Layer kinds. Importing this package registers every kind in :data:`REGISTRY`."""

from __future__ import annotations

from . import activation, conv, dense, norm, pool, reshape
from .base import REGISTRY, Checks, Example, Layer, Ops, Option, SpecReader, Window, register

__all__ = [
    "REGISTRY",
    "Checks",
    "Example",
    "Layer",
    "Ops",
    "Option",
    "SpecReader",
    "Window",
    "activation",
    "conv",
    "dense",
    "norm",
    "pool",
    "register",
    "reshape",
]
