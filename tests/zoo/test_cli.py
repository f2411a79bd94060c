"""The zoo command: outputs, exit codes, and one clear line per user mistake."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from zoo.catalog import specs_folder
from zoo.cli import main

HELLO = specs_folder() / "hello.yaml"


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_build_prints_summary_and_saves_with_spec(capsys, tmp_path: Path) -> None:
    output = tmp_path / "out" / "hello.keras"
    code, out, err = run(capsys, "build", HELLO, "-o", output, "--set", "model.units=12")
    assert (code, err) == (0, "")
    assert "Total params" in out
    assert out.strip().splitlines()[-1] == f"hello: 357 parameters; saved {output}"
    code, out, _ = run(capsys, "inspect", output)
    assert code == 0
    assert "name: hello" in out and "units: 12" in out


def test_build_defaults_to_name_in_current_folder(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "build", HELLO)[0] == 0
    assert (tmp_path / "hello.keras").is_file()


def test_validate_show_list_schema(capsys) -> None:
    code, out, _ = run(capsys, "validate", HELLO, specs_folder() / "adding_rnn.yaml")
    assert code == 0 and out.count(": ok") == 2
    code, out, _ = run(capsys, "show", specs_folder() / "adding_rnn.yaml")
    assert code == 0 and "name: adding_rnn" in out and "clipnorm: 1.0" in out
    code, out, _ = run(capsys, "list")
    assert code == 0 and any(line.startswith("hello ") for line in out.splitlines())
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert schema["properties"]["cell"]["anyOf"][0]["enum"] == ["rnn", "lstm", "gru"]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.yaml", "error: no such file: {d}/missing.yaml"),
        (lambda d: d, "error: {d} is a directory, not a spec file"),
        (
            lambda d: _file(d / "b.yaml", b"\xff\xfe\x00binary"),
            "error: {d}/b.yaml is not a UTF-8 text file",
        ),
        (
            lambda d: _file(d / "i.yaml", b"a: [1,\n"),
            "error: {d}/i.yaml:2:1: invalid YAML: while "
            "parsing a flow node expected the node content, but found '<stream end>'",
        ),
        (
            lambda d: _file(
                d / "v.yaml",
                b"version: 1\nname: x\narchitecture: many_to_one\n"
                b"cell: lstm\ninputs: {features: 2}\nmodel: {units: 0}\n",
            ),
            "error: {d}/v.yaml:6:9: model.units: must be a positive integer, got 0",
        ),
    ],
)
@pytest.mark.parametrize("command", ["build", "validate", "show"])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path: Path, command, make, expected) -> None:
    path = make(tmp_path)
    code, _, err = run(capsys, command, path)
    assert code == 2
    assert err.splitlines() == [expected.format(d=tmp_path)]


def test_bad_override_and_output(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "build", HELLO, "--set", "model.units")
    assert code == 2 and err.startswith("error: --set: expected KEY=VALUE")
    code, _, err = run(capsys, "build", HELLO, "-o", tmp_path / "model.h5")
    assert (code, err) == (2, f"error: {tmp_path}/model.h5: a model file must end in .keras\n")


def test_inspect_errors(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "inspect", tmp_path / "none.keras")
    assert (code, err) == (2, f"error: {tmp_path}/none.keras: no such model file\n")
    text = _file(tmp_path / "text.keras", b"not a zip")
    code, _, err = run(capsys, "inspect", text)
    assert (code, err) == (2, f"error: {text}: not a .keras model file\n")
    archive = tmp_path / "plain.keras"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("config.json", "{}")
    code, _, err = run(capsys, "inspect", archive)
    assert code == 2 and "was not built from a spec" in err


def _file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.slow
def test_installed_command(tmp_path: Path) -> None:
    """The console script as a user runs it: help without TensorFlow, then a build."""
    zoo = [sys.executable, "-m", "zoo.cli"]
    help_run = subprocess.run([*zoo, "--help"], capture_output=True, text=True)
    assert help_run.returncode == 0 and "examples:" in help_run.stdout
    built = subprocess.run(
        [*zoo, "build", str(HELLO), "-o", str(tmp_path / "h.keras")],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""  # TensorFlow's start-up chatter is kept off the terminal
    bad = subprocess.run(
        [*zoo, "validate", str(tmp_path / "x.yaml")], capture_output=True, text=True
    )
    assert (bad.returncode, bad.stderr) == (2, f"error: no such file: {tmp_path}/x.yaml\n")


def test_plot_draws_or_says_what_is_missing(capsys, tmp_path: Path) -> None:
    picture = tmp_path / "hello.png"
    code, out, err = run(capsys, "build", HELLO, "-o", tmp_path / "h.keras", "--plot", picture)
    drawable = importlib.util.find_spec("pydot") is not None and shutil.which("dot") is not None
    if drawable:
        assert code == 0 and picture.stat().st_size > 0 and f"drew {picture}" in out
    else:
        assert code == 2 and err.startswith("error: --plot needs pydot and Graphviz")
        assert (tmp_path / "h.keras").is_file()  # the model is saved before drawing


def test_a_reader_that_stops_reading_is_not_a_traceback() -> None:
    """`zoo schema | head -1`: the pipe closes before zoo has written; zoo stops quietly
    with the shell's code for it, not a BrokenPipeError traceback."""
    zoo_command = Path(sys.executable).with_name("zoo")
    process = subprocess.Popen(
        [str(zoo_command), "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()  # before zoo writes a byte
    _, err = process.communicate(timeout=60)
    assert process.returncode == 141 and err == b""
