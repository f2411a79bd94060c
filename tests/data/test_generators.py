"""The built-in generators: deterministic, and each one's task exactly as documented."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zoo
from zoo.data.base import Context, Dataset, DataSource, SourceArgs, check_fits, parse_args
from zoo.errors import SpecError
from zoo.registry import DATASETS

SPECS = Path(__file__).resolve().parents[2] / "specs"


def load(name: str, seed: int = 0, folder: Path = Path("."), **args: Any) -> Dataset:
    """A registered source's data, its arguments parsed as a spec's would be."""
    source: DataSource = DATASETS[name].load()
    return source.load(parse_args(source, args), Context(seed, folder))


def error(name: str, folder: Path = Path("."), **args: Any) -> str:
    with pytest.raises(SpecError) as caught:
        load(name, folder=folder, **args)
    return str(caught.value)


def arrays(dataset: Dataset) -> list[np.ndarray]:
    xs = dataset.x if isinstance(dataset.x, list) else [dataset.x]
    return [*xs, dataset.y]


SMALL = {
    "adding": {"samples": 50, "length": 10},
    "copy_memory": {"samples": 50, "delay": 10},
    "reber": {"samples": 50},
    "sine": {"series_length": 200},
    "arma": {"series_length": 200},
    "reversal": {"samples": 50},
    "addition": {"samples": 50},
}


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_registered_source_is_a_documented_data_source(name: str) -> None:
    source = DATASETS[name].load()
    assert isinstance(source, DataSource)
    assert issubclass(source.Args, SourceArgs)
    assert all(field.description for field in source.Args.model_fields.values())
    assert source.load.__doc__


@pytest.mark.parametrize("name", list(SMALL))
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    first, again, other = (load(name, seed, **SMALL[name]) for seed in (0, 0, 1))
    for a, b in zip(arrays(first), arrays(again), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(arrays(first), arrays(other), strict=True))


def test_unknown_argument_suggests_or_lists_the_valid_ones() -> None:
    assert (
        error("copy_memory", dealy=5)
        == "data.args.dealy: unknown key 'dealy'; did you mean 'delay'?"
    )
    assert error("copy_memory", speed=5) == (
        "data.args.speed: unknown key 'speed'; "
        "valid keys here: samples, delay, symbols, copy_length"
    )


# copy_memory


def test_copy_memory_recalls_the_symbols_after_the_delimiter() -> None:
    data = load("copy_memory", samples=40, delay=15, symbols=5, copy_length=4)
    blank, delimiter = 6, 7
    x, y = data.x, data.y
    assert x.dtype == y.dtype == np.int32
    assert x.shape == y.shape == (40, 15 + 2 * 4)
    assert set(np.unique(x[:, :4])) == {1, 2, 3, 4, 5}
    assert (x[:, 4:] == [blank] * 14 + [delimiter] + [blank] * 4).all()
    np.testing.assert_array_equal(y[:, -4:], x[:, :4])
    assert (y[:, :-4] == blank).all()
    assert data.vocabulary == ["", "a", "b", "c", "d", "e", "<blank>", "<delimiter>"]
    assert data.baseline(data) == {"memoryless cross-entropy": pytest.approx(4 * math.log(5) / 23)}


def test_copy_memory_defaults_are_the_published_task() -> None:
    data = load("copy_memory", samples=3)
    assert data.x.shape == (3, 120)  # T = 100, 10 symbols of 8, 11 token ids with padding
    assert data.x.max() == 10
    assert len(data.vocabulary) == 11
    assert data.baseline(data)["memoryless cross-entropy"] == pytest.approx(10 * math.log(8) / 120)


# reber: an acceptor written from the grammar's published regular form, independent of
# the generator's transition table.
REBER = "(TS*X(S|X(T*VPX)*T*V(V|PS))|P(T*VPX)*T*V(V|PS))"
PLAIN = re.compile(f"B{REBER}E")
EMBEDDED = re.compile(f"B(T B{REBER}E T|P B{REBER}E P)E".replace(" ", ""))
SYMBOLS = "BTPSXVE"


def strings(data: Dataset) -> list[str]:
    return ["".join(data.vocabulary[i] for i in row if i) for row in data.x]


def legal(data: Dataset, row: int, length: int) -> list[str]:
    return [
        "".join(s for s, on in zip(SYMBOLS, step, strict=True) if on)
        for step in data.y[row][:length]
    ]


@pytest.mark.parametrize(("embedded", "grammar"), [(True, EMBEDDED), (False, PLAIN)])
def test_reber_strings_are_in_the_grammar(embedded: bool, grammar: re.Pattern) -> None:
    data = load("reber", samples=300, embedded=embedded, max_length=14)
    texts = strings(data)
    assert all(grammar.fullmatch(t) for t in texts)  # a truncated string would fail here
    assert max(map(len, texts)) == 14  # long strings are kept up to max_length
    assert data.vocabulary == ["", *SYMBOLS]
    lengths = np.array([len(t) for t in texts])
    assert ((data.x > 0) == (np.arange(14) < lengths[:, None])).all()  # right-padded with 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BTBTXSETE", ["TP", "B", "TP", "SX", "SX", "E", "T", "E", ""]),
        ("BPBPVVEPE", ["TP", "B", "TP", "TV", "PV", "E", "P", "E", ""]),
    ],
)
def test_reber_targets_mark_exactly_the_legal_next_symbols(text: str, expected: list[str]) -> None:
    data = load("reber", samples=300)
    row = strings(data).index(text)
    assert legal(data, row, len(text)) == expected
    assert not data.y[row, len(text) :].any()


def test_reber_plain_grammar_targets() -> None:
    data = load("reber", samples=100, embedded=False)
    row = strings(data).index("BTXSE")
    assert legal(data, row, 5) == ["TP", "SX", "SX", "E", ""]


def test_reber_every_next_symbol_is_marked_and_the_branch_is_remembered() -> None:
    data = load("reber", samples=200)
    for row, text in enumerate(strings(data)):
        marks = legal(data, row, len(text))
        assert all(nxt in m for nxt, m in zip(text[1:], marks, strict=False))
        assert marks[-3] == text[1]  # after the inner E, only the branch symbol
    frequency = data.y[data.x > 0].mean(axis=0)
    entropy = -np.mean(frequency * np.log(frequency) + (1 - frequency) * np.log(1 - frequency))
    assert data.baseline(data) == {
        "binary cross-entropy of predicting symbol frequencies": pytest.approx(entropy)
    }


def test_reber_min_length_keeps_only_long_strings_of_the_grammar() -> None:
    data = load("reber", samples=100, min_length=20, max_length=30)
    texts = strings(data)
    assert all(EMBEDDED.fullmatch(t) and 20 <= len(t) <= 30 for t in texts)
    assert data.x.shape == (100, 30)


def test_reber_lengths_too_rare_to_draw_are_refused_not_waited_for() -> None:
    with pytest.raises(SpecError, match=r"too rare in this grammar.*lower min_length"):
        load("reber", samples=100, min_length=60, max_length=60)


def test_reber_min_length_above_max_length_is_refused() -> None:
    with pytest.raises(SpecError, match="min_length 30 is above max_length 20"):
        load("reber", samples=10, min_length=30, max_length=20)


@pytest.mark.parametrize(("embedded", "shortest"), [(True, 9), (False, 5)])
def test_reber_max_length_below_the_shortest_string(embedded: bool, shortest: int) -> None:
    load("reber", samples=5, embedded=embedded, max_length=shortest)
    assert error("reber", embedded=embedded, max_length=shortest - 1) == (
        f"data.args.max_length: must be at least {shortest}, the length of the shortest string"
        if embedded
        else "data.args.max_length: must be greater than or equal to 5, got 4"
    )


# sine and arma


def series(data: Dataset) -> np.ndarray:
    """The whole series back from stride-1 windows."""
    return np.concatenate([data.x[:, 0, 0], data.x[-1, 1:, 0], data.y[-1]])


@pytest.mark.parametrize("name", ["sine", "arma"])
def test_forecast_targets_are_the_steps_after_each_window(name: str) -> None:
    data = load(name, series_length=200, window=10, horizon=3)
    x, y = data.x[:, :, 0], data.y
    assert data.x.dtype == y.dtype == np.float32
    assert data.x.shape == (200 - 10 - 3 + 1, 10, 1)
    np.testing.assert_array_equal(x[1:, :-1], x[:-1, 1:])  # windows advance one step
    np.testing.assert_array_equal(y[:-10], x[10:, :3])  # window i + 10 starts at i's horizon
    assert len(series(data)) == 200
    persistence = np.mean((y - x[:, -1:]) ** 2)
    assert data.baseline(data) == {"mse of persistence": pytest.approx(persistence, rel=1e-5)}
    np.testing.assert_array_equal(data.spans[:, 1] - data.spans[:, 0], 3)  # horizon rows


@pytest.mark.parametrize("name", ["sine", "arma"])
def test_stride_skips_windows(name: str) -> None:
    every = load(name, series_length=200, window=10, horizon=3)
    strided = load(name, series_length=200, window=10, horizon=3, stride=5)
    assert len(strided) == (200 - 13) // 5 + 1
    np.testing.assert_array_equal(strided.x, every.x[::5])
    np.testing.assert_array_equal(strided.y, every.y[::5])


@pytest.mark.parametrize("name", ["sine", "arma"])
def test_series_must_cover_a_window_and_a_horizon(name: str) -> None:
    assert error(name, series_length=59) == (
        "data.args: series_length 59 is shorter than window + horizon (48 + 12)"
    )


def residual(values: np.ndarray, order: int) -> float:
    """Root-mean-square error of the best linear recurrence of ``order`` on ``values``."""
    lags = np.stack([values[i : len(values) - order + i] for i in range(order)], axis=1)
    target = values[order:]
    coefficients, *_ = np.linalg.lstsq(lags, target, rcond=None)
    return float(np.sqrt(np.mean((lags @ coefficients - target) ** 2)))


def test_sine_is_a_sum_of_components_sines_plus_noise() -> None:
    clean = series(load("sine", series_length=1000, noise=0.0)).astype("float64")
    # a sum of k sines satisfies a linear recurrence of order 2k (up to float32 rounding),
    # and no shorter one
    assert residual(clean, 6) < 1e-5 and residual(clean, 4) > 1e-3
    assert np.abs(clean).max() <= 3 * 1.5
    two = series(load("sine", series_length=1000, noise=0.0, components=2)).astype("float64")
    assert residual(two, 4) < 1e-5 and residual(two, 2) > 1e-3
    noisy = series(load("sine", series_length=1000, noise=0.5)).astype("float64")
    assert np.std(noisy - clean) == pytest.approx(0.5, rel=0.1)


def ar_fit(values: np.ndarray, order: int) -> tuple[np.ndarray, float]:
    """Least-squares AR coefficients φ_1..φ_order and the residuals' standard deviation."""
    lags = np.stack([values[order - i : len(values) - i] for i in range(1, order + 1)], axis=1)
    coefficients, *_ = np.linalg.lstsq(lags, values[order:], rcond=None)
    return coefficients, float(np.std(values[order:] - lags @ coefficients))


def test_arma_autoregression_recovers_its_coefficients() -> None:
    values = series(load("arma", series_length=5000, ar=[0.6, -0.2], ma=[], noise=2.0))
    coefficients, noise = ar_fit(values.astype("float64"), 2)
    np.testing.assert_allclose(coefficients, [0.6, -0.2], atol=0.05)
    assert noise == pytest.approx(2.0, rel=0.05)


def test_arma_moving_average_autocorrelation() -> None:
    values = series(load("arma", series_length=5000, ar=[], ma=[0.8])).astype("float64")
    values -= values.mean()

    def autocorrelation(lag: int) -> float:
        return float(values[lag:] @ values[:-lag] / (values @ values))

    assert autocorrelation(1) == pytest.approx(0.8 / (1 + 0.8**2), abs=0.05)  # θ / (1 + θ²)
    assert autocorrelation(2) == pytest.approx(0.0, abs=0.05)


def test_arma_rejects_an_explosive_ar() -> None:
    assert error("arma", ar=[0.7, 0.5]) == (
        "data.args.ar: the ar coefficients sum to 1.2; |sum(ar)| must be below 1, "
        "or the series drifts without bound"
    )


def test_sine_defaults_fit_the_forecaster_spec() -> None:
    spec = zoo.load_spec(SPECS / "forecaster_gru.yaml")
    data = load("sine")
    check_fits(data, spec, "sine")
    assert data.y.shape[1] == spec.outputs.units


# reversal and addition


def test_reversal_targets_reverse_the_source() -> None:
    data = load("reversal", samples=40, length=6, vocab=4)
    source, decoder_inputs = data.x
    start, end = 5, 6
    assert source.dtype == decoder_inputs.dtype == data.y.dtype == np.int32
    assert set(np.unique(source)) == {1, 2, 3, 4}
    np.testing.assert_array_equal(data.y[:, :-1], source[:, ::-1])
    assert (data.y[:, -1] == end).all()
    assert (decoder_inputs[:, 0] == start).all()
    np.testing.assert_array_equal(decoder_inputs[:, 1:], data.y[:, :-1])
    assert data.vocabulary == ["", "a", "b", "c", "d", "<start>", "<end>"]
    majority = np.mean([np.bincount(c).max() / 40 for c in data.y[:, :-1].T])
    baseline = data.baseline(data)["accuracy of predicting each position's majority token"]
    assert baseline == pytest.approx((6 * majority + 1) / 7)  # the end is always right


def decode_addition(data: Dataset) -> list[tuple[str, str]]:
    """(source text, answer text) per example, the answer read up to the end token."""
    source_characters = "0123456789+"
    examples = []
    for source, target in zip(data.x[0], data.y, strict=True):
        question = "".join(source_characters[i - 1] for i in source if i)
        end = list(target).index(data.vocabulary.index("<end>"))
        assert not target[end + 1 :].any()  # only padding after the end
        examples.append((question, "".join(data.vocabulary[i] for i in target[:end])))
    return examples


def test_addition_answers_are_the_sums() -> None:
    data = load("addition", samples=300, digits=3)
    examples = decode_addition(data)
    for question, answer in examples:
        a, b = question.split("+")
        assert int(a) + int(b) == int(answer)
        assert all(str(int(n)) == n for n in (a, b, answer))  # no leading zeros
        assert max(int(a), int(b)) < 1000
    assert {len(answer) for _, answer in examples} >= {3, 4}
    source, decoder_inputs = data.x
    start = data.vocabulary.index("<start>")
    assert (decoder_inputs[:, 0] == start).all()
    np.testing.assert_array_equal(decoder_inputs[:, 1:], data.y[:, :-1])
    assert source.max() == 11  # "+"


def test_addition_digits_sets_the_lengths() -> None:
    data = load("addition", samples=100, digits=1)
    assert data.x[0].shape == (100, 3)
    assert data.x[1].shape == data.y.shape == (100, 3)
    assert all(int(q[0]) + int(q[2]) == int(a) for q, a in decode_addition(data))


@pytest.mark.parametrize(
    ("name", "spec"), [("reversal", "seq2seq_reversal"), ("addition", "seq2seq_addition")]
)
def test_seq2seq_defaults_fit_their_specs(name: str, spec: str) -> None:
    loaded = zoo.load_spec(SPECS / f"{spec}.yaml")
    data = load(name, samples=200)
    check_fits(data, loaded, name)
    source, decoder_inputs = data.x
    assert source.shape[1] == loaded.inputs.length
    assert source.max() < loaded.inputs.vocab_size
    assert decoder_inputs.shape[1] == data.y.shape[1] == loaded.outputs.length
    assert max(decoder_inputs.max(), data.y.max()) < loaded.outputs.vocab_size
    assert len(data.vocabulary) == loaded.outputs.vocab_size


def test_clusters_separate_by_class() -> None:
    from zoo.data.base import Context
    from zoo.data.generators import ClustersArgs, clusters

    data = clusters.load(ClustersArgs(samples=400, classes=3, spread=0.1), Context(0, Path(".")))
    labels = data.y[:, 0]
    assert data.x.shape == (400, 32) and set(labels) == {0, 1, 2}
    centres = np.stack([data.x[labels == k].mean(axis=0) for k in range(3)])
    nearest = np.argmin(((data.x[:, None] - centres[None]) ** 2).sum(-1), axis=1)
    assert (nearest == labels).all()  # tight clusters: every point is nearest its own centre


def test_trajectories_follow_one_linear_system() -> None:
    from zoo.data.base import Context
    from zoo.data.generators import TrajectoriesArgs, trajectories

    data = trajectories.load(TrajectoriesArgs(samples=64), Context(0, Path(".")))
    assert data.x.shape == (64, 16) and data.y.shape == (64, 20, 3)
    # y_t = x A^(t-1) C: the same linear map for every example, so y is linear in x
    flat = data.y.reshape(64, -1)
    coefficients, *_ = np.linalg.lstsq(data.x, flat, rcond=None)
    np.testing.assert_allclose(data.x @ coefficients, flat, atol=1e-4)
    assert np.abs(data.y[:, -1]).mean() < np.abs(data.y[:, 0]).mean()  # it decays
