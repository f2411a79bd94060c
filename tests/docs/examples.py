"""The examples of a documentation page, read from its Markdown and run as a reader would.

A page's fenced blocks run in order, in one fresh folder of the page's own:
- a block with ``title="NAME"`` (any language) is written there as the file NAME;
- a ``python`` block is executed, every block of the page in one namespace;
- a ``console`` block runs its ``$ zoo ...`` commands (and ``$ cat FILE``). The lines
  under a command are what it prints: they must match its output, ``...`` standing for
  any text, and a command whose shown output has an ``error:`` line must fail (exit 2
  or more), any other must succeed. A command shown with no output is run and must
  succeed. A prompt with a host before it (``chief$ zoo tune ...``) is not run: such a
  command needs another machine.
Every ``zoo`` command anywhere on a page, run or not (``bash`` blocks, host prompts), must
parse with today's parser, so a renamed option fails the page.
"""

from __future__ import annotations

import contextlib
import glob
import io
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>```+)(?P<info>[^\n`]*)\n"  # the opening fence
    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",  # the body, up to the same fence
    re.M | re.S,
)
TITLE = re.compile(r'title="([^"]+)"')
PROMPT = re.compile(r"^(?P<host>[\w.-]*)\$ (?P<command>.*)$")
ERROR_EXIT = 2  # what the zoo command returns for a user's mistake


@dataclass
class Block:
    language: str
    body: str
    line: int  # where the fence opens, 1-based
    title: str | None = None


@dataclass
class Command:
    text: str
    line: int
    shown: list[str] = field(default_factory=list)  # the output the page shows
    host: str = ""  # a prompt like `chief$`: shown for another machine, not run


def blocks(markdown: str) -> list[Block]:
    found = []
    for match in FENCE.finditer(markdown):
        info = match.group("info").strip()
        indent = match.group("indent")
        body = "".join(
            line[len(indent) :] if line.startswith(indent) else line
            for line in match.group("body").splitlines(keepends=True)
        )
        title = TITLE.search(info)
        found.append(
            Block(
                language=info.split()[0] if info else "",
                body=body,
                line=markdown.count("\n", 0, match.start()) + 1,
                title=title.group(1) if title else None,
            )
        )
    return found


def commands(block: Block) -> list[Command]:
    """A console block's commands, each with the lines it shows (continuations joined)."""
    found: list[Command] = []
    lines = block.body.splitlines()
    index = 0
    while index < len(lines):
        prompt = PROMPT.match(lines[index])
        if prompt:
            text, start = prompt.group("command"), index
            while text.endswith("\\") and index + 1 < len(lines):
                index += 1
                text = text[:-1].rstrip() + " " + lines[index].strip()
            found.append(Command(text, block.line + 1 + start, host=prompt.group("host")))
        elif found:
            found[-1].shown.append(lines[index])
        index += 1
    return found


def zoo_invocations(text: str) -> list[list[str]]:
    """The argument lists of each `zoo ...` in a shell line (after `&&`, `;`, `|`)."""
    found = []
    for part in re.split(r"&&|;|\|\|?|\bdo\b|\bthen\b", text):
        said = words(part.split(" #")[0])
        if said and said[0] == "zoo":
            found.append(_without_redirection(said[1:]))
    return found


def words(text: str) -> list[str]:
    """A shell line's words, as the shell splits them (plain spaces where it cannot)."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _without_redirection(words: list[str]) -> list[str]:
    return words[: words.index(">")] if ">" in words else words


def matches(shown: list[str], output: str) -> bool:
    """The shown lines equal the output, `...` standing for any text (newlines too)."""
    expected = "\n".join(line.rstrip() for line in shown).strip("\n")
    actual = "\n".join(line.rstrip() for line in output.splitlines()).strip("\n")
    pattern = ".*?".join(re.escape(piece) for piece in expected.split("..."))
    return re.fullmatch(pattern, actual, re.S) is not None


def run_zoo(words: list[str], folder: Path) -> tuple[int, str]:
    """`zoo WORDS` in this process, its stdout and stderr as one text in order."""
    from zoo.cli import main

    argv, target = _redirect(words)
    argv = [expanded for word in argv for expanded in _glob(word, folder)]
    captured = io.StringIO()
    with (
        contextlib.chdir(folder),
        contextlib.redirect_stdout(captured),
        contextlib.redirect_stderr(captured),
    ):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse: --help, or a bad option
            code = exit_.code if isinstance(exit_.code, int) else 1
    output = captured.getvalue()
    if target is not None:  # `zoo schema > spec.schema.json`: stdout into the file
        (folder / target).write_text(output)
        output = ""
    return code, output


def _redirect(words: list[str]) -> tuple[list[str], str | None]:
    if ">" in words:
        at = words.index(">")
        return words[:at], words[at + 1]
    return words, None


def _glob(word: str, folder: Path) -> list[str]:
    if not any(c in word for c in "*?["):
        return [word]
    with contextlib.chdir(folder):
        return sorted(glob.glob(word)) or [word]
