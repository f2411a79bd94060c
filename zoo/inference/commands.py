"""The commands on a trained model: evaluate it on held-out data, predict from the
user's raw inputs, forecast, generate text. Each opens the model one way
(``zoo.opening.open_model``), so each reads new data through the model's own
numbering of classes and tokens."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.data.base import CHARACTERS, Tokens
from zoo.data.tokens import markers
from zoo.errors import UserError
from zoo.inference.inputs import (
    GIVE_DATA,
    array_file,
    check_ids,
    check_shape,
    read_texts,
    series_end,
    series_window,
    takes_text,
)
from zoo.inference.prediction import Prediction
from zoo.opening import (
    OpenedModel,
    data_overrides,
    open_model,
    repointed,
    resolve_model_path,
)
from zoo.spec import Overrides
from zoo.spec.derived import architecture, classifies, output_width, quantiles

if TYPE_CHECKING:
    from zoo.saving import ModelRecord

__all__ = [
    "evaluate",
    "forecast",
    "generate",
    "predict",
    "primed",
    "resolve_model_path",
    "roll_forward",
    "samples",
    "text_prediction",
    "text_words",
    "translate",
]


def evaluate(
    target: Path | str, overrides: Overrides = None, unsafe: bool = False
) -> dict[str, Any]:
    """Metrics of a run's (or model file's) model on the test split of its spec's data,
    with the data's trivial baseline beside them. ``overrides`` re-point the stored
    spec's data section, and nothing else (the model is as trained): e.g.
    ``{"data.args.path": "new.csv", "data.test": 0, "data.validation": 0}`` evaluates
    on the whole of another file, its labels numbered as the model numbers them."""
    from zoo.data import load_splits, references
    from zoo.inference.decoding import decoded_scores
    from zoo.inference.forward import xla_ready
    from zoo.spec.metrics import loss_measure
    from zoo.training.pipeline import evaluation_pipeline

    changes = data_overrides(overrides, "evaluate scores")
    opened = open_model(target, unsafe)
    model = opened.model
    model.jit_compile = xla_ready(model)  # evaluation only: training keeps its setting
    spec = repointed(opened.spec, changes)
    splits = load_splits(spec, opened.data_folder, opened.numbering)
    if splits.test is not None:
        split, dataset = "test", splits.test
    elif splits.validation is not None:
        split, dataset = "validation", splits.validation
    else:
        split, dataset = "whole", splits.train
    batch_size = spec.train.batch_size if spec.train else 32
    metrics = model.evaluate(evaluation_pipeline(dataset, batch_size), verbose=0, return_dict=True)
    metrics = {**metrics, **decoded_scores(model, spec, dataset)}
    baseline = splits.baseline(dataset, loss_measure(spec))
    classical = references.scores(dataset, splits.train, spec)
    if split == "whole":  # nothing is held out: say what the baseline was fitted on
        baseline = {f"{name} (fitted on these examples)": v for name, v in baseline.items()}
        classical = {f"{name} (fitted on these examples)": v for name, v in classical.items()}
    return {
        "model": str(opened.path),
        "split": split,
        "examples": len(dataset),
        "metrics": {k: float(v) for k, v in metrics.items()},
        "baseline": baseline,
        "classical": classical,
    }


def predict(
    target: Path | str,
    inputs: np.ndarray | Path | str | Sequence[str] | None = None,
    steps: int | None = None,
    unsafe: bool = False,
) -> Prediction:
    """The model's answer for ``inputs``, in the user's terms.

    A text model (trained on text_classes or tagged_text) takes a list of strings, a
    .txt file (one example per line) or a CSV with the spec's text column; the answer
    has the class names and their probabilities, or a tagger's tag for each word. A
    csv_series forecaster takes a CSV with the spec's columns (found by name) and
    forecasts after its last window, in the CSV's units. Any other model takes an
    array as it takes it, or a .npy file. Given no inputs, a forecaster forecasts after
    the end of the series it was trained on: a packaged or generated one, or the CSV its
    spec names. With ``steps``, a forecaster whose target is
    its one input series has its predictions fed back as inputs until ``steps`` future
    values are made."""
    if steps is not None and steps < 1:
        raise UserError(f"--steps must be at least 1, got {steps}")
    opened = open_model(target, unsafe)
    model, record = opened.model, opened.record
    bands = quantiles(record.spec)
    if steps is not None and bands is not None:
        raise UserError(
            f"{opened.path}: --steps feeds a forecast back as the next input, but this model "
            "forecasts a band of quantiles, not one value; forecast further with a longer "
            "data.args.horizon instead"
        )
    if takes_text(model):
        if inputs is None:
            raise UserError(GIVE_DATA)
        if steps is not None:
            raise UserError("--steps feeds a forecast back; this model takes text")
        return _predict_texts(model, record, inputs)
    if isinstance(inputs, (list, tuple)):
        raise UserError(
            f"{opened.path}: this model takes arrays, not text (give a .npy of its inputs)"
        )
    if inputs is None:  # after the end of the series it was trained on
        end = series_end(model, record.spec, opened.data_folder)
        if end is None:
            raise UserError(GIVE_DATA)
    elif isinstance(inputs, (str, Path)) and Path(inputs).suffix == ".csv":
        end = series_window(model, record.spec, Path(inputs))
    else:
        end = None
    if steps is not None:
        _check_feeds_back(opened)
    if end is not None:
        ahead = _forward(model, end.windows, steps)
        if end.series is None:
            made = forecast(ahead[0], end.names, end.where, bands)
        else:
            made = panel_forecast(ahead, end.names, end.series, end.where, bands)
        if end.times is not None:  # each row labelled with its time, series by series
            each = len(made.values) // len(end.times)
            made.times = [time for column in end.times for time in column.after(each)]
        return made
    if isinstance(inputs, (str, Path)):
        source = Path(inputs)
        inputs = array_file(source)
    else:
        source = None
    where = str(source) if source else "the inputs"
    check_shape(model, inputs, where)
    check_ids(record.spec, inputs, where)
    values = _forward(model, inputs, steps)
    classes = class_names(record) if values.ndim == 2 and steps is None else None
    return Prediction(values, source=where, classes=classes)


def forecast(
    ahead: np.ndarray, names: list[str] | None, where: str, bands: list[float] | None
) -> Prediction:
    """One example's forecast as a row per step ahead, a column per target; a quantile
    forecaster's (quantiles, steps * targets) as a column per target and quantile."""
    targets = max(len(names or []), 1)
    if bands is None:
        return Prediction(ahead.reshape(-1, targets), names, where)
    steps = ahead.shape[-1] // targets
    per_step = ahead.reshape(len(bands), steps, targets).transpose(1, 2, 0)
    columns = quantile_columns(names or ["forecast"], bands)
    return Prediction(per_step.reshape(steps, -1), columns, where)


def panel_forecast(
    ahead: np.ndarray,
    names: list[str] | None,
    series: list[str],
    where: str,
    bands: list[float] | None,
) -> Prediction:
    """Many series' forecasts (one example each) as ``forecast``'s rows, series by series."""
    each = [forecast(values, names, where, bands) for values in ahead]
    rows = [len(p.values) for p in each]
    return Prediction(
        np.concatenate([p.values for p in each]),
        each[0].columns,
        where,
        series=[name for name, count in zip(series, rows, strict=True) for _ in range(count)],
    )


def quantile_columns(names: list[str], bands: list[float]) -> list[str]:
    """A quantile forecast's column names: each target's, quantile by quantile."""
    return [f"{name} q{q:g}" for name in names for q in bands]


def _check_feeds_back(opened: OpenedModel) -> None:
    """Feeding a forecast back is right only where the forecast is of the input: a
    model that reads x and forecasts y would be fed y as x."""
    from zoo.data.base import source_of

    data = opened.spec.data
    if data is None:
        raise UserError(
            f"{opened.path}: --steps feeds the forecast back as the next input; this model's "
            "spec has no data section to say its target is its input"
        )
    source, args = source_of(opened.spec)
    if not source.feeds_back(args):
        raise UserError(
            f"{opened.path}: --steps feeds the forecast back as the next input, but this "
            f"model's target is not its input ({data.source} data"
            + (
                f", columns {data.args.get('columns')}, target {data.args.get('target')})"
                if data.source == "csv_series"
                else ")"
            )
            + "; forecast further with a longer data.args.horizon instead"
        )


def _forward(model: Any, inputs: np.ndarray, steps: int | None) -> np.ndarray:
    from zoo.inference.forward import CompiledForward

    if steps is None:
        return CompiledForward(model)(inputs)
    return roll_forward(model, inputs, steps)


def _predict_texts(model: Any, record: ModelRecord, inputs: Any) -> Prediction:
    from zoo.inference.forward import CompiledForward

    texts, where = read_texts(inputs, record.spec)
    values = CompiledForward(model)(np.array(texts, dtype=object))
    return text_prediction(model, record, texts, values, where)


def text_prediction(
    model: Any,
    record: ModelRecord,
    texts: list[str],
    values: np.ndarray,
    where: str,
    words: list[list[str]] | None = None,
) -> Prediction:
    """A text model's ``values`` for ``texts`` as labels (a tagger's: a tag per word);
    ``words``: each text's words (``text_words``), where the caller has split them."""
    from zoo.builder.names import TEXT_IDS

    layer = model.get_layer(TEXT_IDS)
    words = words if words is not None else text_words(model, texts)
    notes = _cut_texts([len(row) for row in words], layer.length, tags=values.ndim == 3)
    tokens = [row[: layer.length] for row in words] if values.ndim == 3 else None
    return Prediction(
        values,
        source=where,
        texts=texts,
        classes=class_names(record),
        tokens=tokens,
        notes=notes,
    )


def text_words(model: Any, texts: Any) -> list[list[str]]:
    """Each text's words, as the model's own tokenizer splits them (case kept)."""
    from custom_layers.text import split_text
    from zoo.builder.names import TEXT_IDS

    layer = model.get_layer(TEXT_IDS)
    rows = split_text(list(texts), layer.split, lowercase=False).to_list()
    return [[t.decode("utf-8") for t in row] for row in rows]


def _cut_texts(lengths: list[int], length: int, tags: bool) -> list[str]:
    """A note for texts longer than the model reads: the rest is not read (or tagged)."""
    cut = [i for i, n in enumerate(lengths, start=1) if n > length]
    if not cut:
        return []
    first = cut[0]
    what = "tags" if tags else "reads"
    return [
        f"{len(cut)} of {len(lengths)} texts are longer than the {length} tokens the model "
        f"{what} (text {first}: {lengths[first - 1]} tokens); the rest of each is not read"
    ]


def class_names(record: ModelRecord) -> list[str] | None:
    """The class names, or the class ids as names for a classifier trained on ids."""
    if record.classes is not None:
        return record.classes
    spec = record.spec
    if architecture(spec).emits_tokens or not classifies(spec):
        return None
    units = output_width(spec) or 1
    return [str(i) for i in range(2 if units == 1 else units)]


def roll_forward(model: Any, windows: np.ndarray, steps: int) -> np.ndarray:
    """Roll a (window, 1) -> (horizon,) forecaster forward ``steps`` values."""
    if windows.ndim != 3 or windows.shape[-1] != 1:
        raise UserError(
            "feeding predictions back needs univariate windows (batch, steps, 1), "
            f"got {windows.shape}"
        )
    from zoo.inference.forward import CompiledForward

    made: list[np.ndarray] = []
    window = windows.astype("float32")
    forward = CompiledForward(model)  # every round the same shape: traced once
    while sum(m.shape[1] for m in made) < steps:
        ahead = forward(window).reshape(len(window), -1)
        made.append(ahead)
        window = np.concatenate([window[:, ahead.shape[1] :], ahead[..., None]], axis=1)
    return np.concatenate(made, axis=1)[:, :steps]


def generate(
    target: Path | str,
    prime: str | None = None,
    length: int = 200,
    temperature: float = 1.0,
    seed: int | None = None,
    source: str | None = None,
    beam: int = 1,
    unsafe: bool = False,
    window: bool = False,
) -> str:
    """A language model continues ``prime`` by ``length`` characters; a seq2seq model
    translates ``source`` (greedy, or beam search with ``beam`` > 1). The language
    model carries its state from character to character; ``window`` instead re-runs
    the training window for each one (see ``samples``)."""
    opened = open_model(target, unsafe)
    if architecture(opened.spec).encoder_decoder:
        if source is None:
            raise UserError("a seq2seq model translates an --input, e.g. --input '123+45'")
        if beam < 1:
            raise UserError(f"--beam must be at least 1, got {beam}")
        return translate(opened, source, beam)
    return _continue(opened, prime, length, temperature, seed, 1, window)[0]


def samples(
    target: Path | str,
    prime: str,
    length: int = 200,
    temperature: float = 1.0,
    seed: int | None = None,
    count: int = 1,
    unsafe: bool = False,
    window: bool = False,
) -> list[str]:
    """``count`` continuations of ``prime`` by a language model, drawn in one batched
    loop; the same ``seed`` gives the same ones. Each new character is one step of
    the cells from the state the text so far left (the char-rnn practice), so the
    context is never cut; with ``window`` each character re-runs the model over the
    last ``inputs.length`` characters instead, as the model was trained."""
    opened = open_model(target, unsafe)
    if architecture(opened.spec).encoder_decoder:
        raise UserError(
            f"{opened.path}: samples are drawn from a language model; this is a seq2seq"
        )
    return _continue(opened, prime, length, temperature, seed, count, window)


def _continue(
    opened: OpenedModel,
    prime: str | None,
    length: int,
    temperature: float,
    seed: int | None,
    count: int,
    window: bool,
) -> list[str]:
    spec = opened.spec
    shown, ids = primed(opened, prime)
    for flag, value, least in (("--samples", count, 1), ("--length", length, 1)):
        if value < least:
            raise UserError(f"{flag} must be at least {least}, got {value}")
    if not temperature >= 0:  # NaN too
        raise UserError(f"--temperature must be at least 0, got {temperature}")
    vocabulary, tokens = _vocabulary(opened.record.vocabulary, opened.path), tokens_of(spec)
    if window:
        from zoo.inference.decoding import sample_tokens

        rng = np.random.default_rng(seed)
        drawn = [sample_tokens(opened.model, ids, length, temperature, rng) for _ in range(count)]
    else:
        from zoo.inference.sampling import StateSampler

        drawn = StateSampler(opened.model, spec).sample(ids, length, temperature, seed, count)
    return [tokens.join([shown, _decode(made, vocabulary, join=tokens)]) for made in drawn]


def primed(opened: OpenedModel, prime: str | None) -> tuple[str, list[int]]:
    """(the prime as the language model reads it, its token ids): the source's start
    token when none is given, lowercased where the corpus was read lowercased."""
    spec = opened.spec
    if not architecture(spec).emits_tokens:
        raise UserError(
            f"{opened.path}: generate needs a language_model or seq2seq, this is a "
            f"{spec.architecture}"
        )
    if architecture(spec).encoder_decoder:
        raise UserError(f"{opened.path}: a seq2seq translates an input; it continues no prime")
    tokens = tokens_of(spec)
    prime = prime or tokens.start
    if not prime:
        raise UserError("a language model continues a --prime of at least one character")
    vocabulary = _vocabulary(opened.record.vocabulary, opened.path)
    # the corpus was read lowercased: so is the prime, as the model only knows those
    shown = prime.lower() if _lowercased(spec) else prime
    return shown, encode_tokens(tokens.split(shown), vocabulary, "--prime")


def melody(target: Path | str, text: str) -> list[str]:
    """The first melody in a melody model's generated ``text``: its note tokens after
    the prime's leading piece ends, up to the end of that piece."""
    from zoo.data.music import END
    from zoo.saving import read_spec

    path, _ = resolve_model_path(target)
    spec = read_spec(path)
    tokens = tokens_of(spec)
    if not tokens.music:
        source = spec.data.source if spec.data is not None else "none"
        raise UserError(
            f"{target}: --midi and --musicxml write a melody; this model's tokens are not "
            f"notes (its data source: {source})"
        )
    made = tokens.split(text)
    while made and made[0] == END:
        made.pop(0)
    return made[: made.index(END)] if END in made else made


def tokens_of(spec: Any) -> Tokens:
    """How the spec's data source's tokens read as text (characters without one)."""
    from zoo.data.base import source_of

    return source_of(spec)[0].tokens if spec.data is not None else CHARACTERS


def _lowercased(spec: Any) -> bool:
    """Whether the spec's data source lowercases its text before reading it."""
    from zoo.data.base import source_of

    if spec.data is None:
        return False
    return bool(getattr(source_of(spec)[1], "lowercase", False))


def translate(opened: OpenedModel, text: str, beam: int, inference: Any = None) -> str:
    """A seq2seq's translation of ``text``; ``inference``: the decoding models of an
    earlier call (``seq2seq_inference``), which can be built only once per model."""
    from zoo.inference.decoding import (
        beam_decode,
        greedy_decode,
        longest_output,
        seq2seq_inference,
    )
    from zoo.spec.derived import masks_input_padding

    spec, record = opened.spec, opened.record
    target_vocabulary = _vocabulary(record.vocabulary, "the model")
    source_vocabulary = _vocabulary(record.source_vocabulary or target_vocabulary, "the model")
    ids = encode_characters(text, source_vocabulary, "--input")
    length = spec.inputs.length or len(ids)
    if len(ids) > length:
        raise UserError(f"--input has {len(ids)} tokens; the model reads at most {length}")
    shortest = record.shortest_input
    if shortest is not None and len(ids) < shortest and not masks_input_padding(spec):
        raise UserError(
            f"--input has {len(ids)} tokens; the model was trained on inputs of at least "
            f"{shortest} and never saw the padding a shorter one would get"
        )
    source = np.zeros((1, length), dtype="int32")
    source[0, : len(ids)] = ids
    inference = inference or seq2seq_inference(opened.model, spec)
    start, end = markers(target_vocabulary)
    max_length = longest_output(spec, length)
    if beam > 1:
        tokens = beam_decode(inference, source, start, end, max_length, beam)
    else:
        tokens = greedy_decode(inference, source, start, end, max_length)[0]
    return _decode(tokens, target_vocabulary, special=(start, end))


def _vocabulary(vocabulary: list[str] | None, where: Path | str) -> list[str]:
    if not vocabulary:
        raise UserError(f"{where}: the model has no vocabulary (train it with zoo train first)")
    return vocabulary


def encode_characters(text: str, vocabulary: list[str], flag: str) -> list[int]:
    """Each character of ``text`` -> its id in ``vocabulary``; an unknown character is
    a UserError naming ``flag``."""
    return encode_tokens(list(text), vocabulary, flag)


def encode_tokens(tokens: list[str], vocabulary: list[str], flag: str) -> list[int]:
    """Each token -> its id in ``vocabulary``; an unknown one is a UserError naming
    ``flag`` (characters run together, other tokens apart)."""
    ids = {token: i for i, token in enumerate(vocabulary) if i > 0}
    unknown = sorted({t for t in tokens if t not in ids})
    if unknown:
        if all(len(t) == 1 for t in unknown):
            raise UserError(f"{flag} has characters the model never saw: {''.join(unknown)!r}")
        raise UserError(f"{flag} has tokens the model never saw: {', '.join(unknown)}")
    return [ids[t] for t in tokens]


def _decode(
    tokens: list[int],
    vocabulary: list[str],
    special: tuple[int, ...] = (),
    join: Tokens = CHARACTERS,
) -> str:
    """Token ids -> text, without padding and the ``special`` ids (a seq2seq target's
    start and end markers)."""
    kept = [vocabulary[t] for t in tokens if 0 < t < len(vocabulary) and t not in special]
    return join.join(kept)
