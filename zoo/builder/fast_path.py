"""`implementation: auto`: Keras's cuDNN kernel where it can run, the project's layers
elsewhere, and the reason in one line.

Keras's LSTM and GRU hand the whole sequence to one cuDNN call when a GPU is visible
and the layer computes exactly what that kernel does (the conditions below are those
of keras.src.backend.tensorflow.rnn.cudnn_ok and of the layers' inner_loop). Without
it, Keras runs the same generic step-by-step loop the project's layers run, and ours
are as fast or faster on a CPU (see docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from zoo.spec.derived import truncation
from zoo.spec.schema import Spec

CUDNN_CELLS = ("lstm", "gru")


@dataclass(frozen=True)
class Choice:
    implementation: str  # a name in the IMPLEMENTATIONS registry, never "auto"
    reason: str


def choose_implementation(spec: Spec) -> Choice:
    """The implementation a spec's layers use: as written, or for "auto" the fastest
    one its configuration and this machine allow."""
    if spec.implementation != "auto":
        return Choice(spec.implementation, "as the spec says")
    obstacles = cudnn_obstacles(spec)
    if obstacles:
        return Choice("custom", f"no cuDNN: {'; '.join(obstacles)}")
    return Choice("keras", "cuDNN: a GPU is visible and the configuration is one it computes")


def cudnn_obstacles(spec: Spec) -> list[str]:
    """Why Keras's cuDNN kernel cannot run this spec's layers here (none: it can)."""
    if spec.cell not in CUDNN_CELLS:
        return [f"Keras has a cuDNN kernel for lstm and gru, not {spec.cell}"]
    model, obstacles = spec.model, []
    if model.activation != "tanh":
        obstacles.append(f"activation {model.activation} (the kernel computes tanh)")
    if model.recurrent_activation not in (None, "sigmoid"):  # None: the cell's sigmoid
        obstacles.append(f"recurrent_activation {model.recurrent_activation} (sigmoid only)")
    if model.recurrent_dropout:
        obstacles.append(f"recurrent_dropout {model.recurrent_dropout}")
    if model.unroll:
        obstacles.append("unroll: true")
    if truncation(spec) is not None:
        obstacles.append("train.truncate (the kernel runs the whole loop)")
    if not model.use_bias:
        obstacles.append("use_bias: false")
    if spec.cell == "gru" and model.reset_after is False:
        obstacles.append("reset_after: false")
    if not obstacles and not gpu_visible():
        obstacles.append("no GPU is visible")
    return obstacles


def gpu_visible() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_logical_devices("GPU"))
