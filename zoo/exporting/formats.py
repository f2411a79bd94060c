"""The export formats: what Keras calls each, and how its own runtime runs an artefact
(TensorFlow's SavedModel loader, onnxruntime, the LiteRT interpreter)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# The runners take the model's inputs by name, in the model's order, and return its
# outputs in the model's order: runtimes may list inputs in another order (LiteRT
# sorts them by name), and states of one size cannot be told apart by shape.
Inputs = dict[str, np.ndarray]


@dataclass(frozen=True)
class Format:
    keras_name: str  # model.export's format
    suffix: str  # "" for a folder
    runtime: str  # what loads it, for messages
    needs: tuple[str, ...]  # modules export or its check imports
    holds_strings: bool  # can it hold a text model's string ops
    run: Callable[[Path, Inputs], list[np.ndarray]]


def _run_saved_model(path: Path, inputs: Inputs) -> list[np.ndarray]:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    tensors = [tensor(x) for x in inputs.values()]
    return arrays(loaded.serve(tensors if len(tensors) > 1 else tensors[0]))


def _run_onnx(path: Path, inputs: Inputs) -> list[np.ndarray]:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [spec.name for spec in session.get_inputs()]
    feeds = inputs if set(names) == set(inputs) else dict(zip(names, inputs.values(), strict=True))
    return [np.asarray(out) for out in session.run(None, feeds)]


def _run_litert(path: Path, inputs: Inputs) -> list[np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=str(path)).get_signature_runner()
    outputs = runner(**inputs)  # it resizes to the inputs' shapes
    return [outputs[f"output_{i}"] for i in range(len(outputs))]


FORMATS: dict[str, Format] = {
    "saved_model": Format(
        "tf_saved_model", "", "tf.saved_model.load", ("tensorflow",), True, _run_saved_model
    ),
    "onnx": Format("onnx", ".onnx", "onnxruntime", ("onnxruntime", "tf2onnx"), False, _run_onnx),
    "litert": Format(
        "litert", ".tflite", "the LiteRT interpreter", ("ai_edge_litert",), False, _run_litert
    ),
}


def tensor(x: np.ndarray) -> Any:
    import tensorflow as tf

    return tf.constant(list(x)) if x.dtype == object else tf.constant(x)


def arrays(outputs: Any) -> list[np.ndarray]:
    if isinstance(outputs, dict):  # output_0, output_1, ...: in order, not sorted as text
        outputs = [outputs[k] for k in sorted(outputs, key=lambda k: (len(k), k))]
    if isinstance(outputs, (list, tuple)):
        return [np.asarray(o) for o in outputs]
    return [np.asarray(outputs)]
