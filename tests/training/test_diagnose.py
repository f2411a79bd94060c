"""The ‖∂L/∂s_t‖ diagnostic against a case worked out by hand, and from the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

import zoo
from zoo.cli import main
from zoo.training.diagnose import hidden_state_gradients

LINEAR_RNN = {
    "version": 1,
    "name": "linear_rnn",
    "architecture": "many_to_one",
    "cell": "rnn",
    "inputs": {"length": 12, "features": 2},
    "model": {"units": 4, "activation": "linear"},
    "outputs": {"units": 1},
    "data": {"source": "adding", "args": {"samples": 40, "length": 12}},
}


def test_gradient_shrinks_by_the_recurrent_gain_per_step() -> None:
    # h_t = x_t W + h_{t-1} (0.5 I) + b: then ∂h_{t+1}/∂h_t = 0.5 I and
    # ∂L/∂h_t = 0.5^(T-t) ∂L/∂h_T for every example, so the mean norms share the ratio.
    model = zoo.build(LINEAR_RNN)
    kernel, _, bias, *head = model.get_weights()
    model.set_weights([kernel, 0.5 * np.eye(4, dtype="float32"), bias, *head])
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 12, 2)).astype("float32"), rng.random((8, 1)).astype("float32")
    norms = hidden_state_gradients(model, x, y)
    assert norms.shape == (12,)
    np.testing.assert_allclose(norms / norms[-1], 0.5 ** np.arange(11, -1, -1), rtol=1e-4)


def test_lstm_state_includes_the_cell_state() -> None:
    spec = {**LINEAR_RNN, "cell": "lstm", "model": {"units": 4}}
    model = zoo.build(spec)
    rng = np.random.default_rng(0)
    x, y = rng.random((4, 12, 2)).astype("float32"), rng.random((4, 1)).astype("float32")
    norms = hidden_state_gradients(model, x, y)
    assert np.all(np.isfinite(norms)) and norms[-1] > norms[0] > 0


def test_cli_draws_one_plot_for_several_specs(capsys, tmp_path: Path) -> None:
    specs = []
    for cell in ("rnn", "gru"):
        path = tmp_path / f"{cell}.yaml"
        path.write_text(yaml.safe_dump({**LINEAR_RNN, "name": cell, "cell": cell}))
        specs.append(str(path))
    output = tmp_path / "gradients.png"
    assert main(["diagnose", *specs, "-o", str(output), "--batch", "8"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("rnn (initial): mean ‖∂L/∂s_t‖ at t=1 ")
    assert out[1].startswith("gru (initial): ")
    assert out[2] == f"drew {output}" and output.stat().st_size > 1000


def test_cli_refuses_what_it_cannot_measure(capsys, tmp_path: Path) -> None:
    path = tmp_path / "bi.yaml"
    path.write_text(yaml.safe_dump({**LINEAR_RNN, "model": {"units": 4, "bidirectional": True}}))
    assert main(["diagnose", str(path), "-o", str(tmp_path / "x.png")]) == 2
    assert "diagnose measures one direction" in capsys.readouterr().err


def test_truncated_gradients_are_exactly_zero_more_than_k_steps_back() -> None:
    # 12 steps, k = 5: the cuts fall before steps 6 and 11 (1-based), so the loss at the
    # last step reaches s_11 and s_12 (the last chunk's states) and nothing before
    model = zoo.build({**LINEAR_RNN, "train": {"truncate": 5}})
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 12, 2)).astype("float32"), rng.random((8, 1)).astype("float32")
    norms = hidden_state_gradients(model, x, y)
    assert np.all(norms[:10] == 0) and np.all(norms[10:] > 0)
    full = hidden_state_gradients(zoo.build(LINEAR_RNN), x, y)
    assert np.all(full > 0)


def test_cli_set_repoints_a_trained_models_data_and_refuses_other_changes(
    capsys, tmp_path: Path
) -> None:
    """--set once changed only specs; on a trained model it was silently ignored."""
    path = tmp_path / "linear.yaml"
    path.write_text(yaml.safe_dump(LINEAR_RNN))
    model = tmp_path / "linear.keras"
    assert main(["build", str(path), "-o", str(model)]) == 0
    capsys.readouterr()
    output = str(tmp_path / "x.png")
    norms = []
    for seed in (1, 2):
        assert main(["diagnose", str(model), "-o", output, "--set", f"data.seed={seed}"]) == 0
        norms.append(capsys.readouterr().out.splitlines()[0])
    assert norms[0] != norms[1]  # other examples, other gradients
    for change in ("model.units=8", "train.truncate=5"):
        assert main(["diagnose", str(model), "-o", output, "--set", change]) == 2
        assert "--set may only re-point its data (data.*)" in capsys.readouterr().err
