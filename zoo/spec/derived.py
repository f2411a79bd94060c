"""What follows from a spec without building it: its architecture's traits, the layers'
widths, the head's width and activation, the loss, the output steps. Computed here once,
for the rules, the data checks, the cost estimate and the builder alike; none of it
needs TensorFlow."""

from __future__ import annotations

from zoo.registry import ARCHITECTURES, DATASETS, Architecture
from zoo.spec.keras_names import class_key
from zoo.spec.schema import QuantileLoss, Spec


def architecture(spec: Spec) -> Architecture:
    return ARCHITECTURES[spec.architecture]


def depth(spec: Spec) -> int:
    """How many layers the stack has: as many as model.units lists, else model.layers or 1
    (counted, never listed: a rule refuses a depth of 10^12 before anything lists it)."""
    units = spec.model.units
    return len(units) if isinstance(units, list) else spec.model.layers or 1


def widths(spec: Spec) -> list[int]:
    """One width per layer: model.units as a list, or repeated model.layers times."""
    units = spec.model.units
    return list(units) if isinstance(units, list) else [units] * depth(spec)


def input_steps(spec: Spec) -> int | None:
    """inputs.length, or where the spec leaves it open, the steps its data source cuts
    and pads every example to (a text source's args.length); None if neither says."""
    if spec.inputs.length is not None or spec.data is None:
        return spec.inputs.length
    argument = DATASETS[spec.data.source].steps_arg
    value = spec.data.args.get(argument) if argument else None
    return value if isinstance(value, int) else None


def output_vocabulary(spec: Spec) -> int | None:
    """The vocabulary the head's softmax is over, for token outputs."""
    vocabulary = architecture(spec).vocabulary
    if vocabulary is None:
        return None
    return spec.inputs.vocab_size if vocabulary == "inputs" else spec.outputs.vocab_size


def output_width(spec: Spec) -> int | None:
    return spec.outputs.units or output_vocabulary(spec)


def head_width(spec: Spec) -> int | None:
    """The head's Dense units: the outputs, once per quantile of a quantile forecaster;
    a recursive forecaster's one step ahead of its one series."""
    if recursive(spec):
        return 1
    width, bands = output_width(spec), quantiles(spec)
    return width * len(bands) if width is not None and bands else width


def recursive(spec: Spec) -> bool:
    """Whether the forecaster reaches its horizon by feeding back one step ahead
    (data.forecast: recursive), the model's outputs one per step of it."""
    return spec.data is not None and spec.data.forecast == "recursive"


def output_activation(spec: Spec) -> str:
    if spec.outputs.activation is not None:
        return spec.outputs.activation
    return "softmax" if architecture(spec).emits_tokens else "linear"


def loss_name(spec: Spec) -> str:
    """compile.loss, or the default for the head: sparse categorical cross-entropy for
    token outputs and a softmax over classes, binary cross-entropy for a sigmoid, else
    mse."""
    if isinstance(spec.compile.loss, QuantileLoss):
        return spec.compile.loss.name
    if spec.compile.loss is not None:
        return spec.compile.loss
    activation = output_activation(spec)
    if architecture(spec).emits_tokens or activation == "softmax":
        return "sparse_categorical_crossentropy"
    if activation == "sigmoid":
        return "binary_crossentropy"
    return "mse"


def quantiles(spec: Spec) -> list[float] | None:
    """The quantiles a quantile forecaster's head forecasts (None: a point forecast)."""
    loss = spec.compile.loss
    return list(loss.quantiles) if isinstance(loss, QuantileLoss) else None


# The losses of a head whose outputs are class probabilities, by their name as Keras
# reads it (snake_case or the class's name: "SparseCategoricalCrossentropy" too), and
# whether they take class ids (sparse) rather than one target per class.
CLASSIFYING_LOSSES = {
    "sparsecategoricalcrossentropy": True,
    "categoricalcrossentropy": False,
    "categoricalfocalcrossentropy": False,
    "binarycrossentropy": False,
    "binaryfocalcrossentropy": False,
}


def classifies(spec: Spec) -> bool:
    """Whether the loss makes the head's outputs class probabilities."""
    return class_key(loss_name(spec)) in CLASSIFYING_LOSSES


def sparse_targets(spec: Spec) -> bool:
    """Whether the loss takes class ids as targets (one per output step)."""
    return CLASSIFYING_LOSSES.get(class_key(loss_name(spec)), False)


def output_steps(spec: Spec) -> list[int | None]:
    """The output's time axis: [] for one output, else [its length or None]."""
    steps = architecture(spec).steps
    if steps is None:
        return []
    return [spec.inputs.length if steps == "aligned" else spec.outputs.length]


def scales_inputs(spec: Spec) -> bool:
    """Whether data.scale applies to the inputs: real values (token ids never are)."""
    return spec.inputs.features is not None


def scales_targets(spec: Spec) -> bool:
    """Whether data.scale applies to the targets: a regression head, real values out
    through a linear activation."""
    return not architecture(spec).emits_tokens and output_activation(spec) == "linear"


def highway_reads_levels(spec: Spec) -> bool:
    """Whether model.highway reads the window's levels beside the changes the stack reads
    (with data.difference)."""
    return spec.model.highway is not None and spec.data is not None and bool(spec.data.difference)


def truncation(spec: Spec) -> int | None:
    """train.truncate: how many steps back the gradient reaches (None: all of them)."""
    return spec.train.truncate if spec.train is not None else None


def masks_input_padding(spec: Spec) -> bool:
    """Whether the model masks token id 0 of its inputs (padding): an embedding with
    mask_zero, or one-hot inputs, which always do."""
    inputs = spec.inputs
    if inputs.vocab_size is None:
        return False
    return inputs.encoding == "one_hot" or bool(inputs.embedding and inputs.embedding.mask_zero)
