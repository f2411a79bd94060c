"""``zoo trace``: the recurrence step by step, as the teaching texts work it out by hand.

For each time step and recurrent layer (each direction of a bidirectional one), every
quantity the cell's equations name, as the cell's own ``step`` computed it with the
model's weights; then the head's logits, its output and the predicted token. A run (or
.keras file) traces the trained weights; a spec traces the model as initialised from
its seed. ``Trace.rows()`` is the tidy form written to CSV.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zoo.builder.names import ATTENTION, ENCODER, HEAD
from zoo.errors import UserError
from zoo.spec import Overrides
from zoo.tracing.steps import Direction, Head

# The rows of Trace.rows(), and of the CSV.
COLUMNS = ("step", "token", "layer", "direction", "quantity", "index", "value")


@dataclass
class Trace:
    name: str  # the spec's name
    cell: str  # rnn, lstm, gru
    origin: str  # which weights: "trained (runs/...)", "as initialised (seed 0)"
    tokens: list[str]  # what the model reads at each step, as text
    directions: list[Direction]  # every layer's directions, bottom layer first
    head: Head | None
    labels: list[str] | None  # what each of the head's outputs is (tokens, class names)
    # a seq2seq's decoder, traced as greedy decoding ran it (its tokens: what each step
    # reads), with its attention weights (decoder steps, source steps) where it has any
    decoder: Trace | None = None
    attention: np.ndarray | None = None

    def parts(self) -> list[Trace]:
        """This trace, and its decoder's where it has one."""
        return [self, *([self.decoder] if self.decoder is not None else [])]

    @property
    def agreement(self) -> float:
        """The largest difference of a traced h_t from the layer's own loop over time."""
        return max(d.agreement for part in self.parts() for d in part.directions)

    def predicted(self) -> list[str]:
        """The head's answer at each step it answers: the likeliest label, or the value."""
        if self.head is None:
            return []
        outputs = self.head.outputs
        if self.labels and outputs.shape[-1] == len(self.labels):
            return [self.labels[int(row.argmax())] for row in outputs]
        if self.labels and outputs.shape[-1] == 1 and len(self.labels) == 2:  # sigmoid
            return [self.labels[int(row[0] > 0.5)] for row in outputs]
        if self.head.activation == "softmax":  # tokens with no names: their ids
            return [f"#{int(row.argmax())}" for row in outputs]
        return [" ".join(f"{v:.4g}" for v in row) for row in outputs]

    def rows(self) -> Iterator[tuple]:
        """(step, token, layer, direction, quantity, index, value), steps from 1; a
        seq2seq's decoder steps count from 1 again, on its decoder_* layers, the head
        and the attention (index: the source position)."""
        yield from self._own_rows()
        if self.decoder is not None:
            yield from self.decoder._own_rows()

    def _own_rows(self) -> Iterator[tuple]:
        for d in self.directions:
            for position, x, step in zip(d.positions, d.inputs, d.steps, strict=True):
                token = self.tokens[position]
                for quantity, vector in {"x": x, **step}.items():
                    for index, value in enumerate(vector):
                        yield position + 1, token, d.layer, d.direction, quantity, index, value
        if self.head is not None:
            head = self.head
            for position, logits, outputs in zip(
                head.positions, head.logits, head.outputs, strict=True
            ):
                token = self.tokens[position]
                for quantity, vector in (("logits", logits), (head.activation, outputs)):
                    for index, value in enumerate(vector):
                        yield position + 1, token, HEAD, "", quantity, index, value
        if self.attention is not None:
            for position, weights in enumerate(self.attention):
                for index, value in enumerate(weights):
                    yield (
                        position + 1,
                        self.tokens[position],
                        ATTENTION,
                        "",
                        "weights",
                        index,
                        value,
                    )


def trace(
    target: Path | str,
    text: str | None = None,
    array: np.ndarray | Path | str | None = None,
    overrides: Overrides = None,
    unsafe: bool = False,
) -> Trace:
    """Trace ``target`` (a run directory, a .keras file, or a spec: its file or shipped
    name) on one input: ``text`` for a model of tokens or strings, ``array`` (a .npy
    file or an array of one example) for one of real values."""
    from zoo.inference.inputs import takes_text
    from zoo.tracing.reading import loaded, series_end_input

    model, record, origin, folder = loaded(target, overrides, unsafe)
    if text is None and array is None and not takes_text(model):
        end = series_end_input(model, record, folder)
        if end is not None:  # a forecaster given no input reads the end of its series
            array, read = end
            origin = f"{origin}, reading {read}"
    return trace_model(model, record, origin, text, array)


def trace_model(
    model: Any, record: Any, origin: str, text: str | None = None, array: Any = None
) -> Trace:
    """``trace`` of a model already open, with its record; ``origin`` says whose
    weights they are (``zoo serve`` traces the model it serves)."""
    from zoo.builder.model import one_step
    from zoo.spec.derived import architecture
    from zoo.tracing.reading import model_inputs
    from zoo.tracing.steps import layer_input, recurrent_layers, trace_head, trace_layer

    spec = record.spec
    traits = architecture(spec)
    if not traits.recurrent:
        raise UserError(f"{spec.name}: a {spec.architecture} model has no recurrence to trace")
    inputs, tokens, labels = model_inputs(model, record, text, array)
    model = one_step(model)  # a recursive forecaster's window is read by its one step
    prefix = ENCODER if traits.encoder_decoder else None
    directions = [
        direction
        for layer in recurrent_layers(model, prefix)
        for direction in trace_layer(layer, layer_input(model, layer, inputs), len(tokens))
    ]
    if not traits.encoder_decoder:
        head = trace_head(model, inputs, len(tokens))
        return Trace(spec.name, spec.cell or "", origin, tokens, directions, head, labels)
    encoder = Trace(spec.name, spec.cell or "", origin, tokens, directions, None, None)
    encoder.decoder = _decoder(model, record, inputs[0], encoder)
    return encoder


def _decoder(model: Any, record: Any, source: np.ndarray, encoder: Trace) -> Trace:
    from zoo.tracing.decoding import attention_weights, greedy_inputs, trace_decoder
    from zoo.tracing.steps import trace_head

    inputs, tokens = greedy_inputs(model, record, source)
    steps = len(tokens)
    return Trace(
        encoder.name,
        encoder.cell,
        encoder.origin,
        tokens,
        trace_decoder(model, inputs, steps),
        trace_head(model, inputs, steps),
        record.vocabulary,
        attention=attention_weights(model, record.spec, inputs, steps),
    )


__all__ = ["COLUMNS", "Trace", "trace", "trace_model"]
