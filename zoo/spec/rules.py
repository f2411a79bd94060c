"""Rules that relate several fields of a spec, each reported at the key it blames.

Every rule keeps an option from being silently ignored: an option that does not
apply to the chosen architecture or cell is an error, not a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator

from zoo.registry import ARCHITECTURES, CELLS
from zoo.spec.derived import (
    architecture,
    depth,
    output_steps,
    output_vocabulary,
    quantiles,
    recursive,
    scales_inputs,
    scales_targets,
    truncation,
)
from zoo.spec.document import Finding, KeyPath
from zoo.spec.metrics import CALLBACK_MONITOR, metric_direction, monitored, unlogged
from zoo.spec.schema import Spec
from zoo.spec.space import tune_findings

# Keras walks a functional model's graph recursively, one Python frame per layer call
# (keras.src.ops.function), to build, save and load it: under Python's default
# recursion limit of 1000, a stack of about 900 plain layers fails, or 300 with a
# residual add and a layer norm after each. 100 leaves room for the caller's frames,
# and a 100-layer stack already takes minutes to trace its first training step.
MAX_LAYERS = 100


def check_rules(spec: Spec) -> list[Finding]:
    return [
        *_inputs(spec),
        *_cell_options(spec),
        *_stack(spec),
        *_outputs(spec),
        *_causal(spec),
        *_clipping(spec),
        *_truncation(spec),
        *_monitors(spec),
        *_scale(spec),
        *_difference(spec),
        *_quantile(spec),
        *_recursive(spec),
        *_pooling(spec),
        *tune_findings(spec),
    ]


def _inputs(spec: Spec) -> Iterator[Finding]:
    inputs, arch, traits = spec.inputs, spec.architecture, architecture(spec)
    if traits.reads == "tokens":
        if inputs.vocab_size is None:
            yield ("inputs", "vocab_size"), f"a {arch} needs inputs.vocab_size"
        if inputs.features is not None:
            yield ("inputs", "features"), f"a {arch} reads tokens: use vocab_size"
    elif (inputs.features is None) == (inputs.vocab_size is None):
        yield ("inputs",), "give exactly one of inputs.features or inputs.vocab_size"
    one_hot = inputs.encoding == "one_hot"
    if inputs.vocab_size is not None and inputs.embedding is None and not one_hot:
        yield ("inputs", "embedding"), "token inputs need an embedding: {dim: ...}"
    if one_hot and inputs.embedding is not None:
        yield ("inputs", "embedding"), "one-hot inputs have no embedding: remove it"
    if one_hot and inputs.vocab_size is None:
        yield ("inputs", "encoding"), "one-hot inputs are tokens: give inputs.vocab_size"
    if one_hot and inputs.vocab_size == 1:
        yield ("inputs", "vocab_size"), "one-hot inputs need 2 or more token ids (0 is padding)"
    if inputs.embedding is not None and inputs.vocab_size is None:
        yield ("inputs", "embedding"), "an embedding needs inputs.vocab_size"
    if not traits.takes_sequences:
        if inputs.length is not None:
            yield ("inputs", "length"), f"{arch} takes a vector, not a sequence: remove length"
        if inputs.vocab_size is not None:
            yield ("inputs", "vocab_size"), f"{arch} takes a real-valued vector: use features"
    if spec.model.unroll and inputs.length is None:
        yield ("model", "unroll"), "unrolling needs a fixed inputs.length"


def _cell_options(spec: Spec) -> Iterator[Finding]:
    model, cell, arch = spec.model, spec.cell, spec.architecture
    if not architecture(spec).recurrent:
        if cell is not None:
            yield ("cell",), f"{arch} is a dense baseline: it has no cell"
        recurrent_only = (
            "recurrent_activation",
            "recurrent_initializer",
            "unit_forget_bias",
            "reset_after",
        )
        for name in recurrent_only:
            if getattr(model, name) is not None:
                yield ("model", name), f"applies to recurrent cells only, not {arch}"
        for name in ("bidirectional", "unroll"):
            if getattr(model, name):
                yield ("model", name), f"applies to recurrent cells only, not {arch}"
        if model.recurrent_dropout:
            yield ("model", "recurrent_dropout"), "applies to recurrent cells only"
        return
    if cell is None:
        yield ("cell",), f"{arch} needs a cell: {', '.join(CELLS)}"
        return
    if cell == "rnn" and model.recurrent_activation is not None:
        yield ("model", "recurrent_activation"), "the rnn cell has no gates (lstm/gru only)"
    if cell != "lstm" and model.unit_forget_bias is not None:
        yield ("model", "unit_forget_bias"), f"applies to lstm only, not {cell}"
    if cell != "gru" and model.reset_after is not None:
        yield ("model", "reset_after"), f"applies to gru only, not {cell}"


def _stack(spec: Spec) -> Iterator[Finding]:
    model = spec.model
    if isinstance(model.units, list) and model.layers not in (None, len(model.units)):
        yield (
            ("model", "layers"),
            f"is {model.layers} but model.units lists {len(model.units)} widths",
        )
    if depth(spec) > MAX_LAYERS:
        where = ("model", "layers") if model.layers is not None else ("model", "units")
        message = (
            f"{depth(spec)} layers is more than the {MAX_LAYERS} the zoo builds: Keras recurses "
            "once per layer to build, save and load a model, and deeper stacks exceed Python's "
            "recursion limit"
        )
        yield where, message
    if model.residual and isinstance(model.units, list) and len(set(model.units)) > 1:
        yield ("model", "residual"), "residual connections need equal widths in model.units"
    if model.attention is not None and not architecture(spec).encoder_decoder:
        yield ("model", "attention"), f"attention applies to {_encoder_decoders()} only"
    if model.highway is not None:
        yield from _highway(spec)
    if model.merge_mode != "concat" and not model.bidirectional:
        yield ("model", "merge_mode"), "applies with bidirectional: true only"


def _highway(spec: Spec) -> Iterator[Finding]:
    """model.highway reads the last steps of a many_to_one's window, after any difference,
    and adds to its regression head."""
    where, steps = ("model", "highway"), spec.model.highway
    if spec.architecture != "many_to_one":
        yield where, f"applies to many_to_one only, not {spec.architecture}"
    elif not scales_targets(spec):
        yield where, "adds to the head's output: it needs a regression head (a linear activation)"
    elif spec.inputs.length is not None and steps is not None:
        read = spec.inputs.length - ((spec.data.difference if spec.data is not None else 0) or 0)
        if steps > read:
            yield where, f"{steps} steps are more than the {read} the stack reads"


def _outputs(spec: Spec) -> Iterator[Finding]:
    outputs, arch, traits = spec.outputs, spec.architecture, architecture(spec)
    if traits.encoder_decoder:
        if outputs.vocab_size is None:
            yield ("outputs", "vocab_size"), f"{arch} needs the target vocabulary size"
        if outputs.embedding is None:
            yield ("outputs", "embedding"), f"{arch} needs a target embedding: {{dim: ...}}"
    else:
        for name in ("vocab_size", "embedding"):
            if getattr(outputs, name) is not None:
                yield ("outputs", name), f"applies to {_encoder_decoders()} only"
    if traits.needs_output_length and outputs.length is None:
        yield ("outputs", "length"), f"{arch} needs the output sequence length"
    if traits.steps != "generated" and outputs.length is not None:
        generated = [name for name, a in ARCHITECTURES.items() if a.steps == "generated"]
        yield ("outputs", "length"), f"applies to {' and '.join(generated)}, not {arch}"
    if traits.emits_tokens:
        vocab = output_vocabulary(spec)
        if outputs.units is not None and vocab is not None and outputs.units != vocab:
            yield ("outputs", "units"), f"must equal the vocabulary size ({vocab}) or be omitted"
    elif outputs.units is None:
        yield ("outputs", "units"), f"{arch} needs the output width"


def _causal(spec: Spec) -> Iterator[Finding]:
    """A causal model's output at step t must not depend on later steps: a bidirectional
    language model would read the very token it is asked to predict, and a bidirectional
    decoder the targets it is to generate."""
    if architecture(spec).causal and spec.model.bidirectional:
        why = (
            "the decoder generates one token at a time"
            if architecture(spec).encoder_decoder
            else "its backward layer would read the next token it is to predict"
        )
        yield ("model", "bidirectional"), f"a {spec.architecture} must be causal: {why}"


def _encoder_decoders() -> str:
    return " and ".join(name for name, a in ARCHITECTURES.items() if a.encoder_decoder)


def _clipping(spec: Spec) -> Iterator[Finding]:
    names = [n for n in ("clipnorm", "clipvalue", "global_clipnorm") if getattr(spec.compile, n)]
    if len(names) > 1:
        yield (
            ("compile", names[1]),
            f"choose one gradient clipping option, got {' and '.join(names)}",
        )


def _truncation(spec: Spec) -> Iterator[Finding]:
    if truncation(spec) is None:
        return
    if not architecture(spec).recurrent:
        yield ("train", "truncate"), f"{spec.architecture} has no recurrence to truncate"
    elif spec.implementation == "keras":
        yield (
            ("train", "truncate"),
            "Keras's built-in layers cannot truncate the gradient: use implementation: custom",
        )


def _monitors(spec: Spec) -> Iterator[Finding]:
    """train.monitor and each callback's monitor name a metric the run logs, whose
    direction is known (it decides which epoch is best)."""
    if spec.train is None or spec.data is None:
        return
    watched: list[tuple[KeyPath, str]] = [(("train", "monitor"), monitored(spec))]
    for i, callback in enumerate(spec.train.callbacks):
        name = callback.args.get("monitor", CALLBACK_MONITOR)
        if isinstance(name, str):
            watched.append((("train", "callbacks", i, "args", "monitor"), name))
    for where, name in watched:
        reason = unlogged(spec, name)
        if reason is not None:
            yield where, reason
        elif metric_direction(name) is None:
            yield where, f"cannot tell whether a higher or a lower {name!r} is better"


def _windowed(spec: Spec) -> bool:
    """A forecaster whose windows can be scaled or differenced one by one."""
    return spec.architecture == "many_to_one" and scales_inputs(spec) and scales_targets(spec)


def _difference(spec: Spec) -> Iterator[Finding]:
    """data.difference needs windows of levels to difference, and leaves steps to read."""
    lag = spec.data.difference if spec.data is not None else None
    if not lag:
        return
    where = ("data", "difference")
    if not _windowed(spec):
        yield (
            where,
            "differences each window of a series and puts the forecast back: it needs a "
            "many_to_one forecaster, real-valued inputs (inputs.features) and a regression "
            "head (a linear activation)",
        )
    elif spec.data.scale in ("standard", "minmax"):
        yield (
            where,
            f"with data.scale {spec.data.scale} the training split's levels would scale the "
            "changes; use data.scale: window (the default with data.difference) or none",
        )
    elif spec.inputs.length is not None and lag >= spec.inputs.length:
        yield where, f"{lag} leaves no step of a {spec.inputs.length}-step window to read"


def _scale(spec: Spec) -> Iterator[Finding]:
    """An explicit data.scale must have something to scale."""
    if spec.data is None or spec.data.scale in (None, "none"):
        return
    if not scales_inputs(spec) and not scales_targets(spec):
        yield (
            ("data", "scale"),
            "applies to real-valued inputs (inputs.features) or a regression head (a linear "
            "activation); this spec has token inputs and a classifier head",
        )
    elif spec.data.scale == "window" and not _windowed(spec):
        yield (
            ("data", "scale"),
            "window scales each window of a series and maps its forecast back: it needs a "
            "many_to_one forecaster, real-valued inputs (inputs.features) and a regression "
            "head (a linear activation)",
        )


def _quantile(spec: Spec) -> Iterator[Finding]:
    """The quantile loss forecasts a band around each output of one regression answer."""
    if quantiles(spec) is None:
        return
    if not scales_targets(spec) or output_steps(spec):
        yield (
            ("compile", "loss"),
            "quantile forecasts a band around each output of a regression head (a linear "
            "activation) with one answer per example: a many_to_one or one_to_one spec",
        )


def _recursive(spec: Spec) -> Iterator[Finding]:
    """A forecast fed back is the window's next step: one value, of the one series read."""
    if not recursive(spec):
        return
    where = ("data", "forecast")
    if not _windowed(spec):
        yield (
            where,
            "recursive feeds a forecast back as the window's next step: it needs a many_to_one "
            "forecaster, real-valued inputs (inputs.features) and a regression head (a "
            "linear activation)",
        )
    elif spec.inputs.features != 1:
        yield (
            where,
            f"recursive feeds one forecast value back as the window's next step, but each "
            f"step has {spec.inputs.features} features: forecast a series from itself alone "
            "(inputs.features: 1), or use data.forecast: direct",
        )
    if quantiles(spec) is not None:
        yield (
            where,
            "recursive feeds a forecast back as the next input, and a band of quantiles is not "
            "one value: use a point loss (mse, mae) or data.forecast: direct",
        )


def _pooling(spec: Spec) -> Iterator[Finding]:
    """model.pooling reads one vector off a sequence of outputs: many_to_one's."""
    if spec.model.pooling != "last" and spec.architecture != "many_to_one":
        yield (
            ("model", "pooling"),
            f"{spec.model.pooling} pools the outputs of a many_to_one stack into one vector; "
            f"a {spec.architecture} model answers at every step",
        )
