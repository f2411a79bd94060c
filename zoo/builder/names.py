"""The names the builder gives a model's layers, defined once.

Inference (sampling, decoding), tracing, exporting and the cost estimate find a
model's layers again by these names, so they import them from here rather than
spelling the strings. No TensorFlow or Keras here: ``zoo.spec.cost`` reads these names
while validating a spec, which must stay fast.
"""

from __future__ import annotations

# The model's input and, for a seq2seq, the teacher-forced target tokens.
INPUTS = "inputs"
DECODER_INPUTS = "decoder_inputs"

# Prefixes of a stack's layers, numbered from 1 bottom up (``layer_name``).
RNN = "rnn"  # the recurrent stack of every recurrent architecture but seq2seq
ENCODER = "encoder"  # a seq2seq's stacks
DECODER = "decoder"
DENSE = "dense"  # the dense baseline's hidden layers

TEXT_IDS = "text_ids"  # strings -> token ids, where the model takes raw text
INPUT_SCALING = "input_scaling"
OUTPUT_SCALING = "output_scaling"
WINDOW_SCALING = "window_scaling"  # data.scale: window, in front of the stack
WINDOW_UNSCALING = "window_unscaling"  # and after the head
DIFFERENCING = "differencing"  # data.difference, in front of the stack
UNDIFFERENCING = "undifferencing"  # and after the head
REPEAT = "repeat"  # one_to_many: the input vector at every output step
ATTENTION = "attention"
ATTENTION_CONCAT = "attention_concat"  # the decoder's output and its attention context
POOLING = "pooling"  # many_to_one's model.pooling over the stack's outputs
HEAD = "head"  # the output Dense layer
QUANTILES = "quantiles"  # a quantile forecaster's head, as (quantiles, outputs)
HIGHWAY = "highway"  # model.highway: a Dense of the last steps, added to the head output
# with data.difference, the highway also reads the window's levels: scaled as the window
# is, cropped to the steps the changes have, beside the changes
# data.forecast recursive: the one-step forecaster, a model inside the model, and the
# layers that feed each of its forecasts back as the window's next step
ONE_STEP = "one_step"
FED_BACK = "fed_back"
LEVEL_SCALING = "level_scaling"
LEVELS = "levels"
WITH_LEVELS = "with_levels"


def layer_name(prefix: str, index: int) -> str:
    """The stack ``prefix``'s layer at ``index`` (from 0, bottom up): ``rnn_1`` first."""
    return f"{prefix}_{index + 1}"


def embedding_name(input_name: str) -> str:
    """The Embedding layer of an input's tokens: ``inputs_embedding``."""
    return f"{input_name}_embedding"


def one_hot_name(input_name: str) -> str:
    """The OneHot layer of an input's tokens where it has no embedding."""
    return f"{input_name}_one_hot"


def residual_name(layer: str) -> str:
    """The Add of ``layer``'s input to its output."""
    return f"{layer}_residual"


def norm_name(layer: str) -> str:
    """The LayerNormalization after ``layer``."""
    return f"{layer}_norm"


def dropout_name(layer: str) -> str:
    """The Dropout in front of the dense baseline's ``layer``."""
    return f"{layer}_dropout"


def backward_name(layer: str) -> str:
    """The backward direction of the bidirectional ``layer``, as Keras names it."""
    return f"backward_{layer}"


DECODER_EMBEDDING = embedding_name(DECODER)
INPUT_VECTORS = (embedding_name(INPUTS), one_hot_name(INPUTS))  # tokens in as vectors
