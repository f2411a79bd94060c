"""Labelled text: sentences and their classes from a CSV file (sentiment, topics, ...),
or sentences tagged word by word.

The examples are the raw strings: the model carries its tokenizer and the vocabulary
fitted on the training split (``zoo.data.preprocessing``), so it takes text as the
user has it."""

from __future__ import annotations

from collections import Counter

import numpy as np
from pydantic import Field

from zoo.data.base import (
    Context,
    Dataset,
    DataSource,
    Naive,
    RawText,
    SourceArgs,
    accuracy,
    commonest_class,
)
from zoo.data.files import PATH, Column, _column_indexes, _csv_rows, _existing_file, _read_text
from zoo.errors import SpecError


class TextClassesArgs(SourceArgs):
    path: str = Field(description="a UTF-8 CSV file with a header row, one example per row")
    text: Column = Field("text", description="the column holding the text")
    label: Column = Field("label", description="the column holding the class")
    length: int = Field(100, gt=0, description="tokens per example: longer cut, shorter padded")
    vocab_size: int = Field(
        20_000,
        ge=3,
        description="ids kept: padding (0), unknown (1), then the training split's commonest words",
    )
    lowercase: bool = Field(True, description="lowercase the text before splitting it")


def _text_classes(args: TextClassesArgs, context: Context) -> Dataset:
    """The ``text`` column's strings, split into words and punctuation marks; class ids
    from the ``label`` column. The vocabulary is "" (padding, id 0), "[UNK]" (id 1, any
    word not kept), then the training split's ``vocab_size - 2`` commonest words, most
    frequent first. Classes are the distinct labels in sorted order, ids from 0; y is
    (examples, 1), which suits a softmax head (sparse categorical cross-entropy) and,
    for two classes, a one-unit sigmoid head. The baseline always predicts the
    commonest class."""
    path = _existing_file(args.path, context)
    numbered = _csv_rows(path)
    if len(numbered) < 2:
        raise SpecError.single(f"{path} needs a header row and at least one example", PATH)
    header = numbered[0][1]
    (text_index,) = _column_indexes(path, [args.text], header, len(header), "text")
    (label_index,) = _column_indexes(path, [args.label], header, len(header), "label")
    for line, row in numbered[1:]:  # an empty label would be a class of its own
        for key, index in (("text", text_index), ("label", label_index)):
            if not row[index].strip():
                raise SpecError.single(
                    f"{path}:{line}: the {key} column ({header[index]!r}) is empty",
                    f"data.args.{key}",
                )
    rows = [row for _, row in numbered[1:]]
    x = np.array([row[text_index] for row in rows], dtype=object)
    labels = [row[label_index] for row in rows]
    classes = sorted(set(labels))
    index = {label: i for i, label in enumerate(classes)}
    y = np.array([[index[label]] for label in labels], dtype="int32")
    text = RawText("words", args.lowercase, args.length, args.vocab_size)
    return Dataset(x, y, naive=commonest_class(y), text=text, classes=classes)


text_classes = DataSource(TextClassesArgs, _text_classes)


class TaggedTextArgs(SourceArgs):
    path: str = Field(description="a UTF-8 text file: one sentence per line, tokens as word/TAG")
    length: int = Field(50, gt=0, description="tokens per sentence: longer cut, shorter padded")
    vocab_size: int = Field(
        10_000,
        ge=3,
        description="ids kept: padding (0), unknown (1), then the training split's commonest words",
    )
    lowercase: bool = Field(True, description="lowercase the words (tags are kept as written)")


def _tagged_text(args: TaggedTextArgs, context: Context) -> Dataset:
    """Sequence tagging (many-to-many): each line is a sentence of ``word/TAG`` tokens
    separated by spaces (the last "/" splits, so "1/2/NUM" is word "1/2", tag NUM).
    The examples are the sentences' words joined by spaces, which the model splits at
    the spaces; word ids as in ``text_classes``. Tags are the distinct tags in sorted
    order, ids from 0. y is (sentences, length) tag ids, 0 also at padding: the padding
    is masked when the embedding has mask_zero. The baseline tags every token with the
    commonest tag of the corpus."""
    path = _existing_file(args.path, context)
    sentences: list[list[tuple[str, str]]] = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        pairs = []
        for token in line.split():
            word, slash, tag = token.rpartition("/")
            if not slash or not word or not tag:
                raise SpecError.single(f"{path}:{number}: {token!r} is not word/TAG", PATH)
            pairs.append((word, tag))
        if pairs:
            sentences.append(pairs)
    if not sentences:
        raise SpecError.single(f"{path} has no tagged sentences", PATH)
    tags = sorted({tag for sentence in sentences for _, tag in sentence})
    index = {tag: i for i, tag in enumerate(tags)}
    x = np.array([" ".join(word for word, _ in sentence) for sentence in sentences], dtype=object)
    y = np.zeros((len(sentences), args.length), dtype="int32")
    tagged = np.full((len(sentences), args.length), -1, dtype="int32")  # padding: not scored
    tag_counts = Counter(tag for sentence in sentences for _, tag in sentence)
    commonest = index[tag_counts.most_common(1)[0][0]]
    for i, sentence in enumerate(sentences):
        kept = sentence[: args.length]
        y[i, : len(kept)] = [index[tag] for _, tag in kept]
        tagged[i, : len(kept)] = commonest
    name = "accuracy of tagging every token with the commonest tag"
    text = RawText("spaces", args.lowercase, args.length, args.vocab_size)
    return Dataset(x, y, naive=Naive(name, tagged, accuracy), text=text, classes=tags)


tagged_text = DataSource(TaggedTextArgs, _tagged_text)
