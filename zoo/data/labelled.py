"""Labelled text from a CSV file: word ids in, a class out (sentiment, topics, ...)."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from pydantic import Field

from zoo.data.base import (
    Context,
    Dataset,
    DataSource,
    Naive,
    SourceArgs,
    accuracy,
    commonest_class,
)
from zoo.data.files import PATH, Column, _column_indexes, _csv_rows, _existing_file, _read_text
from zoo.data.tokens import PADDING, UNKNOWN
from zoo.errors import SpecError

# Words (letters, digits, apostrophes) and single punctuation marks are tokens.
_TOKEN = re.compile(r"[\w']+|[^\w\s]")


class TextClassesArgs(SourceArgs):
    path: str = Field(description="a UTF-8 CSV file with a header row, one example per row")
    text: Column = Field("text", description="the column holding the text")
    label: Column = Field("label", description="the column holding the class")
    length: int = Field(100, gt=0, description="tokens per example: longer cut, shorter padded")
    vocab_size: int = Field(
        20_000, ge=3, description="ids kept: padding (0), unknown (1), then the commonest words"
    )
    lowercase: bool = Field(True, description="lowercase the text before splitting it")


def tokenize(text: str, lowercase: bool) -> list[str]:
    return _TOKEN.findall(text.lower() if lowercase else text)


def _text_classes(args: TextClassesArgs, context: Context) -> Dataset:
    """Word ids from the ``text`` column, class ids from the ``label`` column. The
    vocabulary is "" (padding, id 0), "[UNK]" (id 1, any word not kept), then the
    ``vocab_size - 2`` commonest words, most frequent first. Classes are the distinct
    labels in sorted order, ids from 0; y is (examples, 1), which suits a softmax head
    (sparse categorical cross-entropy) and, for two classes, a one-unit sigmoid head.
    The baseline always predicts the commonest class."""
    path = _existing_file(args.path, context)
    rows = [row for _, row in _csv_rows(path)]
    if len(rows) < 2:
        raise SpecError.single(f"{path} needs a header row and at least one example", PATH)
    header, rows = rows[0], rows[1:]
    (text_index,) = _column_indexes(path, [args.text], header, len(header), "text")
    (label_index,) = _column_indexes(path, [args.label], header, len(header), "label")
    texts = [tokenize(row[text_index], args.lowercase) for row in rows]
    counts = Counter(word for words in texts for word in words)
    vocabulary = [PADDING, UNKNOWN, *(w for w, _ in counts.most_common(args.vocab_size - 2))]
    ids = {word: i for i, word in enumerate(vocabulary) if i > 1}
    x = np.zeros((len(rows), args.length), dtype="int32")
    for i, words in enumerate(texts):
        tokens = [ids.get(word, 1) for word in words[: args.length]]
        x[i, : len(tokens)] = tokens
    labels = [row[label_index] for row in rows]
    classes = sorted(set(labels))
    y = np.array([[classes.index(label)] for label in labels], dtype="int32")
    return Dataset(x, y, vocabulary, naive=commonest_class(y))


text_classes = DataSource(TextClassesArgs, _text_classes)


class TaggedTextArgs(SourceArgs):
    path: str = Field(description="a UTF-8 text file: one sentence per line, tokens as word/TAG")
    length: int = Field(50, gt=0, description="tokens per sentence: longer cut, shorter padded")
    vocab_size: int = Field(
        10_000, ge=3, description="ids kept: padding (0), unknown (1), then the commonest words"
    )
    lowercase: bool = Field(True, description="lowercase the words (tags are kept as written)")


def _tagged_text(args: TaggedTextArgs, context: Context) -> Dataset:
    """Sequence tagging (many-to-many): each line is a sentence of ``word/TAG`` tokens
    separated by spaces (the last "/" splits, so "1/2/NUM" is word "1/2", tag NUM).
    Word ids as in ``text_classes``; tags are the distinct tags in sorted order, ids
    from 0. y is (sentences, length) tag ids, 0 also at padding: the padding is masked
    when the embedding has mask_zero. The baseline tags every token with the
    commonest tag of the corpus."""
    path = _existing_file(args.path, context)
    sentences: list[list[tuple[str, str]]] = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        pairs = []
        for token in line.split():
            word, slash, tag = token.rpartition("/")
            if not slash or not word or not tag:
                raise SpecError.single(f"{path}:{number}: {token!r} is not word/TAG", PATH)
            pairs.append((word.lower() if args.lowercase else word, tag))
        if pairs:
            sentences.append(pairs)
    if not sentences:
        raise SpecError.single(f"{path} has no tagged sentences", PATH)
    counts = Counter(word for sentence in sentences for word, _ in sentence)
    vocabulary = [PADDING, UNKNOWN, *(w for w, _ in counts.most_common(args.vocab_size - 2))]
    ids = {word: i for i, word in enumerate(vocabulary) if i > 1}
    tags = sorted({tag for sentence in sentences for _, tag in sentence})
    x = np.zeros((len(sentences), args.length), dtype="int32")
    y = np.zeros((len(sentences), args.length), dtype="int32")
    for i, sentence in enumerate(sentences):
        for j, (word, tag) in enumerate(sentence[: args.length]):
            x[i, j], y[i, j] = ids.get(word, 1), tags.index(tag)
    tag_counts = Counter(tag for sentence in sentences for _, tag in sentence)
    commonest = tags.index(tag_counts.most_common(1)[0][0])
    tagged = np.where(x > 0, commonest, -1).astype("int32")  # padding is not scored
    name = "accuracy of tagging every token with the commonest tag"
    return Dataset(x, y, vocabulary, naive=Naive(name, tagged, accuracy))


tagged_text = DataSource(TaggedTextArgs, _tagged_text)
