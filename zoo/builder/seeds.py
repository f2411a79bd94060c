"""The seed of each random layer (its dropout masks), derived from the spec's seed and
the layer's name.

One seed for several layers makes them draw the same masks: both directions of a
bidirectional layer, a seq2seq's encoder and decoder layers of the same depth, every
Dropout of the dense baseline. A layer's name is unique in its model, so mixing it in
gives each layer masks of its own, and the same spec draws the same masks run to run.
"""

from __future__ import annotations

import zlib

from zoo.spec.schema import Spec

_SEEDS = 2**31  # seeds stay non-negative int32 values, which every backend accepts


def layer_seed(spec: Spec, name: str) -> int | None:
    """The seed of the layer ``name``; None (a fresh seed every build) where the spec
    has no seed. crc32 rather than ``hash``: Python salts string hashes per process."""
    if spec.seed is None:
        return None
    return (spec.seed + zlib.crc32(name.encode())) % _SEEDS
