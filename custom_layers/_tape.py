"""A cell's named intermediates, handed to whoever listens (``zoo trace``).

Each cell's ``step`` names what its equations compute (``z``, ``i``, ``f``, ... ``h``)
with one ``record`` call, so a trace reads the values the step itself computed, never
a second implementation of the maths. Nobody listens in training or inference: then
``record`` is one dictionary look-up, and only while Python runs the step (once, when
TensorFlow traces a loop into a graph).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_listeners: dict[int, list[dict[str, Any]]] = {}


def record(cell: Any, quantities: dict[str, Any]) -> None:
    """Hand one step's named intermediates of ``cell`` to its listener, if any."""
    steps = _listeners.get(id(cell))
    if steps is not None:
        steps.append(quantities)


@contextlib.contextmanager
def recording(cell: Any) -> Iterator[list[dict[str, Any]]]:
    """While the block runs, every step of ``cell`` appends its intermediates (a dict of
    name -> tensor) to the yielded list, in the order the steps ran."""
    steps: list[dict[str, Any]] = []
    _listeners[id(cell)] = steps
    try:
        yield steps
    finally:
        del _listeners[id(cell)]
