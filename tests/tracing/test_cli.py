"""zoo trace as a user runs it: the seeds' network, its CSV, workbook and heatmaps, a
seq2seq's greedy decoding, and one line with exit 2 for every mistake."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from zoo.cli import main
from zoo.tracing import COLUMNS, trace

SEED_LETTERS = ["e", "h", "l", "o"]  # hello_seed's one-hot columns: ids 1..4


def run(capsys: pytest.CaptureFixture, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_hello_seed_trace_prints_every_step_of_the_seeds_network(capsys) -> None:
    code, out, _ = run(capsys, "trace", "hello_seed", "--input", "hell")
    assert code == 0
    for symbol in ("x_t W", "h_{t-1} U + b", "h_t", "logits", "softmax"):
        assert symbol in out
    assert [line.split()[1] for line in out.splitlines() if line.startswith("step ")] == [
        "1",
        "2",
        "3",
        "4",
    ]
    assert "untrained" in out  # a spec traces the weights it initialises


def test_csv_rows_are_tidy_and_match_the_trace(capsys, tmp_path: Path) -> None:
    path = tmp_path / "hello.csv"
    code, out, _ = run(capsys, "trace", "hello_seed", "--input", "hell", "--csv", path)
    assert code == 0 and f"wrote {path}" in out
    with path.open() as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == COLUMNS
    quantities = {row["quantity"] for row in rows}
    assert quantities == {"x", "xW", "hU+b", "h", "logits", "softmax"}
    # x is the one-hot vector of the step's letter, in the vocabulary's column order
    for step, letter in enumerate("hell", start=1):
        x = [float(r["value"]) for r in rows if r["quantity"] == "x" and r["step"] == str(step)]
        assert x == [float(letter == column) for column in SEED_LETTERS]
        assert {r["token"] for r in rows if r["step"] == str(step)} == {letter}
        softmax = [
            float(r["value"]) for r in rows if r["quantity"] == "softmax" and r["step"] == str(step)
        ]
        assert len(softmax) == 5 and abs(sum(softmax) - 1) < 1e-5
    h = [r for r in rows if r["quantity"] == "h"]
    assert len(h) == 4 * 3 and {r["layer"] for r in h} == {"rnn_1"}
    # the rows hold the same numbers as the trace
    traced = trace("hello_seed", text="hell")
    np.testing.assert_allclose(
        [float(r["value"]) for r in h],
        np.stack([s["h"] for s in traced.directions[0].steps]).ravel(),
        rtol=0,
        atol=1e-7,
    )


def test_one_hot_inputs_feed_the_unit_vectors(tmp_path: Path) -> None:
    traced = trace("hello_seed", text="hole")
    direction = traced.directions[0]
    np.testing.assert_array_equal(direction.inputs, np.eye(4)[[1, 3, 2, 0]])  # h o l e
    # x_t W of a one-hot x_t is the letter's row of W, as the seeds work it out
    np.testing.assert_allclose(direction.steps[0]["xW"], direction.weights["W"][1], atol=1e-7)
    assert traced.labels == ["", *SEED_LETTERS]


def test_workbook_and_heatmaps(capsys, tmp_path: Path) -> None:
    import openpyxl

    book, png = tmp_path / "hello.xlsx", tmp_path / "hello.png"
    code, _, _ = run(capsys, "trace", "hello_seed", "--input", "hell", "--xlsx", book, "--png", png)
    assert code == 0
    sheets = openpyxl.load_workbook(book)
    assert sheets.sheetnames == [
        "rnn_1 forward",
        "head",
        "rnn_1 forward W",
        "rnn_1 forward U",
        "rnn_1 forward b",
        "head W_hy",
        "head b_y",
    ]
    layer = sheets["rnn_1 forward"]
    assert [c.value for c in layer[1]] == ["quantity", "unit", "1 'h'", "2 'e'", "3 'l'", "4 'l'"]
    traced = trace("hello_seed", text="hell")
    h_rows = [row for row in layer.iter_rows(min_row=2, values_only=True) if row[0] == "h_t"]
    expected = np.stack([s["h"] for s in traced.directions[0].steps]).T  # units x steps
    np.testing.assert_allclose([row[2:] for row in h_rows], expected, atol=1e-7)
    weights = sheets["rnn_1 forward W"]
    assert [c.value for c in weights[1]] == [None, "h 0", "h 1", "h 2"]
    assert png.read_bytes().startswith(b"\x89PNG")


def test_seq2seq_traces_the_encoder_then_each_greedy_step(capsys) -> None:
    overrides = {"model.units": 8, "data.args.samples": 40}
    traced = trace("seq2seq_addition", text="12+3", overrides=overrides)
    assert [d.layer for d in traced.directions] == ["encoder_1"]
    assert traced.tokens == list("12+3")
    decoder = traced.decoder
    assert decoder is not None and decoder.tokens[0] == "<start>"
    assert [d.layer for d in decoder.directions] == ["decoder_1"]
    # each step reads the token the step before it chose
    assert decoder.predicted()[:-1] == decoder.tokens[1:]
    assert decoder.attention.shape == (len(decoder.tokens), 7)  # the source's length
    np.testing.assert_allclose(decoder.attention.sum(axis=1), 1, atol=1e-5)
    assert decoder.attention[:, 4:].max() < 1e-6  # the source's padding is masked
    assert traced.agreement < 1e-5
    # the decoder starts from the encoder's final state: with h_0 = 0 the LSTM's first
    # pre-activation would be x_1 W + b alone
    first, weights = decoder.directions[0], decoder.directions[0].weights
    from_zeros = first.inputs[0] @ weights["W"] + weights["b"]
    assert not np.allclose(first.steps[0]["z"], from_zeros, atol=1e-4)
    rows = list(traced.rows())
    assert {r[2] for r in rows} == {"encoder_1", "decoder_1", "head", "attention"}


@pytest.mark.slow
def test_trained_hello_seed_continues_hell_with_o(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", "hello_seed"]) == 0
    run_dir = next((tmp_path / "runs").iterdir())
    capsys.readouterr()
    code, out, _ = run(capsys, "trace", run_dir, "--input", "hell")
    assert code == 0 and f"the weights of {run_dir / 'best.keras'}" in out
    answers = [line.split("-> ")[1] for line in out.splitlines() if "-> " in line]
    assert answers == ["'e'", "'l'", "'l'", "'o'"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["hello_seed", "--input", "help"], "--input has characters the model never saw: 'p'"),
        (["hello_seed"], "give --input TEXT"),
        (["dense_baseline", "--input-npy", "x.npy"], "has no recurrence to trace"),
        (["hello_seed", "--input", "hell", "--csv", "out.txt"], "--csv out.txt: give a .csv file"),
        (["hello_seed", "--input", "hellohello"], "the input has 10 tokens; the model reads 4"),
        (["hello_seed", "--input", "hell", "--units", "0"], "--units must be at least 1"),
        (["adding_rnn", "--input", "hell"], "give --input-npy FILE, not --input"),
        (["adding_rnn"], "give --input-npy FILE"),  # its windows are of no series to end
        (["no_such_spec", "--input", "hell"], "no_such_spec"),
        (["hello_seed", "--input", "hell", "--set", "model.units=0"], "model.units"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(capsys, argv: list, message: str) -> None:
    code, out, err = run(capsys, "trace", *argv)
    assert code == 2, (out, err)
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_a_forecaster_given_no_input_reads_the_end_of_its_series(capsys) -> None:
    from zoo.data.packaged import _sktime_datasets

    traced = trace("lynx_gru")
    assert traced.origin.endswith("reading the last window of the lynx series")
    counts = _sktime_datasets("lynx").load_lynx().to_numpy(dtype="float64")
    last = np.log10(counts)[-10:, None].astype("float32")  # the source's own units
    given = trace("lynx_gru", array=last)
    np.testing.assert_allclose(traced.directions[0].inputs, given.directions[0].inputs)
    assert len(traced.tokens) == 10 and traced.head.outputs == pytest.approx(given.head.outputs)


def test_a_trained_model_is_not_changed_by_set(capsys, tmp_path: Path) -> None:
    model = tmp_path / "hello.keras"
    assert main(["build", "hello_seed", "-o", str(model)]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "trace", model, "--input", "hell", "--set", "model.units=4")
    assert code == 2 and "--set changes a spec" in err
    # built, not trained: it has no vocabulary yet, so it reads token ids
    code, _, err = run(capsys, "trace", model, "--input", "hell")
    assert code == 2 and "give --input-npy of token ids" in err
    np.save(tmp_path / "hell.npy", np.array([2, 1, 3, 3]))
    code, out, _ = run(capsys, "trace", model, "--input-npy", tmp_path / "hell.npy")
    assert code == 0 and "input ['#2', '#1', '#3', '#3']: 4 steps" in out
    assert out.count("-> '#") == 4  # the likeliest id at each step


def test_a_quantile_forecaster_traces_one_answer_per_quantile_and_step(
    capsys, tmp_path: Path
) -> None:
    """airline_gru's head answers (quantiles, horizon): the trace shows each value, as
    the model gives them, rather than failing to print a matrix as a number."""
    window = tmp_path / "window.npy"
    np.save(window, np.linspace(100, 400, 24, dtype="float32")[:, None])
    assert main(["trace", "airline_gru", "--input-npy", str(window), "--units", "40"]) == 0
    traced = trace("airline_gru", array=window)
    assert traced.head.outputs.shape == (1, 3 * 12)
    assert traced.head.positions == [23] and len(traced.predicted()[0].split()) == 36
    assert f"{traced.head.outputs[0, 0]:7.3f}".strip() in capsys.readouterr().out
