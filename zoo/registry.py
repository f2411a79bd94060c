"""The single source of names a spec may use.

Each registry maps a spec name to what builds it. Entries point at their code
by import path, resolved only when a model is built, so validating a spec or
listing names never imports TensorFlow.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar


@dataclass(frozen=True)
class Entry:
    summary: str
    target: str  # "package.module:attribute[.attribute]", or "package.module" for a module

    def load(self) -> Any:
        module, _, attribute = self.target.partition(":")
        loaded = importlib.import_module(module)
        for name in attribute.split(".") if attribute else []:  # "distribute.MirroredStrategy"
            loaded = getattr(loaded, name)
        return loaded


E = TypeVar("E", bound="Entry")


class Registry(Mapping[str, E]):
    def __init__(self, kind: str, entries: dict[str, E]) -> None:
        self.kind = kind
        self._entries = entries

    def __getitem__(self, name: str) -> E:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def register(self, name: str, entry: E) -> None:
        """One more entry, as if written in this module: call it before ``zoo.spec`` is
        imported, since the schema fixes the names it accepts when it is defined."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry

    def check(self, name: str) -> str:
        """The name itself if registered; otherwise a ValueError listing the valid names."""
        if name not in self._entries:
            raise ValueError(f"unknown {self.kind} {name!r}; valid: {', '.join(self._entries)}")
        return name


@dataclass(frozen=True)
class Architecture(Entry):
    """An architecture's build function and its traits. Rules, data checks, the head
    and inference ask these traits, never a list of architecture names, so a new
    architecture is its module and this entry."""

    reads: Literal["vector", "sequence", "tokens"] = "sequence"  # tokens: vocab_size only
    recurrent: bool = True  # has a cell (one_to_one is a dense stack)
    # token outputs: a softmax over the vocabulary of inputs (a language model) or of
    # outputs (an encoder-decoder, whose decoder embeds the target tokens)
    vocabulary: Literal["inputs", "outputs"] | None = None
    # output steps: none (one output), one per input step, or outputs.length of them
    steps: Literal["aligned", "generated"] | None = None
    needs_output_length: bool = False
    causal: bool = False  # output t may not see input t+1 (so no bidirectional layers)

    @property
    def takes_sequences(self) -> bool:
        return self.reads != "vector"

    @property
    def emits_tokens(self) -> bool:
        return self.vocabulary is not None

    @property
    def encoder_decoder(self) -> bool:
        return self.vocabulary == "outputs"


ARCHITECTURES = Registry(
    "architecture",
    {
        "one_to_one": Architecture(
            "dense baseline: a vector in, a vector out (no recurrence)",
            "zoo.builder.architectures:one_to_one",
            reads="vector",
            recurrent=False,
        ),
        "one_to_many": Architecture(
            "a vector in, a sequence out (generation from a seed vector)",
            "zoo.builder.architectures:one_to_many",
            reads="vector",
            steps="generated",
            needs_output_length=True,
        ),
        "many_to_one": Architecture(
            "a sequence in, one vector out (sequence classification or regression)",
            "zoo.builder.architectures:many_to_one",
        ),
        "many_to_many": Architecture(
            "a sequence in, an aligned sequence out (tagging, per-step prediction)",
            "zoo.builder.architectures:many_to_many",
            steps="aligned",
        ),
        "seq2seq": Architecture(
            "encoder-decoder: input and output sequences of different lengths",
            "zoo.builder.architectures:seq2seq",
            vocabulary="outputs",
            steps="generated",
            causal=True,
        ),
        "language_model": Architecture(
            "next-token prediction over characters or words",
            "zoo.builder.architectures:language_model",
            reads="tokens",
            vocabulary="inputs",
            steps="aligned",
            causal=True,
        ),
    },
)


@dataclass(frozen=True)
class Cell(Entry):
    """A cell: its target is its layer's class name, the same in every implementation's
    module. ``gates`` is how many u-wide blocks its fused kernel, recurrent kernel and
    bias hold, which the cost estimate reads (a test checks it against the layers)."""

    gates: int = 1


CELLS = Registry(
    "cell",
    {
        "rnn": Cell("vanilla (Elman) RNN: h_t = tanh(x_t W + h_{t-1} U + b)", "SimpleRNN"),
        "lstm": Cell("long short-term memory (gates i, f, c, o)", "LSTM", gates=4),
        "gru": Cell("gated recurrent unit (gates z, r, h)", "GRU", gates=3),
    },
)

IMPLEMENTATIONS = Registry(
    "implementation",
    {
        "custom": Entry("the project's layers, written from the equations", "custom_layers"),
        "keras": Entry(
            "Keras's built-in layer with the same weights (cuDNN on a GPU)", "keras.layers"
        ),
        # not a module of layers: the function that picks custom or keras for a spec
        "auto": Entry(
            "keras where its cuDNN kernel can run (a GPU, a configuration it computes), "
            "custom elsewhere; zoo build says which and why",
            "zoo.builder.fast_path:choose_implementation",
        ),
    },
)


@dataclass(frozen=True)
class Attention(Entry):
    """An attention layer and how it scores a query q against a key k: ``dot`` (q · k, no
    weights) or ``additive`` (tanh(q + k) · s, s a learned scale as wide as the query)."""

    score: Literal["dot", "additive"] = "dot"


ATTENTIONS = Registry(
    "attention",
    {
        "bahdanau": Attention(
            "additive attention (Bahdanau et al. 2015)",
            "keras.layers:AdditiveAttention",
            score="additive",
        ),
        "luong": Attention(
            "multiplicative (dot) attention (Luong et al. 2015)", "keras.layers:Attention"
        ),
    },
)


# model.pooling: how a many_to_one model reads one vector off its stack's outputs.
# Every entry but last is custom_layers.pooling.SequencePooling in the mode of its name;
# last is the stack's own final output, passed on as it is (the builder adds no layer).
POOLINGS = Registry(
    "pooling",
    {
        "last": Entry("the stack's output at its last step (the default)", "keras.layers:Identity"),
        "max": Entry(
            "the largest output of each feature over the real steps (Conneau et al. 2017)",
            "custom_layers.pooling:SequencePooling",
        ),
        "mean": Entry(
            "the mean output over the real steps", "custom_layers.pooling:SequencePooling"
        ),
        "attention": Entry(
            "the outputs weighted by a learned attention over the steps (Yang et al. 2016)",
            "custom_layers.pooling:SequencePooling",
        ),
    },
)


# A data source's target is a zoo.data.base.DataSource: its typed arguments and loader.
@dataclass(frozen=True)
class DataSourceEntry(Entry):
    # the argument that cuts and pads every example to its number of steps, which a
    # spec leaving inputs.length open (variable-length text) still trains at
    steps_arg: str | None = None


DATASETS = Registry(
    "data source",
    {
        "adding": DataSourceEntry(
            "adding problem: values in U[0,1] and two markers; target = the marked sum",
            "zoo.data.generators:adding",
        ),
        "copy_memory": DataSourceEntry(
            "copy memory: 10 symbols, T blanks, a delimiter; reproduce the symbols",
            "zoo.data.generators:copy_memory",
        ),
        "reber": DataSourceEntry(
            "embedded Reber grammar: predict the possible next symbols",
            "zoo.data.generators:reber",
        ),
        "sine": DataSourceEntry(
            "noisy sum of sines, windowed for forecasting", "zoo.data.generators:sine"
        ),
        "arma": DataSourceEntry(
            "ARMA(p, q) series, windowed for forecasting", "zoo.data.generators:arma"
        ),
        "reversal": DataSourceEntry(
            "sequence reversal for seq2seq (start/end tokens)", "zoo.data.generators:reversal"
        ),
        "addition": DataSourceEntry(
            "integer addition as text for seq2seq: '123+45' -> '168'",
            "zoo.data.generators:addition",
        ),
        "clusters": DataSourceEntry(
            "Gaussian clusters: a vector in, its cluster out (one_to_one)",
            "zoo.data.generators:clusters",
        ),
        "trajectories": DataSourceEntry(
            "a linear system unrolled from a vector: a vector in, a sequence out (one_to_many)",
            "zoo.data.generators:trajectories",
        ),
        "text": DataSourceEntry(
            "character corpus from a text file, windowed for a language model",
            "zoo.data.files:text",
        ),
        "csv_series": DataSourceEntry(
            "time series from CSV columns, windowed with a horizon and stride",
            "zoo.data.files:csv_series",
        ),
        "npz": DataSourceEntry("NumPy .npz arrays (x and y)", "zoo.data.files:npz"),
        "tagged_text": DataSourceEntry(
            "tagged sentences (word/TAG per token): sentences in, a tag per word out",
            "zoo.data.labelled:tagged_text",
            steps_arg="length",
        ),
        "text_classes": DataSourceEntry(
            "labelled text from CSV columns: the text in, its class out",
            "zoo.data.labelled:text_classes",
            steps_arg="length",
        ),
        # Real data from a package's wheel: the optional extra real-data installs it.
        "lynx": DataSourceEntry(
            "annual Canadian lynx trappings 1821-1934 as log10, windowed for "
            "forecasting (extra: real-data)",
            "zoo.data.packaged:lynx",
        ),
        "airline": DataSourceEntry(
            "monthly airline passengers 1949-1960 (thousands), windowed for forecasting "
            "(extra: real-data)",
            "zoo.data.packaged:airline",
        ),
        "chorales": DataSourceEntry(
            "a voice of each of Bach's chorales as note tokens (pitch and length), "
            "windowed for a language model (extra: music)",
            "zoo.data.music:chorales",
        ),
        "emoji_names": DataSourceEntry(
            "the names of the emoji in English and in another language (Unicode CLDR, from "
            "the emoji package), character by character, for a seq2seq (extra: translation)",
            "zoo.data.translation:emoji_names",
        ),
        "japanese_vowels": DataSourceEntry(
            "JapaneseVowels: 7-29 frames of 12 LPC coefficients in, which of 9 speakers out "
            "(extra: real-data)",
            "zoo.data.packaged:japanese_vowels",
        ),
    },
)

# Callbacks a spec may ask for; checkpointing, history and NaN handling are always on.
CALLBACKS = Registry(
    "callback",
    {
        "early_stopping": Entry(
            "stop when the monitored metric stops improving", "keras.callbacks:EarlyStopping"
        ),
        "reduce_lr_on_plateau": Entry(
            "lower the learning rate when the monitored metric plateaus",
            "keras.callbacks:ReduceLROnPlateau",
        ),
    },
)

# Keras Tuner's tuners; each brings its own search strategy (its oracle).
TUNERS = Registry(
    "tuner",
    {
        "random": Entry("random search over the space", "keras_tuner:RandomSearch"),
        "bayesian": Entry(
            "Bayesian optimisation with a Gaussian process", "keras_tuner:BayesianOptimization"
        ),
        "hyperband": Entry(
            "Hyperband: many short trials, the best continued longer (Li et al. 2018)",
            "keras_tuner:Hyperband",
        ),
        "grid": Entry(
            "every combination of the space's values, in order", "keras_tuner:GridSearch"
        ),
    },
)


@dataclass(frozen=True)
class StrategyEntry(Entry):
    # trains across machines: needs a cluster (TF_CONFIG or --cluster), and the zoo's
    # own training loop, since Keras 3's fit does not run under it (keras-team/keras#20585)
    multi_worker: bool = False


# tf.distribute strategies for data-parallel training of one model.
STRATEGIES = Registry(
    "distribution strategy",
    {
        "mirrored": StrategyEntry(
            "every local device (each GPU) holds a copy; each batch is split between them",
            "tensorflow:distribute.MirroredStrategy",
        ),
        "multi_worker": StrategyEntry(
            "every worker of a cluster (--cluster, or TF_CONFIG) holds a copy; each batch is "
            "split between them (zoo.training.multi_worker)",
            "tensorflow:distribute.MultiWorkerMirroredStrategy",
            multi_worker=True,
        ),
    },
)
