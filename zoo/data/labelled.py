"""Labelled text: sentences and their classes from a CSV file (sentiment, topics, ...),
or sentences tagged word by word.

The examples are the raw strings: the model carries its tokenizer and the vocabulary
fitted on the training split (``zoo.data.preprocessing``), so it takes text as the
user has it."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from zoo.data.base import (
    Context,
    Dataset,
    DataSource,
    RawText,
    SourceArgs,
    class_ids,
    commonest_class,
)
from zoo.data.files import PATH, Column, _column_indexes, _csv_rows, _existing_file, _read_text
from zoo.errors import SpecError

# The vocabulary's size is stated once, as inputs.vocab_size (the embedding's rows):
# ids for padding (0), unknown (1), then the training split's commonest tokens seen at
# least min_count times, as many as fit. A corpus with fewer such tokens leaves rows
# unused; it is never cut to a size chosen for another corpus.
MIN_COUNT = 1
VOCABULARY = {"vocab_size": "inputs.vocab_size"}
MIN_COUNT_HELP = (
    "a token seen fewer times in the training split gets the unknown id; the vocabulary "
    "is the commonest of the rest, as many as inputs.vocab_size holds"
)


class TextClassesArgs(SourceArgs):
    path: str = Field(description="a UTF-8 CSV file with a header row, one example per row")
    text: Column = Field("text", description="the column holding the text")
    label: Column = Field("label", description="the column holding the class")
    length: int = Field(100, gt=0, description="tokens per example: longer cut, shorter padded")
    min_count: int = Field(MIN_COUNT, gt=0, description=MIN_COUNT_HELP)
    lowercase: bool = Field(True, description="lowercase the text before splitting it")


def _text_classes(args: TextClassesArgs, context: Context) -> Dataset:
    """The ``text`` column's strings, split into words and punctuation marks; class ids
    from the ``label`` column. The vocabulary is "" (padding, id 0), "[UNK]" (id 1, any
    word not kept), then the training split's commonest words, most frequent first, as
    many as ``inputs.vocab_size`` holds. Classes are the distinct labels in sorted
    order, ids from 0 (or, for a trained model, its own classes); y is (examples, 1),
    which suits a softmax head (sparse categorical cross-entropy) and, for two
    classes, a one-unit sigmoid head. The baseline always predicts the training
    split's commonest class."""
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
    ids, classes = class_ids(labels, context.numbering, str(path), "data.args.label")
    text = RawText("words", args.lowercase, args.length, args.min_count)
    return Dataset(x, ids[:, None], naive=commonest_class(), text=text, classes=classes)


text_classes = DataSource(TextClassesArgs, _text_classes, set_by_the_spec=VOCABULARY)


class TaggedTextArgs(SourceArgs):
    path: str = Field(description="a UTF-8 text file: one sentence per line, tokens as word/TAG")
    length: int = Field(50, gt=0, description="tokens per sentence: longer cut, shorter padded")
    min_count: int = Field(MIN_COUNT, gt=0, description=MIN_COUNT_HELP)
    lowercase: bool = Field(True, description="lowercase the words (tags are kept as written)")


def _tagged_text(args: TaggedTextArgs, context: Context) -> Dataset:
    """Sequence tagging (many-to-many): each line is a sentence of ``word/TAG`` tokens
    separated by spaces (the last "/" splits, so "1/2/NUM" is word "1/2", tag NUM).
    The examples are the sentences' words joined by spaces, which the model splits at
    the spaces; word ids as in ``text_classes``. Tags are the distinct tags in sorted
    order, ids from 0 (or, for a trained model, its own tags). y is (sentences, length)
    tag ids, 0 at padding too, where the weights are 0: padding is neither trained on
    nor scored, whether or not the embedding masks it. The baseline tags every token
    with the training split's commonest tag."""
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
    tag_of = [tag for sentence in sentences for _, tag in sentence]
    ids, tags = class_ids(tag_of, context.numbering, str(path), PATH)
    x = np.array([" ".join(word for word, _ in sentence) for sentence in sentences], dtype=object)
    y = np.zeros((len(sentences), args.length), dtype="int32")
    weights = np.zeros((len(sentences), args.length), dtype="float32")
    start = 0
    for i, sentence in enumerate(sentences):
        kept = min(len(sentence), args.length)
        y[i, :kept] = ids[start : start + kept]
        weights[i, :kept] = 1
        start += len(sentence)
    name = "accuracy of tagging every token with the commonest tag"
    text = RawText("spaces", args.lowercase, args.length, args.min_count)
    return Dataset(x, y, naive=commonest_class(name), text=text, classes=tags, weights=weights)


tagged_text = DataSource(TaggedTextArgs, _tagged_text, set_by_the_spec=VOCABULARY)
