"""Rules that relate several fields of a spec, each reported at the key it blames.

Every rule keeps an option from being silently ignored: an option that does not
apply to the chosen architecture or cell is an error, not a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator

from zoo.spec.document import KeyPath
from zoo.spec.schema import Spec
from zoo.spec.space import tune_findings

Finding = tuple[KeyPath, str]

TOKEN_OUTPUTS = ("language_model", "seq2seq")
SEQUENCE_INPUTS = ("many_to_one", "many_to_many", "seq2seq", "language_model")


def check_rules(spec: Spec) -> list[Finding]:
    return [
        *_inputs(spec),
        *_cell_options(spec),
        *_stack(spec),
        *_outputs(spec),
        *_clipping(spec),
        *tune_findings(spec),
    ]


def _inputs(spec: Spec) -> Iterator[Finding]:
    inputs, arch = spec.inputs, spec.architecture
    if arch == "language_model":
        if inputs.vocab_size is None:
            yield ("inputs", "vocab_size"), "a language_model needs inputs.vocab_size"
        if inputs.features is not None:
            yield ("inputs", "features"), "a language_model reads tokens: use vocab_size"
    elif (inputs.features is None) == (inputs.vocab_size is None):
        yield ("inputs",), "give exactly one of inputs.features or inputs.vocab_size"
    if inputs.vocab_size is not None and inputs.embedding is None:
        yield ("inputs", "embedding"), "token inputs need an embedding: {dim: ...}"
    if inputs.embedding is not None and inputs.vocab_size is None:
        yield ("inputs", "embedding"), "an embedding needs inputs.vocab_size"
    if arch not in SEQUENCE_INPUTS:
        if inputs.length is not None:
            yield ("inputs", "length"), f"{arch} takes a vector, not a sequence: remove length"
        if inputs.vocab_size is not None:
            yield ("inputs", "vocab_size"), f"{arch} takes a real-valued vector: use features"
    if spec.model.unroll and inputs.length is None:
        yield ("model", "unroll"), "unrolling needs a fixed inputs.length"


def _cell_options(spec: Spec) -> Iterator[Finding]:
    model, cell = spec.model, spec.cell
    if spec.architecture == "one_to_one":
        if cell is not None:
            yield ("cell",), "one_to_one is a dense baseline: it has no cell"
        recurrent_only = (
            "recurrent_activation",
            "recurrent_initializer",
            "unit_forget_bias",
            "reset_after",
        )
        for name in recurrent_only:
            if getattr(model, name) is not None:
                yield ("model", name), "applies to recurrent cells only, not one_to_one"
        for name in ("bidirectional", "unroll"):
            if getattr(model, name):
                yield ("model", name), "applies to recurrent cells only, not one_to_one"
        if model.recurrent_dropout:
            yield ("model", "recurrent_dropout"), "applies to recurrent cells only"
        return
    if cell is None:
        yield ("cell",), f"{spec.architecture} needs a cell: rnn, lstm or gru"
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
    if model.residual:
        widths = model.units if isinstance(model.units, list) else [model.units]
        if len(set(widths)) > 1:
            yield ("model", "residual"), "residual connections need equal widths in model.units"
    if model.attention is not None and spec.architecture != "seq2seq":
        yield ("model", "attention"), "attention applies to seq2seq only"
    if model.merge_mode != "concat" and not model.bidirectional:
        yield ("model", "merge_mode"), "applies with bidirectional: true only"


def _outputs(spec: Spec) -> Iterator[Finding]:
    outputs, arch = spec.outputs, spec.architecture
    if arch == "seq2seq":
        if outputs.vocab_size is None:
            yield ("outputs", "vocab_size"), "seq2seq needs the target vocabulary size"
        if outputs.embedding is None:
            yield ("outputs", "embedding"), "seq2seq needs a target embedding: {dim: ...}"
        if spec.model.bidirectional:
            yield ("model", "bidirectional"), "not supported for seq2seq (the decoder is causal)"
    else:
        for name in ("vocab_size", "embedding"):
            if getattr(outputs, name) is not None:
                yield ("outputs", name), "applies to seq2seq only"
    if arch == "one_to_many" and outputs.length is None:
        yield ("outputs", "length"), "one_to_many needs the output sequence length"
    if arch not in ("one_to_many", "seq2seq") and outputs.length is not None:
        yield ("outputs", "length"), f"applies to one_to_many and seq2seq, not {arch}"
    if arch in TOKEN_OUTPUTS:
        vocab = spec.inputs.vocab_size if arch == "language_model" else outputs.vocab_size
        if outputs.units is not None and vocab is not None and outputs.units != vocab:
            yield ("outputs", "units"), f"must equal the vocabulary size ({vocab}) or be omitted"
    elif outputs.units is None:
        yield ("outputs", "units"), f"{arch} needs the output width"


def _clipping(spec: Spec) -> Iterator[Finding]:
    names = [n for n in ("clipnorm", "clipvalue", "global_clipnorm") if getattr(spec.compile, n)]
    if len(names) > 1:
        yield (
            ("compile", names[1]),
            f"choose one gradient clipping option, got {' and '.join(names)}",
        )
