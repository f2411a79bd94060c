"""Every example of the README and of the documentation site runs, as a reader runs it.

How a page's blocks are run is in examples.py; one test per page, its blocks in order in
a fresh folder (with `specs/` beside them, as in a clone). Pages that train are marked
slow: their commands use tiny epochs, and the pages say so.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from tests.docs import examples

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SLOW = ("$ zoo train", "$ zoo tune", "$ zoo export", "$ zoo diagnose", "zoo.train(", "zoo.tune(")


def _param(page: Path) -> object:
    text = page.read_text()
    marks = [pytest.mark.slow] if any(word in text for word in SLOW) else []
    return pytest.param(page, marks=marks, id=str(page.relative_to(ROOT)))


@pytest.mark.parametrize("page", [_param(p) for p in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path) -> None:
    (tmp_path / "specs").symlink_to(ROOT / "specs")
    name = page.relative_to(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in examples.blocks(page.read_text()):
        where = f"{name}:{block.line}"
        if block.title:
            (tmp_path / block.title).write_text(block.body)
        elif block.language == "python":
            with contextlib.chdir(tmp_path):
                exec(compile(block.body, where, "exec"), namespace)
        elif block.language == "console":
            for command in examples.commands(block):
                _check_parses(command.text, f"{name}:{command.line}")
                if not command.host:
                    _run(command, tmp_path, f"{name}:{command.line}")
        elif block.language in ("bash", "text"):
            for offset, line in enumerate(block.body.splitlines(), start=1):
                if block.language == "bash" or line.startswith("$ "):
                    _check_parses(line.removeprefix("$ "), f"{name}:{block.line + offset}")


def _check_parses(line: str, where: str) -> None:
    from zoo.cli import _parser

    for words in examples.zoo_invocations(line):
        if "--help" in words or "-h" in words:
            continue
        with contextlib.redirect_stderr(io.StringIO()) as said:
            try:
                _parser().parse_args(words)
            except SystemExit:
                pytest.fail(f"{where}: `zoo {' '.join(words)}` no longer parses: {said.getvalue()}")


def _run(command: examples.Command, folder: Path, where: str) -> None:
    words = examples.words(command.text)
    if words[0] == "cat":
        code, output = 0, (folder / words[1]).read_text()
    elif words[0] == "zoo":
        code, output = examples.run_zoo(words[1:], folder)
    else:
        pytest.fail(f"{where}: a console block runs zoo and cat; show `{words[0]}` in a bash block")
    fails = any(line.startswith("error:") for line in command.shown)
    if fails:
        assert code >= examples.ERROR_EXIT, f"{where}: `{command.text}` should fail:\n{output}"
    else:
        assert code == 0, f"{where}: `{command.text}` exited {code}:\n{output}"
    if command.shown:
        assert examples.matches(command.shown, output), (
            f"{where}: `{command.text}` printed\n{output}\nwhere the page shows\n"
            + "\n".join(command.shown)
        )
