"""What ``zoo serve`` answers, apart from HTTP: a trained model opened once, requests
read into its inputs, its outputs put back in the user's terms, as ``zoo predict``,
``zoo generate`` and ``zoo trace`` put them.

A prediction is split in two around the forward pass (``Batch``: the inputs, then what
turns the outputs into the answer), so that the app can gather concurrent requests
into one pass. Every problem with a request is a ``RequestError``: an HTTP status and
one line saying what was wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from zoo.errors import SpecError, UserError
from zoo.opening import OpenedModel

TEXTS, SERIES, INSTANCES = "texts", "series", "instances"


@dataclass(frozen=True)
class Limits:
    """What one request may ask; past these it is refused (413 or 422), never slow."""

    max_body_bytes: int = 1_000_000
    max_batch: int = 256  # examples per request, and per gathered forward pass
    max_text_chars: int = 10_000
    max_series_steps: int = 100_000
    max_generate_length: int = 2_000
    max_beam: int = 16
    batch_wait_s: float = 0.002  # how long a request waits for others to share its pass


class RequestError(Exception):
    """A request the model cannot answer: ``status`` (4xx) and one line saying why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Batch:
    """One request's examples for the forward pass; requests with the same ``key``
    (the inputs' kind and per-example shape) can share one pass."""

    key: tuple
    inputs: np.ndarray
    finish: Callable[[np.ndarray], dict[str, Any]]  # its rows of the outputs -> the answer


class Service:
    """The model behind the routes. Not thread-safe: the app runs every call that
    touches the model on one thread."""

    def __init__(self, opened: OpenedModel, limits: Limits = Limits()) -> None:
        from zoo.inference.commands import class_names
        from zoo.inference.forward import CompiledForward
        from zoo.inference.inputs import takes_text
        from zoo.spec.derived import architecture, quantiles

        self.opened = opened
        self.limits = limits
        self.spec = opened.spec
        self.name = self.spec.name
        self.model = opened.model
        self.traits = architecture(self.spec)
        self.classes = class_names(opened.record)
        self.bands = quantiles(self.spec)
        self.forward = CompiledForward(self.model, limits.max_batch, buckets=True)
        self.forecast_names = _forecast_names(self.spec)
        self.future = _future_covariates(self.spec)  # (their count, the horizon), or None
        shape = self.model.inputs[0].shape
        if takes_text(self.model):
            self.takes = TEXTS
        elif self.forecast_names is not None and len(shape) == 3 and shape[1] is not None:
            self.takes = SERIES
        else:
            self.takes = INSTANCES
        self.answers = self._answer_kind()
        # Built here, on the thread that opened the model: Keras names new layers and
        # ops by per-thread counters, so built on another thread their names collide.
        self._sampler, self._inference = self._decoders()

    def _decoders(self) -> tuple[Any, Any]:
        """(a language model's state sampler, a seq2seq's decoding models)."""
        from zoo.inference.decoding import seq2seq_inference
        from zoo.inference.sampling import StateSampler

        if self.traits.encoder_decoder:
            return None, seq2seq_inference(self.model, self.spec)
        if self.traits.emits_tokens:
            return StateSampler(self.model, self.spec), None
        return None, None

    def _answer_kind(self) -> str:
        if self.forecast_names is not None:
            return "forecast"
        if self.classes is not None:
            return (
                "tags"
                if self.takes == TEXTS and len(self.model.outputs[0].shape) == 3
                else "labels"
            )
        return "outputs"

    def run(self, inputs: np.ndarray) -> Any:
        """The forward pass over gathered inputs; for texts, with each text's words
        (split once for the whole batch: split one request at a time, the splitting
        cost more than the model)."""
        from zoo.inference.commands import text_words

        values = self.forward(inputs)
        if self.takes != TEXTS:
            return values
        return values, text_words(self.model, inputs)

    def warm(self, every_size: bool = False) -> None:
        """Trace the forward pass for one example, or for ``every_size`` of batch the
        server pads to (powers of two up to max_batch), so no request waits for it."""
        if self.traits.encoder_decoder:  # answered by /generate, its decoders built already
            return
        sizes = [1]
        while every_size and sizes[-1] < self.limits.max_batch:
            sizes.append(sizes[-1] * 2)
        tensorflow = logging.getLogger("tensorflow")
        level = tensorflow.level
        tensorflow.setLevel(logging.ERROR)  # a trace per size is the point, not a warning
        try:
            for size in sizes:
                self._warm(size)
        finally:
            tensorflow.setLevel(level)

    def _warm(self, size: int) -> None:
        if self.takes == TEXTS:
            self.forward(np.array(["warm"] * size, dtype=object))
            return
        shape = [size, *(1 if s is None else int(s) for s in self.model.inputs[0].shape[1:])]
        self.forward(np.zeros(shape, str(self.model.inputs[0].dtype)))

    # -- /info ---------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        shape = [None if s is None else int(s) for s in self.model.inputs[0].shape]
        return {
            "name": self.name,
            "architecture": self.spec.architecture,
            "cell": self.spec.cell,
            "model": str(self.opened.path),
            "takes": self.takes,
            "input": {"shape": shape, "dtype": str(self.model.inputs[0].dtype)},
            "answers": self.answers,
            "classes": self.classes,
            "columns": self.forecast_names,
            "quantiles": self.bands,
            "generates": self.traits.emits_tokens,
            "translates": self.traits.encoder_decoder,
            "traces": self.traits.recurrent,
            "example": self.example(),
            "limits": {
                name: getattr(self.limits, name)
                for name in ("max_body_bytes", "max_batch", "max_text_chars", "max_generate_length")
            },
            "spec": self.spec.model_dump(mode="json", exclude_none=True),
        }

    def example(self) -> dict[str, Any] | None:
        """A request this model answers, to start from: a sentence, or the last window of
        the series it was trained on (the first series' of many), where it can be read."""
        from zoo.inference.inputs import series_end

        if self.takes == TEXTS:
            return {TEXTS: ["a wonderful film, warm and funny"]}
        if self.takes == SERIES:
            try:
                end = series_end(self.model, self.spec, self.opened.data_folder)
            except UserError:  # its CSV has moved since: the page starts empty
                return None
            if end is None:
                return None
            window = end.windows[:1]
            return {
                SERIES: [window[0, :, 0].tolist() if window.shape[-1] == 1 else window[0].tolist()]
            }
        return None

    # -- /predict ------------------------------------------------------------------------

    def batch(self, request: dict[str, Any]) -> Batch:
        """A /predict request (exactly one of texts, series, instances) as a Batch."""
        given = [kind for kind in (TEXTS, SERIES, INSTANCES) if request.get(kind) is not None]
        if len(given) != 1:
            raise RequestError(
                f"give one of {self.accepts()}; got " + (" and ".join(given) or "none")
            )
        (kind,) = given
        if self.traits.encoder_decoder:
            raise RequestError('a seq2seq translates: POST /generate with {"input": "..."}')
        examples = request[kind]
        if not examples:
            raise RequestError(f"{kind} is empty: give at least one example")
        if len(examples) > self.limits.max_batch:
            raise RequestError(
                f"{len(examples)} examples in one request; at most {self.limits.max_batch}",
                status=413,
            )
        if kind == TEXTS:
            return self._texts(examples)
        if self.takes == TEXTS:
            raise RequestError(f'this model takes text: give {{"texts": ["...", ...]}}, not {kind}')
        if kind == SERIES:
            if self.takes != SERIES:
                raise RequestError(f"this model is not a forecaster; give {self.accepts()}")
            return self._arrays(self.series_windows(examples), "the series")
        return self._arrays(self.instances(examples), "the instances")

    def accepts(self) -> str:
        return {
            TEXTS: '"texts" (a list of strings)',
            SERIES: '"series" (a list of series, each a list of values or of rows) or '
            '"instances" (windows as the model takes them)',
            INSTANCES: f'"instances" (a list of arrays of shape {self._example_shape()})',
        }[self.takes]

    def _example_shape(self) -> tuple:
        return tuple("any" if s is None else int(s) for s in self.model.inputs[0].shape[1:])

    def _texts(self, texts: list[Any]) -> Batch:
        from zoo.inference.commands import text_prediction
        from zoo.inference.inputs import read_texts

        if self.takes != TEXTS:
            raise RequestError(f"this model takes arrays, not text; give {self.accepts()}")
        long = next((i for i, t in enumerate(texts) if len(t) > self.limits.max_text_chars), None)
        if long is not None:
            raise RequestError(
                f"texts.{long}: {len(texts[long]):,} characters; at most "
                f"{self.limits.max_text_chars:,}"
            )
        texts, where = _checked(read_texts, texts, self.spec)

        def finish(outputs: tuple[np.ndarray, list]) -> dict[str, Any]:
            values, words = outputs
            record = self.opened.record
            prediction = text_prediction(self.model, record, texts, values, where, words)
            return self._labelled(
                prediction.probabilities, texts, prediction.tokens, prediction.notes
            )

        return Batch((TEXTS,), np.array(texts, dtype=object), finish)

    def series_windows(self, series: list[Any]) -> np.ndarray:
        """Each series' last window, as the model reads it (batch, window, features)."""
        window = int(self.model.inputs[0].shape[1])
        windows = []
        for i, values in enumerate(series):
            if self.future is not None:
                windows.append(self._led_window(values, window, f"series.{i}"))
                continue
            array = _numbers(values, f"series.{i}")
            array = array[:, None] if array.ndim == 1 else array
            if array.ndim != 2:
                raise RequestError(f"series.{i}: give a list of values, or a list of rows")
            if len(array) > self.limits.max_series_steps:
                raise RequestError(
                    f"series.{i}: {len(array):,} steps; at most {self.limits.max_series_steps:,}"
                )
            if len(array) < window:
                raise RequestError(
                    f"series.{i}: {len(array)} steps; the model reads the last {window}"
                )
            windows.append(array[-window:])
        return np.stack(windows).astype("float32")

    def _led_window(self, rows: Any, window: int, where: str) -> np.ndarray:
        """A series with future covariates: rows of the inputs then the future covariates,
        the inputs null in the horizon's rows after the last observed one (as a CSV
        leaves them blank)."""
        from zoo.data.files import check_future_known, observed_rows
        from zoo.data.generators import led

        assert self.future is not None
        count, horizon = self.future
        try:
            array = np.array(rows, dtype="float64")  # null: NaN, unknown
        except (TypeError, ValueError):
            raise RequestError(f"{where}: give rows of numbers (null for unknown)") from None
        width = int(self.model.inputs[0].shape[-1])
        if array.ndim != 2 or array.shape[1] != width or np.isinf(array).any():
            raise RequestError(
                f"{where}: give rows of {width - count} inputs then {count} future covariates"
            )
        if len(array) > self.limits.max_series_steps:
            raise RequestError(
                f"{where}: {len(array):,} steps; at most {self.limits.max_series_steps:,}"
            )
        inputs, future = array[:, : width - count], array[:, width - count :]
        names = [f"{where}.{r}" for r in range(len(array))]
        try:
            observed = observed_rows(inputs, names)
            check_future_known(future[: observed + horizon], observed, horizon, names)
        except SpecError as error:
            raise RequestError(error.problems[0].message) from None
        if observed < window:
            raise RequestError(
                f"{where}: {observed} observed steps; the model reads the last {window}"
            )
        steps = np.arange(observed - window, observed)
        return led(inputs, future, steps, horizon)

    def instances(self, instances: list[Any]) -> np.ndarray:
        from zoo.inference.inputs import check_ids

        array = _numbers(instances, "instances")
        _checked(check_ids, self.spec, array, "the instances")
        integral = "int" in str(self.model.inputs[0].dtype)
        return array.astype("int32" if integral else "float32")

    def _arrays(self, inputs: np.ndarray, where: str) -> Batch:
        from zoo.inference.commands import forecast
        from zoo.inference.inputs import check_shape
        from zoo.inference.prediction import Prediction

        _checked(check_shape, self.model, inputs, where)

        def finish(values: np.ndarray) -> dict[str, Any]:
            if self.answers == "forecast":
                made = [forecast(row, self.forecast_names, where, self.bands) for row in values]
                return {"predictions": [{"forecast": p.records()} for p in made]}
            if self.answers == "labels" and values.ndim == 2:
                probabilities = Prediction(values, classes=self.classes).probabilities
                return self._labelled(probabilities, None, None, [])
            return {"predictions": [{"outputs": row.tolist()} for row in values]}

        return Batch((inputs.shape[1:], inputs.dtype.str), inputs, finish)

    def _labelled(
        self,
        probabilities: np.ndarray,
        texts: list[str] | None,
        tokens: list[list[str]] | None,
        notes: list[str],
    ) -> dict[str, Any]:
        assert self.classes is not None
        classes = self.classes
        best = probabilities.argmax(axis=-1)
        answers: list[dict[str, Any]] = []
        for i, row in enumerate(best):
            text = {"text": texts[i]} if texts is not None else {}
            if tokens is not None:  # a tagger: a tag per word it read
                words = tokens[i]
                tags = [classes[j] for j in row[: len(words)]]
                answers.append({**text, "tokens": words, "tags": tags})
            else:
                shares = {name: float(p) for name, p in zip(classes, probabilities[i], strict=True)}
                answers.append({**text, "label": classes[row], "probabilities": shares})
        return {"predictions": answers, "warnings": notes}

    def serving(self, instances: Any) -> Batch:
        """TF Serving's row format: the model's outputs as they are, one per instance."""
        if not isinstance(instances, list) or not instances:
            raise RequestError("give a non-empty list of examples, one entry per example")
        if len(instances) > self.limits.max_batch:
            raise RequestError(
                f"{len(instances)} instances in one request; at most {self.limits.max_batch}",
                status=413,
            )
        if self.takes == TEXTS:
            if not all(isinstance(text, str) and text.strip() for text in instances):
                raise RequestError("this model takes text: each instance is a non-empty string")
            inputs = np.array(instances, dtype=object)
            return Batch((TEXTS,), inputs, lambda outputs: {"predictions": outputs[0].tolist()})
        batch = self._arrays(self.instances(instances), "the instances")
        return Batch(batch.key, batch.inputs, lambda values: {"predictions": values.tolist()})

    # -- /generate -----------------------------------------------------------------------

    def generation(
        self,
        prime: str | None,
        source: str | None,
        length: int,
        temperature: float,
        seed: int | None,
        beam: int,
    ) -> tuple[dict[str, Any], Iterator[str]]:
        """(what the answer starts from, the pieces of text as they are made): a language
        model's continuation of ``prime``, token by token, or a seq2seq's translation of
        ``source``. Everything is checked before the first piece is made."""
        from zoo.inference.commands import primed, tokens_of, translate

        if not self.traits.emits_tokens:
            raise RequestError(
                f"a {self.spec.architecture} model does not generate; /generate is for a "
                "language_model or a seq2seq"
            )
        if self.traits.encoder_decoder:
            if source is None or prime is not None:
                raise RequestError('a seq2seq translates an "input"; give it, and no "prime"')
            if beam > self.limits.max_beam:
                raise RequestError(f"beam {beam}; at most {self.limits.max_beam}")
            text = _checked(translate, self.opened, source, beam, self._inference)
            return {"input": source}, iter([text])
        if source is not None or beam != 1:
            raise RequestError(
                'a language model continues a "prime"; "input" and "beam" are for a seq2seq'
            )
        if length > self.limits.max_generate_length:
            raise RequestError(f"length {length}; at most {self.limits.max_generate_length}")
        shown, ids = _checked(primed, self.opened, prime)
        if seed is None:
            seed = int(np.random.default_rng().integers(2**31 - 1))
        vocabulary = self.opened.record.vocabulary or []
        separator = tokens_of(self.spec).separator
        made = self._sampler.stream(ids, length, temperature, seed)
        pieces = (separator + vocabulary[i] for i in made if 0 < i < len(vocabulary))
        return {"prime": shown, "seed": seed}, pieces

    # -- /trace --------------------------------------------------------------------------

    def trace(self, text: str | None, instance: Any, series: Any) -> dict[str, Any]:
        """``zoo trace`` of one input, as JSON."""
        from zoo.tracing import trace_model

        if not self.traits.recurrent:
            raise RequestError(f"a {self.spec.architecture} model has no recurrence to trace")
        given = [
            name
            for name, v in (("text", text), ("instance", instance), ("series", series))
            if v is not None
        ]
        if len(given) != 1:
            raise RequestError(
                'give one of "text", "instance" or "series"; got ' + (" and ".join(given) or "none")
            )
        reads_text = self.takes == TEXTS or self.opened.record.vocabulary is not None
        if self.takes == TEXTS and text is None:
            raise RequestError('this model reads text: give "text"')
        if text is not None and not reads_text:
            raise RequestError(f'this model reads numbers: give "instance" ({self.accepts()})')
        if text is not None and len(text) > self.limits.max_text_chars:
            raise RequestError(f"text: at most {self.limits.max_text_chars:,} characters")
        array = None
        if series is not None:
            if self.takes != SERIES:
                raise RequestError(f"this model is not a forecaster; give {self.accepts()}")
            array = self.series_windows([series])[0]
        elif instance is not None:
            array = self.instances([instance])[0]
        origin = f"the weights of {self.opened.path}"
        traced = _checked(trace_model, self.model, self.opened.record, origin, text, array)
        return trace_json(traced)


def trace_json(trace: Any) -> dict[str, Any]:
    """A ``zoo.tracing.Trace`` as JSON: per layer and direction, each quantity of the
    cell's equations as (steps, units), in the order the direction ran its steps."""
    head = trace.head
    return {
        "name": trace.name,
        "cell": trace.cell,
        "origin": trace.origin,
        "tokens": trace.tokens,
        "agreement": float(trace.agreement),
        "layers": [
            {
                "layer": d.layer,
                "direction": d.direction,
                "positions": [int(p) for p in d.positions],
                "symbols": {"x": d.symbols.get("x", "x_t"), **d.symbols},
                "steps": {
                    "x": _finite(d.inputs),
                    **{q: _finite(np.stack([s[q] for s in d.steps])) for q in d.steps[0]},
                },
            }
            for d in trace.directions
        ],
        "head": None
        if head is None
        else {
            "positions": [int(p) for p in head.positions],
            "activation": head.activation,
            "outputs": _finite(head.outputs),
            "predicted": trace.predicted(),
        },
        "labels": trace.labels,
        "attention": None if trace.attention is None else _finite(trace.attention),
        "decoder": None if trace.decoder is None else trace_json(trace.decoder),
    }


def _finite(values: np.ndarray) -> list:
    """JSON has no NaN: a value the model could not compute is null."""
    array = np.asarray(values, dtype="float64")
    return np.where(np.isfinite(array), array, None).tolist()


def _numbers(values: Any, where: str) -> np.ndarray:
    """Nested lists of numbers as one array; ragged, non-numeric or non-finite refused."""
    from zoo.inference.inputs import check_numbers

    try:
        array = np.asarray(values)
    except ValueError:
        array = np.asarray(values, dtype=object)
    if array.dtype == object:
        raise RequestError(f"{where}: give numbers, every example of one shape")
    _checked(check_numbers, array, where)
    return array


def _checked(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, its UserError (the commands' one-line refusal) a RequestError."""
    try:
        return function(*args)
    except UserError as error:
        raise RequestError(str(error)) from None


def _future_covariates(spec: Any) -> tuple[int, int] | None:
    """A csv_series forecaster's (number of future covariates, horizon); None without."""
    from zoo.data.base import source_of

    if spec.data is None or spec.data.source != "csv_series":
        return None
    _, args = source_of(spec)
    return (len(args.future), args.horizon) if args.future else None


def _forecast_names(spec: Any) -> list[str] | None:
    """What a forecaster forecasts (its target columns, or its series' name); None for a
    model that does not forecast a series."""
    from zoo.data.base import source_of
    from zoo.spec.derived import output_width

    if spec.data is None:
        return None
    _, args = source_of(spec)
    if "horizon" not in type(args).model_fields:
        return None
    if spec.data.source != "csv_series":
        return [spec.data.source]
    named = [str(c) for c in args.target or args.columns or []]
    targets = (output_width(spec) or args.horizon) // args.horizon
    return named if len(named) == targets else [f"target {i + 1}" for i in range(targets)]
