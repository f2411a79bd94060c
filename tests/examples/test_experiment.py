"""What every example script shares: figures over seeds, and a quiet start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_spread_is_the_value_for_one_seed_and_mean_sd_for_several(example) -> None:
    example("reber")  # puts experiment.py on the path, as running a script does
    from experiment import share, spread

    assert spread([0.1234], ".3f") == "0.123"
    assert spread([1.0, 2.0, 3.0], ".2f") == "2.00 ± 1.00"  # the sample standard deviation
    assert share([True]) == "yes" and share([False]) == "no"
    assert share([True, False, True]) == "2 of 3"


def test_seeds_must_be_at_least_one(example, capsys) -> None:
    module = example("reber")
    with pytest.raises(SystemExit) as exited:
        module.main(["--seeds", "0"])
    assert exited.value.code == 2
    assert "--seeds: must be a whole number, at least 1" in capsys.readouterr().err


def test_a_script_starts_without_tensorflows_chatter() -> None:
    # --help loads TensorFlow (experiment.py imports the training code) and exits
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "reber.py"), "--help"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    assert "--seeds N" in done.stdout
    assert done.stderr == ""
