"""Everything from the user's raw input to a trained model to its answer: reading and
checking inputs (``inputs``), running the model (``commands``: evaluate, predict,
generate), the answer in the user's terms (``prediction``), and the decoders that
language models and encoder-decoders need beyond the training graph (``decoding``)."""

from zoo.inference.commands import (
    evaluate,
    generate,
    melody,
    predict,
    resolve_model_path,
    roll_forward,
    samples,
)
from zoo.inference.prediction import Prediction

__all__ = [
    "Prediction",
    "evaluate",
    "generate",
    "melody",
    "predict",
    "resolve_model_path",
    "roll_forward",
    "samples",
]
