"""What a spec costs to train, estimated from the spec alone, before anything is built:
its parameters, the memory one training step holds, and the work it does.

The estimate walks the layers ``zoo.builder`` makes, in the same order and under the
same names, so its parameter count is the built model's ``count_params()`` (a test
checks every shipped spec and a grid of options). Memory is float32 throughout:

- weights, their gradients, and the optimizer's slot variables (Adam's m and v);
- activations kept for backpropagation through time: for each recurrent layer,
  direction and step, the step's input and two gate-wide tensors (the gates before and
  after their activations), and every layer's output;
- attention: the scores and weights for every (decoder step, encoder step) pair, and
  for additive attention four tensors as wide as the decoder's states per pair.

The activations were measured against the growth of peak memory in one training step
on the CPU (tests/zoo/test_cost.py does it for two models): within 15 % for stacks of
each cell, bidirectional, seq2seq with and without attention.

FLOPs count the matrix products (2 per multiply-add) and attention, forward and
backward (twice the forward); elementwise work is left out. None of it imports
TensorFlow, so validating a spec stays fast.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from zoo.builder.names import (
    ATTENTION,
    DECODER,
    DECODER_EMBEDDING,
    DENSE,
    ENCODER,
    HEAD,
    HIGHWAY,
    INPUTS,
    POOLING,
    RNN,
    embedding_name,
    layer_name,
    norm_name,
)
from zoo.registry import ATTENTIONS, CELLS
from zoo.spec import machine
from zoo.spec.derived import (
    architecture,
    depth,
    head_width,
    highway_reads_levels,
    input_steps,
    output_steps,
    output_width,
    recursive,
    widths,
)
from zoo.spec.document import Finding, KeyPath
from zoo.spec.keras_names import class_key
from zoo.spec.schema import Spec, Train

FLOAT_BYTES = 4  # float32 weights and activations

# Time steps assumed where a spec leaves a length open (variable-length inputs); the
# estimate says so when it uses this.
ASSUMED_STEPS = 100

# More than the zoo trains: 10^10 float32 weights are 40 GB, and training them with
# Adam holds 160 GB, more than the largest accelerator has (a tf.distribute replica
# holds the whole model). A spec past this is refused even where the memory available
# cannot be read.
MAX_PARAMETERS = 10**10


@dataclass(frozen=True)
class Weight:
    layer: str  # the model's layer that holds it, as zoo.builder names it
    name: str  # as Keras names it: kernel, recurrent_kernel, bias, embeddings, ...
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class Cost:
    """What training a spec's model costs, per step at the spec's batch size."""

    weights: tuple[Weight, ...]
    slot_bytes: int  # the optimizer's slot variables
    activation_bytes: int  # kept for the backward pass, attention's apart
    attention_bytes: int  # attention scores and weights (seq2seq)
    flops: int  # one training step, forward and backward
    batch_size: int
    assumed: tuple[str, ...] = ()  # lengths the spec leaves open, ASSUMED_STEPS each

    @property
    def parameters(self) -> int:
        return sum(w.size for w in self.weights)

    @property
    def weight_bytes(self) -> int:
        return self.parameters * FLOAT_BYTES

    @property
    def gradient_bytes(self) -> int:
        return self.weight_bytes  # one gradient per weight

    @property
    def training_bytes(self) -> int:
        return (
            self.weight_bytes
            + self.gradient_bytes
            + self.slot_bytes
            + self.activation_bytes
            + self.attention_bytes
        )

    def layer_parameters(self) -> dict[str, int]:
        """Parameters per layer of the model, by layer name."""
        found: dict[str, int] = {}
        for weight in self.weights:
            found[weight.layer] = found.get(weight.layer, 0) + weight.size
        return found

    def line(self) -> str:
        """The estimate in one line."""
        return (
            f"cost: {self.parameters:,} parameters, {format_bytes(self.training_bytes)} to "
            f"train at batch {self.batch_size} (activations "
            f"{format_bytes(self.activation_bytes + self.attention_bytes)}), "
            f"{format_flops(self.flops)} FLOPs per step{self._assumption()}"
        )

    def lines(self) -> list[str]:
        """The estimate, one quantity a line."""
        per_weight = self.slot_bytes / self.weight_bytes if self.weight_bytes else 0
        rows = [
            ("parameters", f"{self.parameters:,}"),
            ("weights", format_bytes(self.weight_bytes)),
            ("gradients", format_bytes(self.gradient_bytes)),
            ("optimizer slots", f"{format_bytes(self.slot_bytes)} ({per_weight:.3g} per weight)"),
            ("activations", f"{format_bytes(self.activation_bytes)} (kept for backpropagation)"),
            ("attention", format_bytes(self.attention_bytes)),
            ("to train", f"{format_bytes(self.training_bytes)} at batch {self.batch_size}"),
            ("FLOPs per step", format_flops(self.flops)),
        ]
        width = max(len(name) for name, _ in rows)
        lines = [f"{name:<{width}}  {value}" for name, value in rows]
        if self.assumed:
            lines.append(self._assumption().removeprefix("; "))
        return lines

    def _assumption(self) -> str:
        if not self.assumed:
            return ""
        return f"; {' and '.join(self.assumed)} unset: {ASSUMED_STEPS} steps assumed"


def estimate(spec: Spec) -> Cost:
    """The cost of training ``spec``'s model (a spec that passed the rules)."""
    graph = _Graph((spec.train or Train()).batch_size)
    traits = architecture(spec)
    if not traits.recurrent:
        width = _dense_stack(graph, spec, spec.inputs.features or 0)
        _head(graph, spec, width, 1)
    elif traits.encoder_decoder:
        _encoder_decoder(graph, spec)
    else:
        width, steps = _inputs(graph, spec)
        if not traits.takes_sequences:  # the vector is fed at every output step
            steps = graph.steps(spec.outputs.length, "outputs.length")
            graph.keep(steps, width)
        pooled = spec.model.pooling != "last"
        width = _stack(graph, spec, RNN, width, steps, traits.steps is not None or pooled)
        if spec.model.pooling == "attention":  # u_t = tanh(W h_t + b), scored by v
            graph.dense(POOLING, steps, width, width)
            graph.weight(POOLING, "context", width)
        _head(graph, spec, width, _head_steps(graph, spec))
        _highway(graph, spec)
    if recursive(spec):  # the one-step net runs once per step of the horizon
        runs = output_width(spec) or 1
        graph.kept, graph.flops = graph.kept * runs, graph.flops * runs
    return Cost(
        weights=tuple(graph.weights),
        slot_bytes=FLOAT_BYTES * sum(optimizer_slots(spec, w) for w in graph.weights),
        activation_bytes=FLOAT_BYTES * graph.kept,
        attention_bytes=FLOAT_BYTES * graph.attention,
        flops=3 * graph.flops,
        batch_size=graph.batch,
        assumed=tuple(dict.fromkeys(graph.assumed)),
    )


@dataclass
class _Graph:
    """The model as the builder wires it, tallied: weights, floats kept for the
    backward pass, forward FLOPs."""

    batch: int
    weights: list[Weight] = field(default_factory=list)
    kept: int = 0
    attention: int = 0
    flops: int = 0
    assumed: list[str] = field(default_factory=list)

    def weight(self, layer: str, name: str, *shape: int) -> None:
        self.weights.append(Weight(layer, name, shape))

    def keep(self, steps: int, width: int) -> None:
        self.kept += self.batch * steps * width

    def steps(self, length: int | None, where: str) -> int:
        if length is not None:
            return length
        self.assumed.append(where)
        return ASSUMED_STEPS

    def dense(self, layer: str, steps: int, width: int, units: int, bias: bool = True) -> int:
        self.weight(layer, "kernel", width, units)
        if bias:
            self.weight(layer, "bias", units)
        self.flops += 2 * self.batch * steps * width * units
        self.keep(steps, units)
        return units

    def embedding(self, layer: str, steps: int, vocab_size: int, dim: int) -> int:
        self.weight(layer, "embeddings", vocab_size, dim)
        self.keep(steps, dim)
        return dim

    def layer_norm(self, layer: str, steps: int, width: int) -> None:
        self.weight(layer, "gamma", width)
        self.weight(layer, "beta", width)
        self.keep(steps, width)


def _inputs(graph: _Graph, spec: Spec) -> tuple[int, int]:
    """(width, steps) of what the first layer reads: real values, or tokens embedded or
    one-hot (OneHot and the text layer TextIds hold no weights)."""
    i = spec.inputs
    if not architecture(spec).takes_sequences:
        return i.features or 0, 1
    steps = graph.steps(input_steps(spec), "inputs.length")
    if i.vocab_size is None:
        return i.features or 0, steps
    if i.embedding is None:  # one-hot: a column per token but padding
        graph.keep(steps, i.vocab_size - 1)
        return i.vocab_size - 1, steps
    return graph.embedding(embedding_name(INPUTS), steps, i.vocab_size, i.embedding.dim), steps


def _head_steps(graph: _Graph, spec: Spec) -> int:
    steps = output_steps(spec)
    if not steps:
        return 1
    if architecture(spec).steps == "aligned":
        return graph.steps(input_steps(spec), "inputs.length")
    return graph.steps(steps[0], "outputs.length")


def _head(graph: _Graph, spec: Spec, width: int, steps: int) -> None:
    graph.dense(HEAD, steps, width, head_width(spec) or 0)


def _highway(graph: _Graph, spec: Spec) -> None:
    """model.highway: a Dense over its last steps of each feature, and of each feature's
    level beside it where the stack reads changes."""
    steps = spec.model.highway
    if steps is None:
        return
    read = (spec.inputs.features or 0) * (2 if highway_reads_levels(spec) else 1)
    graph.dense(HIGHWAY, 1, steps * read, head_width(spec) or 0)


def _dense_stack(graph: _Graph, spec: Spec, width: int) -> int:
    """The dense baseline: Dropout, Dense, residual add and layer norm per width."""
    model = spec.model
    for index, units in enumerate(widths(spec)):
        name = layer_name(DENSE, index)
        if model.dropout:
            graph.keep(1, width)
        graph.dense(name, 1, width, units, model.use_bias)
        if model.residual and index > 0:
            graph.keep(1, units)
        if model.layer_norm:
            graph.layer_norm(norm_name(name), 1, units)
        width = units
    return width


def _stack(
    graph: _Graph, spec: Spec, prefix: str, width: int, steps: int, last_returns_sequences: bool
) -> int:
    """The recurrent stack (zoo.builder.stack): its output width."""
    model = spec.model
    assert spec.cell is not None  # the rules say so for a recurrent architecture
    gates = CELLS[spec.cell].gates
    directions = 2 if model.bidirectional else 1
    sizes = widths(spec)
    for index, units in enumerate(sizes):
        name = layer_name(prefix, index)
        returns_sequences = last_returns_sequences or index < len(sizes) - 1
        out_steps = steps if returns_sequences else 1
        for _ in range(directions):
            graph.weight(name, "kernel", width, gates * units)
            graph.weight(name, "recurrent_kernel", units, gates * units)
            if model.use_bias:
                graph.weight(name, "bias", *_bias_shape(spec, gates * units))
            graph.flops += 2 * graph.batch * steps * (width + units) * gates * units
            graph.keep(steps, width + 2 * gates * units)
            graph.keep(out_steps, units)
        merged = units * directions if model.merge_mode == "concat" else units
        if model.bidirectional:
            graph.keep(out_steps, merged)
        if model.residual and index > 0 and returns_sequences:
            graph.keep(steps, merged)
        if model.layer_norm:
            graph.layer_norm(norm_name(name), out_steps, merged)
        width = merged
    return width


def _bias_shape(spec: Spec, width: int) -> tuple[int, ...]:
    """A GRU with reset_after (its default) keeps a second bias row, added to h_{t-1} U."""
    if spec.cell == "gru" and spec.model.reset_after is not False:
        return (2, width)
    return (width,)


def _encoder_decoder(graph: _Graph, spec: Spec) -> None:
    """seq2seq (zoo.builder.architectures): the encoder's stack, the decoder's embedding
    and stack from the encoder's states, attention over the encoder, the head."""
    width, source_steps = _inputs(graph, spec)
    _stack(graph, spec, ENCODER, width, source_steps, True)
    out = spec.outputs
    assert out.vocab_size is not None and out.embedding is not None  # the rules say so
    steps = graph.steps(out.length, "outputs.length")
    width = graph.embedding(DECODER_EMBEDDING, steps, out.vocab_size, out.embedding.dim)
    width = _stack(graph, spec, DECODER, width, steps, True)
    if spec.model.attention is not None:
        width = _attention(graph, spec.model.attention, width, steps, source_steps)
    _head(graph, spec, width, steps)


def _attention(graph: _Graph, name: str, width: int, steps: int, source_steps: int) -> int:
    """Each decoder step attends over every encoder step; the context is concatenated
    to the decoder's output (width doubles)."""
    additive = ATTENTIONS[name].score == "additive"
    if additive:
        graph.weight(ATTENTION, "scale", width)
    pairs = graph.batch * steps * source_steps
    # per pair: the scores and their softmax; additive attention also holds four tensors
    # as wide as the states (q + k, its tanh, the tanh scaled, and their gradient)
    graph.attention += pairs * (2 + (4 * width if additive else 0))
    graph.flops += pairs * width * (6 if additive else 4)  # the scores, then the context
    graph.keep(steps, width)  # the context
    graph.keep(steps, 2 * width)  # concatenated
    return 2 * width


# -- optimizers ------------------------------------------------------------------------
# Floats an optimizer keeps for one weight, given its arguments: the slot variables its
# build() adds, by the Keras class's normalised name (keras/src/optimizers/*.py).
SlotRule = Callable[[Mapping[str, Any], Weight], int]


def _copies(count: Callable[[Mapping[str, Any]], int]) -> SlotRule:
    return lambda arguments, weight: count(arguments) * weight.size


def _adafactor(arguments: Mapping[str, Any], weight: Weight) -> int:
    """A velocity as large as the weight; a matrix's also factored: a row and a column."""
    if len(weight.shape) < 2:
        return weight.size
    *leading, rows, columns = weight.shape
    return weight.size + math.prod(leading) * (rows + columns)


def _muon(arguments: Mapping[str, Any], weight: Weight) -> int:
    """A momentum per weight; an Adam velocity too for the weights Muon leaves to Adam:
    those not 2-D, embeddings (exclude_embeddings, on by default), excluded layers."""
    path = f"{weight.layer}/{weight.name}"
    to_adam = (
        len(weight.shape) != 2
        or (arguments.get("exclude_embeddings", True) and "embedding" in path.lower())
        or any(_searched(p, path) for p in arguments.get("exclude_layers") or [])
    )
    return weight.size * (2 if to_adam else 1)


def _searched(pattern: Any, path: str) -> bool:
    try:
        return re.search(str(pattern), path) is not None
    except re.error:  # Keras refuses it when the optimizer is built
        return False


SLOTS: dict[str, SlotRule] = {
    "adadelta": _copies(lambda a: 2),  # accumulated gradients and updates
    "adafactor": _adafactor,
    "adagrad": _copies(lambda a: 1),
    "adam": _copies(lambda a: 2 + bool(a.get("amsgrad"))),  # m, v (and v̂)
    "adamax": _copies(lambda a: 2),
    "adamw": _copies(lambda a: 2 + bool(a.get("amsgrad"))),
    "ftrl": _copies(lambda a: 2),
    "lamb": _copies(lambda a: 2),
    "lion": _copies(lambda a: 1),
    "muon": _muon,
    "nadam": _copies(lambda a: 2),
    "rmsprop": _copies(lambda a: 1 + bool(a.get("momentum")) + bool(a.get("centered"))),
    "schedulefreeadamw": _copies(lambda a: 2),
    "sgd": _copies(lambda a: int(bool(a.get("momentum")))),
}
UNKNOWN_SLOTS = 2  # an optimizer not listed: as many as Adam


def optimizer_slots(spec: Spec, weight: Weight) -> int:
    """Floats the spec's optimizer keeps for ``weight``: its slot variables, and one more
    copy each for use_ema (the moving average) and gradient_accumulation_steps."""
    optimizer = spec.compile.optimizer
    arguments = optimizer.args
    rule = SLOTS.get(class_key(optimizer.name), _copies(lambda a: UNKNOWN_SLOTS))
    extra = bool(arguments.get("use_ema")) + bool(arguments.get("gradient_accumulation_steps"))
    return rule(arguments, weight) + extra * weight.size


# -- does it fit -------------------------------------------------------------------------
@dataclass(frozen=True)
class MemoryLimit:
    """The most a training step may hold, and how a refusal names it."""

    bytes: int
    described: str = "the limit is {}"  # "{}" is the size

    def __str__(self) -> str:
        return self.described.format(format_bytes(self.bytes))

    @classmethod
    def available(cls) -> MemoryLimit | None:
        """What this machine can still allocate, None where that cannot be read."""
        found = machine.available()
        return None if found is None else cls(found.bytes, found.described)


MaxMemory = MemoryLimit | int | str | None  # bytes or a size like "8GiB", for the Python API


def memory_limit(value: MaxMemory) -> MemoryLimit | None:
    """The Python API's ``max_memory``: bytes, a size as the command line takes it
    ("8GiB"), or a limit already made."""
    if isinstance(value, str):
        return MemoryLimit(parse_size(value), f"max_memory is {{}} ({value!r})")
    return MemoryLimit(value) if isinstance(value, int) else value


def fit_findings(spec: Spec, limit: MemoryLimit | None = None) -> list[Finding]:
    """Why ``spec`` cannot be trained: more memory than ``limit``, or (wherever it is
    trained) more than MAX_PARAMETERS parameters. At most one finding, at the size field
    most responsible."""
    cost = estimate(spec)
    if limit is not None and cost.training_bytes > limit.bytes:
        path, value, without = _culprit(spec, lambda c: c.training_bytes)
        if without.parameters < cost.parameters:
            made = f"{_count(cost.parameters)} parameters"
        else:
            made = f"{format_bytes(cost.activation_bytes + cost.attention_bytes)} of activations"
        needs = format_bytes(cost.training_bytes)
        return [(path, f"{value} makes {made} ({needs} to train); {limit}")]
    if cost.parameters > MAX_PARAMETERS:
        path, value, _ = _culprit(spec, lambda c: c.parameters)
        return [
            (
                path,
                f"{value} makes {_count(cost.parameters)} parameters; the zoo builds at most "
                f"{_count(MAX_PARAMETERS)} ({format_bytes(MAX_PARAMETERS * FLOAT_BYTES)} of "
                "weights alone)",
            )
        ]
    return []


# The size fields a refusal may blame, each with the small value it is compared at.
SIZES: tuple[tuple[KeyPath, int], ...] = (
    (("model", "units"), 1),
    (("inputs", "vocab_size"), 2),
    (("outputs", "vocab_size"), 2),
    (("model", "layers"), 1),
    (("train", "batch_size"), 1),
    (("inputs", "length"), 1),
    (("outputs", "length"), 1),
    (("inputs", "features"), 1),
    (("inputs", "embedding", "dim"), 1),
    (("outputs", "embedding", "dim"), 1),
    (("outputs", "units"), 1),
)


def _culprit(spec: Spec, measure: Callable[[Cost], int]) -> tuple[KeyPath, str, Cost]:
    """(the field, its value, the cost without it): the size field whose small value
    would cut ``measure`` the most."""
    candidates = []
    for path, small in SIZES:
        value = _get(spec, path)
        if path == ("model", "units"):
            small_value: Any = [small] * len(value) if isinstance(value, list) else small
            smaller = _replaced(spec, path, small_value)
        elif path == ("model", "layers"):  # one layer, of the first width
            if depth(spec) == 1:
                continue
            if value is None:  # the depth of a list of widths
                path, value = ("model", "units"), spec.model.units
            one = _replaced(spec, ("model", "units"), widths(spec)[0])
            smaller = _replaced(one, ("model", "layers"), None)
        elif value is None:
            continue
        else:
            smaller = _replaced(spec, path, small)
        candidates.append((path, value, estimate(smaller)))
    path, value, without = min(candidates, key=lambda c: measure(c[2]))
    return path, _shown(value), without


def _get(section: Any, path: KeyPath) -> Any:
    for key in path:
        section = getattr(section, str(key), None)
        if section is None:
            return None
    return section


def _replaced(section: BaseModel, path: KeyPath, value: Any) -> Any:
    """``section`` with the field at ``path`` replaced, unvalidated: the estimate reads
    only sizes."""
    key = str(path[0])
    if len(path) > 1:
        value = _replaced(getattr(section, key), path[1:], value)
    return section.model_copy(update={key: value})


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- sizes as text ---------------------------------------------------------------------
BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
SIZE_UNITS = {
    "": 1,
    "b": 1,
    **{f"{p}b": 1000**n for n, p in enumerate("kmgtpe", start=1)},
    **{f"{p}ib": 1024**n for n, p in enumerate("kmgtpe", start=1)},
}


def format_bytes(count: int) -> str:
    """1536 -> "1.5 KiB", in binary units; past EiB, "1.2e30 B"."""
    for power, unit in enumerate(BYTE_UNITS):
        if count < 1024 ** (power + 1):  # compared as integers: any size a spec makes
            if power == 0:
                return f"{count} B"
            scaled = count / 1024**power
            return f"{scaled:.1f} {unit}" if scaled < 9.95 else f"{scaled:.0f} {unit}"
    return f"{_scientific(count)} B"


def format_flops(count: int) -> str:
    """Engineering notation: 12345 -> "12.3e3"."""
    if count < 1000:
        return str(count)
    exponent = _exponent(count) // 3 * 3
    mantissa = float(f"{count / 10**exponent:.3g}")
    if mantissa >= 1000:  # 999.9e3 rounds up to 1e6
        mantissa, exponent = mantissa / 1000, exponent + 3
    return f"{mantissa:g}e{exponent}"


def _count(count: int) -> str:
    """A parameter count in a message: 357, or 4.0e12 for a large one."""
    return f"{count:,}" if count < 10**6 else _scientific(count)


def _scientific(count: int) -> str:
    """1.0e12: the exponent from the integer, so that any size a YAML file holds shows."""
    exponent = _exponent(count)
    mantissa = round(count / 10**exponent, 1)
    if mantissa >= 10:  # 9.96e12 rounds up to 1.0e13
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.1f}e{exponent}"


def _exponent(count: int) -> int:
    """floor(log10(count)) for a positive integer, exact near powers of ten."""
    exponent = int(math.log10(count))
    if 10**exponent > count:
        exponent -= 1
    elif 10 ** (exponent + 1) <= count:
        exponent += 1
    return exponent


def parse_size(text: str) -> int:
    """ "8GiB", "500MB", "1.5 TiB", "4096" (bytes) -> bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*", text)
    unit = match[2].lower() if match else ""
    size = float(match[1]) * SIZE_UNITS[unit] if match and unit in SIZE_UNITS else 0.0
    if not 0 < size < math.inf:  # digits beyond a float's range read as inf
        raise ValueError(f"expected a size such as 8GiB or 500MB, got {text!r}")
    return int(size)
