"""A new architecture is its own module and one registry entry: nothing else in the
zoo names architectures. The toy registers itself in a fresh process (the schema's
names are fixed when it is imported), then validates, builds, trains and predicts
like a shipped one, and the rules apply its traits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TOY = '''
import keras

from zoo.builder.architectures import head, spec_input
from zoo.builder.stack import recurrent_stack


def mean_pooled(spec, preprocessing=None):
    """The recurrent stack's outputs averaged over time, then the head."""
    inputs, x = spec_input(spec, preprocessing)
    x = recurrent_stack(x, spec, "rnn", last_returns_sequences=True).sequence
    x = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, head(x, spec, preprocessing), name=spec.name)
'''

SCRIPT = """
from zoo.registry import ARCHITECTURES, Architecture

ARCHITECTURES.register(
    "mean_pooled",
    Architecture("a sequence in, its mean recurrent output to a head", "toy:mean_pooled",
                 causal=True),
)

import numpy as np
import zoo

spec = {
    "version": 1, "name": "toy", "architecture": "mean_pooled", "cell": "gru",
    "inputs": {"length": 6, "features": 2}, "model": {"units": 4}, "outputs": {"units": 1},
    "data": {"source": "adding", "args": {"samples": 64, "length": 6}},
    "train": {"epochs": 1, "batch_size": 16},
}
assert zoo.validate(spec) == []
model = zoo.build(spec)
assert any(type(layer).__name__ == "GlobalAveragePooling1D" for layer in model.layers)
run = zoo.train(spec, runs="runs", verbose=0)
prediction = zoo.predict(run.directory, np.zeros((3, 6, 2), dtype="float32"))
assert prediction.values.shape == (3, 1)
problems = zoo.validate(spec, {"model.bidirectional": True})  # the causal trait's rule
assert [p.path for p in problems] == ["model.bidirectional"], problems
print("toy ok")
"""


def test_a_toy_architecture_needs_only_its_module_and_entry(tmp_path: Path) -> None:
    (tmp_path / "toy.py").write_text(TOY)
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, '.')\n{SCRIPT}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "toy ok"
