"""Importing TensorFlow without its start-up chatter on the terminal.

TensorFlow's C++ runtime prints a few lines (oneDNN, CPU features) to file
descriptor 2 while it loads, before any logging setting applies. The CLI hides
exactly that window; errors raised by the import still surface as exceptions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator


def import_keras_quietly() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def quiet_loggers(*names: str) -> Iterator[None]:
    """Only errors from the named Python loggers while the block runs: converters warn
    of what they work around (tf2onnx's freezing, TensorFlow's collections)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
