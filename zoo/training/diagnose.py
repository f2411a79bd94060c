"""‖∂L/∂s_t‖ for every time step t: the vanishing (or exploding) gradient, measured.

Backpropagation through time multiplies one Jacobian per step, so the gradient
of the loss with respect to an early hidden state is a long product: norms
below 1 vanish, above 1 explode. The diagnostic unrolls the first recurrent
layer's cell step by step under a gradient tape, keeping every state s_t (h_t,
and c_t for an LSTM), then asks the tape for ∂L/∂s_t (the total derivative,
through all later steps) and averages its norm over a batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from custom_layers._truncation import carried
from zoo.builder.model import one_step
from zoo.data import load_splits
from zoo.data.base import Numbering
from zoo.errors import UserError
from zoo.registry import ARCHITECTURES
from zoo.spec.schema import Spec


def diagnosable(name: str) -> bool:
    """One input sequence read by a recurrent stack: the gradient at each of its steps
    is defined (an encoder-decoder's has two sequences)."""
    traits = ARCHITECTURES[name]
    return traits.takes_sequences and traits.recurrent and not traits.encoder_decoder


@dataclass
class GradientProfile:
    name: str
    norms: np.ndarray  # [T]: mean over the batch of ‖∂L/∂s_t‖


def hidden_state_gradients(model: keras.Model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean over the batch of ‖∂L/∂s_t‖ for each step t, where s_t is the first recurrent
    layer's whole state after step t: h_t, and for an LSTM also the cell state c_t (the
    additive path that lets its gradient last). With train.truncate: k the layer cuts the
    gradient every k steps, and so does this loop."""
    stepped = one_step(model)  # a recursive forecaster's: the loss of its first step
    y = y if stepped is model else y[:, : stepped.output.shape[-1]]
    layer = _first_recurrent_layer(stepped)
    if any(getattr(each, "mask_zero", False) for each in stepped.layers):
        # The later layers take the padding mask from the inputs, past the unrolled cell.
        raise UserError(
            "diagnose unrolls the cell over every step, padding included, and this model "
            "masks padding: use --set inputs.embedding.mask_zero=false (one-hot inputs "
            "always mask it)"
        )
    feed = keras.Model(stepped.input, layer.input)  # what the recurrent layer reads
    # everything after it, and the window itself where the forecast is put back on its
    # level and spread (data.scale window, data.difference)
    rest = keras.Model([stepped.input, layer.output], stepped.output)
    inputs = feed(x)
    cell, truncate = layer.cell, getattr(layer, "truncate", None)
    sizes = cell.state_size if isinstance(cell.state_size, list) else [cell.state_size]
    with tf.GradientTape() as tape:
        states = [tf.zeros((inputs.shape[0], size)) for size in sizes]
        outputs, kept = [], []
        for t in range(inputs.shape[1]):
            # the gradient cut of train.truncate, as the layer's own loop makes it
            output, states = cell(inputs[:, t], carried(states, t, truncate))
            outputs.append(output)
            kept.append(list(states))
        sequence = tf.stack(outputs, axis=1) if layer.return_sequences else outputs[-1]
        loss = model.compute_loss(x=x, y=y, y_pred=rest([tf.convert_to_tensor(x), sequence]))
    gradients = tape.gradient(loss, kept)
    return np.array(
        [float(tf.reduce_mean(tf.norm(tf.concat(step, axis=-1), axis=-1))) for step in gradients]
    )


def _first_recurrent_layer(model: keras.Model) -> keras.layers.RNN:
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            raise UserError("diagnose measures one direction: use a spec without bidirectional")
        if isinstance(layer, keras.layers.RNN):
            return layer
    raise UserError("the model has no recurrent layer to diagnose")


def profile(
    spec: Spec,
    folder: Path,
    batch: int,
    model: keras.Model | None = None,
    name: str | None = None,
    numbering: Numbering | None = None,
) -> GradientProfile:
    """The profile of ``model`` (default: the spec's model as initialised) on the first
    ``batch`` training examples of the spec's data (read with a trained model's
    ``numbering`` of classes and tokens)."""
    if not diagnosable(spec.architecture):
        supported = ", ".join(name for name in ARCHITECTURES if diagnosable(name))
        raise UserError(f"{spec.name}: diagnose supports {supported}, not {spec.architecture}")
    from zoo.training.run import build_fitted

    splits = load_splits(spec, folder, numbering)
    model = model or build_fitted(spec, splits)  # a text model takes the data's strings
    x, y = splits.train.x[:batch], splits.train.y[:batch]
    return GradientProfile(name or spec.name, hidden_state_gradients(model, x, y))


def plot_profiles(profiles: list[GradientProfile], path: Path) -> Path:
    from zoo.training.plots import label, log_scale_if_positive, new_figure, save_figure

    figure, axis = new_figure()
    for item in profiles:
        axis.plot(np.arange(1, len(item.norms) + 1), item.norms, label=item.name)
    log_scale_if_positive(axis, [v for item in profiles for v in item.norms])
    label(
        axis,
        "time step t",
        "mean ‖∂L/∂s_t‖",
        "gradient of the loss with respect to the state after each step",
    )
    return save_figure(figure, path)
