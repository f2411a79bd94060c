"""The project's own error: a user mistake, reported as one line with where it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a value came from: a file position, or a command-line override."""

    source: str  # a file path, or "--set" for an override
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        parts = [self.source]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec: where, which key, what was expected."""

    message: str
    path: str = ""  # dotted key path, e.g. "model.units"
    location: Location | None = None

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        key = f"{self.path}: " if self.path else ""
        return f"{prefix}{key}{self.message}"


class SpecError(ValueError):
    """A spec (or a file it names) is wrong. Carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, message: str, path: str = "", location: Location | None = None) -> SpecError:
        return cls([Problem(message, path, location)])


class UserError(Exception):
    """A mistake on the command line or in a file that is not a spec (exit code 2)."""


def first_line(error: BaseException, limit: int = 300) -> str:
    """An exception's first line, for a one-line message (its type where it says nothing)."""
    text = str(error).strip().splitlines()
    return text[0][:limit] if text else type(error).__name__
