"""Constructor-argument checks shared by every cell.

Keras clamps a bad dropout rate and reports an unknown activation without naming
the argument; a zoo user who typed the value into a spec needs to know which
argument was wrong and what it received.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Argument `{name}` must be a positive integer, received {name}={value!r}."
        )
    return value


def rate(name: str, value: Any) -> float:
    """A dropout rate: a number in [0, 1) (1 would drop every unit)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(
            f"Argument `{name}` must be a number in [0, 1), received {name}={value!r}."
        )
    return float(value)


def lookup(name: str, value: Any, getter: Callable[[Any], Any]) -> Any:
    """Resolve an activation / initializer / regularizer / constraint identifier."""
    try:
        return getter(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"Argument `{name}` could not be interpreted, received {name}={value!r}: {error}"
        ) from None
