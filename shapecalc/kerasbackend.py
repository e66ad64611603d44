"""Importing Keras on the torch backend, whatever the user's environment says.

Keras 3 reads ``KERAS_BACKEND`` once, at its first import, and defaults to TensorFlow, which
the ``shapecalc-cnn[keras]`` extra does not install (it installs Keras and torch). So the one way
shapecalc imports Keras is :func:`load_keras`, which sets the backend to torch first, in this
process: nothing is asked of the user's environment beyond the extra. When Keras was already
imported (by the user's own code, in a notebook), its backend is whatever that import chose,
and shapecalc uses it as it is (the check reports it).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from .errors import KerasError

#: The backend shapecalc runs Keras on: the torch the ``keras`` extra installs.
BACKEND = "torch"


@contextlib.contextmanager
def _process_stderr() -> Iterator[None]:
    """``sys.stderr`` is the process's own while Keras is first imported.

    Keras imports absl's logging, whose handler keeps the ``sys.stderr`` of that moment for
    good. Imported while a caller has replaced the stream for a while (click's test runner, a
    redirect in a notebook cell), the handler would later write to that stream once it is
    closed: a logging error, and in a test run, pytest losing its own stderr.
    """
    replaced = sys.stderr
    if "absl.logging" in sys.modules or sys.__stderr__ is None or replaced is sys.__stderr__:
        yield
        return
    sys.stderr = sys.__stderr__
    try:
        yield
    finally:
        sys.stderr = replaced


def load_keras() -> Any:
    """The ``keras`` module, imported on the torch backend unless it was imported before.

    Raises:
        KerasError: Keras (or torch) is not installed.
    """
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = BACKEND
    try:
        with _process_stderr():
            import keras
    except ModuleNotFoundError as err:
        if err.name is None or err.name.split(".")[0] not in ("keras", "torch"):
            raise
        from .install import install_hint

        raise KerasError(
            f"this needs Keras 3 and torch ({err.name} is missing): {install_hint('keras')}"
        ) from None
    return keras


__all__ = ["BACKEND", "load_keras"]
