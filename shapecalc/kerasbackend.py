"""Importing Keras on the torch backend, whatever the user's environment says.

Keras 3 reads ``KERAS_BACKEND`` once, at its first import, and defaults to TensorFlow, which
the ``shapecalc[keras]`` extra does not install (it installs Keras and torch). So the one way
shapecalc imports Keras is :func:`load_keras`, which sets the backend to torch first, in this
process: nothing is asked of the user's environment beyond the extra. When Keras was already
imported (by the user's own code, in a notebook), its backend is whatever that import chose,
and shapecalc uses it as it is (the check reports it).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .errors import KerasError

#: The backend shapecalc runs Keras on: the torch the ``keras`` extra installs.
BACKEND = "torch"


def load_keras() -> Any:
    """The ``keras`` module, imported on the torch backend unless it was imported before.

    Raises:
        KerasError: Keras (or torch) is not installed.
    """
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = BACKEND
    try:
        import keras
    except ModuleNotFoundError as err:
        if err.name is None or err.name.split(".")[0] not in ("keras", "torch"):
            raise
        raise KerasError(
            f'this needs Keras 3 and torch ({err.name} is missing): pip install "shapecalc[keras]"'
        ) from None
    return keras


__all__ = ["BACKEND", "load_keras"]
