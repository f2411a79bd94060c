"""Truncated backpropagation through time: the gradient stops on the carried state
every k steps.

The loss at step t then reaches back at most k steps of the recurrence (to the last
multiple of k), and with k = 1 only through the step itself: the "truncated
gradient" of the Elman-era papers (Hochreiter & Schmidhuber 1997 compare their
LSTM with Elman nets trained so). The forward pass is unchanged. Stopping inside the
one loop was chosen over chunked training with the state carried across chunks:
it needs no change to the data, the batches or the model's inputs, works for every
architecture and with masking, and gives the same gradients as chunks of k steps
starting at step 0.
"""

from __future__ import annotations

from typing import Any

from keras import ops


def carried(states: list[Any], step: Any, k: int | None) -> list[Any]:
    """The states as step ``step`` (0-based) reads them: cut from the gradient where a
    new chunk of ``k`` steps begins; unchanged without truncation (``k`` None)."""
    if k is None:
        return states
    cut = ops.logical_and(ops.greater(step, 0), ops.equal(ops.mod(step, k), 0))
    return [ops.where(cut, ops.stop_gradient(state), state) for state in states]
