"""The zoo command's parser and its argument checks: a number out of range is one
line and exit code 2, said before any model (or TensorFlow) loads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from zoo.cli import COMMANDS, main

OUT_OF_RANGE = [
    (["generate", "RUN", "--length", "-2"], "--length must be at least 1, got -2"),
    (["generate", "RUN", "--length", "0"], "--length must be at least 1, got 0"),
    (["generate", "RUN", "--temperature", "-1"], "--temperature must be at least 0, got -1"),
    (["generate", "RUN", "--temperature", "nan"], "--temperature must be at least 0, got nan"),
    (["generate", "RUN", "--beam", "0"], "--beam must be at least 1, got 0"),
    (["generate", "RUN", "--samples", "0"], "--samples must be at least 1, got 0"),
    (["diagnose", "RUN", "--batch", "0"], "--batch must be at least 1, got 0"),
    (["diagnose", "RUN", "--batch", "-3"], "--batch must be at least 1, got -3"),
    (["predict", "RUN", "--text", "hi", "--steps", "0"], "--steps must be at least 1, got 0"),
    (["predict", "RUN", "--text", "hi", "--steps", "-1"], "--steps must be at least 1, got -1"),
    (["predict", "RUN", "--text", "hi", "--top", "0"], "--top must be at least 1, got 0"),
    (["trace", "RUN", "--units", "0"], "--units must be at least 1, got 0"),
]


def run(capsys: pytest.CaptureFixture, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "message"), OUT_OF_RANGE, ids=[" ".join(argv) for argv, _ in OUT_OF_RANGE]
)
def test_a_number_out_of_range_is_refused_before_the_model_loads(
    capsys, tmp_path: Path, argv: list[str], message: str
) -> None:
    # RUN does not exist: any other error than the flag's means the check came too late
    missing = tmp_path / "no-such-run"
    code, out, err = run(capsys, *(missing if a == "RUN" else a for a in argv))
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"error: {message}"]


def test_list_says_when_its_folder_is_not_one(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "list", "--dir", tmp_path / "none")
    assert (code, out, err) == (2, "", f"error: {tmp_path}/none: no such folder\n")
    file = tmp_path / "spec.yaml"
    file.write_text("name: x\n")
    code, out, err = run(capsys, "list", "--dir", file)
    assert (code, out, err) == (2, "", f"error: {file}: a file, not a folder\n")


def test_help_lists_every_command_module_in_order(capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--help"])
    assert raised.value.code == 0
    out = capsys.readouterr().out
    # a command's line starts four spaces in; its wrapped help is indented further
    listed = re.findall(r"^    (\w+)", out.split("commands:\n")[1], re.M)
    assert listed == [command.NAME for command in COMMANDS]
    assert "examples:" in out


def test_commands_without_a_model_and_refusals_do_not_load_tensorflow(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-run")
    commands = [
        ["list"],
        ["schema"],
        ["validate", "hello"],
        ["generate", missing, "--length", "0"],
        ["diagnose", missing, "--batch", "0"],
        ["predict", missing, "--text", "hi", "--steps", "0"],
    ]
    code = (
        "import sys\n"
        "from zoo.cli import main\n"
        f"codes = [main(argv) for argv in {commands!r}]\n"
        "print(*codes, 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.endswith("\n0 0 0 2 2 2 False False\n"), result.stderr[-3000:]
