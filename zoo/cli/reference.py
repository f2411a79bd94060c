"""The `zoo` command's reference in Markdown, read off the parser itself, so the
documentation names exactly the commands and options `zoo --help` knows."""

from __future__ import annotations

import argparse
import functools

from zoo.cli import COMMANDS, _parser

USAGE_WIDTH = 88  # fixed, so the page does not depend on the terminal that wrote it


def markdown() -> str:
    """One section per command: what it does, its usage, and every argument's help.
    An argument without help text is an error: the reference would have a blank."""
    subcommands = _subcommands(_parser())
    lines = []
    for command in COMMANDS:
        parser = subcommands[command.NAME]
        parser.formatter_class = functools.partial(argparse.HelpFormatter, width=USAGE_WIDTH)
        lines += [f"## zoo {command.NAME}", "", _sentence(command.HELP), "", "```text"]
        lines += [parser.format_usage().strip(), "```", ""]
        lines += ["| argument | default | meaning |", "| --- | --- | --- |"]
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not action.help:
                raise ValueError(f"zoo {command.NAME} {_flags(action)}: no help text")
            lines.append(f"| {_flags(action)} | {_default(action)} | {_cell(action.help)} |")
        lines.append("")
    return "\n".join(lines)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _flags(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"`{action.metavar or action.dest.upper()}`"
    metavar = "" if action.nargs == 0 else f" {action.metavar or action.dest.upper()}"
    return ", ".join(f"`{flag}{metavar}`" for flag in action.option_strings)


def _default(action: argparse.Action) -> str:
    if action.nargs == 0 or action.default in (None, [], argparse.SUPPRESS):
        return ""
    return f"`{action.default}`"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
