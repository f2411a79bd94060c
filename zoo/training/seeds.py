"""The states of a model's random generators, saved with each epoch and restored on
resume.

Keras saves a layer's weights but not its ``SeedGenerator``s (the dropout layers',
the recurrent cells'): a reloaded model starts drawing its dropout masks from the seed
again. A resumed run would then train on other masks than the run it continues, and
end with other losses. The states are small (two integers each), so the run state
carries them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

STATE_NAME = "seed_generator_state"  # the variable a keras.random.SeedGenerator keeps


def seed_states(model: Any) -> dict[str, list[int]]:
    """Each generator's state, by the name of the model's layer that holds it and its
    place in that layer (the layers' names are the builder's, stable across saves)."""
    states = {}
    for layer in model.layers:
        held = [v for v in layer.variables if v.name == STATE_NAME]
        for index, variable in enumerate(held):
            states[f"{layer.name}/{index}"] = [int(v) for v in np.asarray(variable)]
    return states


def restore_seed_states(model: Any, states: dict[str, list[int]]) -> None:
    """Set the generators to ``states`` (as ``seed_states`` gave them); a run saved
    before states were kept has none, and its generators start from their seeds."""
    for layer in model.layers:
        held = [v for v in layer.variables if v.name == STATE_NAME]
        for index, variable in enumerate(held):
            state = states.get(f"{layer.name}/{index}")
            if state is not None:
                variable.assign(np.asarray(state, dtype=variable.dtype))
