"""Layer kinds. Importing this package registers every kind in :data:`REGISTRY`."""

from __future__ import annotations

from . import activation, conv, dense, norm, pool, reshape
from .base import REGISTRY, Checks, Example, Layer, Option, SpecReader, register

__all__ = [
    "REGISTRY",
    "Checks",
    "Example",
    "Layer",
    "Option",
    "SpecReader",
    "activation",
    "conv",
    "dense",
    "norm",
    "pool",
    "register",
    "reshape",
]
