"""The command benchmark's table is well formed: every contender is compared with a
reference it also times, and the spec it builds is a shipped one. (Its timings are
never asserted: the machines are shared.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).parents[1] / "benchmarks" / "command_speed.py"


def test_every_contender_has_a_timed_reference(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("command_speed", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    commands = module.contenders(tmp_path)
    references = {reference for _, reference in commands.values() if reference}
    assert references == {"plain Keras script", "import tensorflow"}
    assert references <= commands.keys()
    assert module.SPEC.is_file()
    assert (tmp_path / "plain.py").read_text() == module.PLAIN_KERAS
