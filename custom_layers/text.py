"""Raw text to token ids inside a model, so that a saved model takes strings.

``split_text`` is the one tokenizer: the data sources count their vocabulary with it
and ``TextIds`` applies it in the model, so training and inference cannot tokenize
differently. Words are runs of letters, digits, marks, "_" and apostrophes; every
other visible character is a token of its own ("don't stop!" -> don't, stop, !).
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

SPLITS = ("words", "spaces")  # words and punctuation marks; or whatever spaces separate
# RE2 patterns (as TensorFlow and most regex engines read them), also written beside
# models exported without their tokenizer. Characters that are neither part of a word
# nor white space each stand alone; runs of white space separate tokens.
MARK_PATTERN = r"[^\pL\pN\pM_'\pZ\s]"
SPACE_PATTERN = r"[\pZ\s]+"


def split_text(texts: Any, split: str, lowercase: bool) -> tf.RaggedTensor:
    """A batch of strings -> their tokens (ragged, one row per string)."""
    texts = tf.convert_to_tensor(texts, dtype=tf.string)
    if lowercase:
        texts = tf.strings.lower(texts, encoding="utf-8")  # not just ASCII: "Été" -> "été"
    if split == "words":
        texts = tf.strings.regex_replace(texts, MARK_PATTERN, r" \0 ")
    # Unicode spaces become " ", which split (on ASCII white space) drops, empty texts too
    return tf.strings.split(tf.strings.regex_replace(texts, SPACE_PATTERN, " "))


@keras.saving.register_keras_serializable(package="zoo")
class TextIds(keras.layers.Layer):
    """Strings (batch,) -> token ids (batch, length): the first ``length`` tokens of each,
    0 after its end. ``vocabulary`` is id -> token, with "" (padding, 0) and the
    unknown-word token (1) first; a token not in it gets id 1."""

    def __init__(
        self, vocabulary: list[str], length: int, split: str, lowercase: bool, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        self.vocabulary = list(vocabulary)
        self.length = length
        self.split = split
        self.lowercase = lowercase
        self.supports_jit = False  # string ops do not compile with XLA
        words = tf.constant(self.vocabulary[2:], dtype=tf.string)
        ids = tf.range(2, len(self.vocabulary), dtype=tf.int32)
        self._table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(words, ids), default_value=1
        )

    def call(self, texts: Any) -> Any:
        tokens = split_text(tf.reshape(texts, [-1]), self.split, self.lowercase)
        ids = tf.ragged.map_flat_values(self._table.lookup, tokens)
        return ids.to_tensor(default_value=0, shape=[None, self.length])

    def compute_output_spec(self, texts: Any) -> keras.KerasTensor:
        return keras.KerasTensor((texts.shape[0], self.length), dtype="int32")

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "vocabulary": self.vocabulary,
            "length": self.length,
            "split": self.split,
            "lowercase": self.lowercase,
        }
