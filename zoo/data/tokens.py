"""The special tokens, defined once. Token id 0 is always padding. A special token is
known by its id in the vocabulary, never by how its text looks: a character model
trained on HTML generates "<" as an ordinary character."""

from __future__ import annotations

PADDING = ""
UNKNOWN = "[UNK]"  # a word outside the kept vocabulary
START, END = "<start>", "<end>"  # a seq2seq target's markers, the last two target ids


def markers(vocabulary: list[str]) -> tuple[int, int]:
    """The start and end ids of a seq2seq target vocabulary."""
    return vocabulary.index(START), vocabulary.index(END)
