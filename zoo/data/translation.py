"""A parallel corpus from a wheel: the names of the emoji in English and in another
language, as the Unicode CLDR gives them and the ``emoji`` package ships them: 1,927
distinct English-French pairs without the skin-tone variants. Short phrases, some
word for word ("red apple" -> "pomme rouge"), some not ("man juggling" -> "jongleur"),
some the same ("pizza"), translated character by character.

Most of the other names are skin-tone variants of another ("teacher light skin tone"
beside "teacher"); they are left out unless asked for, as a random split would put a
name in training and its variants in test, and score the model on names it has seen.
"""

from __future__ import annotations

from pydantic import Field

from zoo.data.base import Context, Dataset, DataSource, SourceArgs
from zoo.data.generators import padded, seq2seq_dataset
from zoo.data.tokens import END, START
from zoo.errors import UserError

TONE = "skin_tone"


class EmojiNamesArgs(SourceArgs):
    language: str = Field(
        "fr", description="the language to translate English names into: fr, de, es, it, pt, ..."
    )
    skin_tones: bool = Field(
        False,
        description="keep the skin-tone variants (their names repeat another's, so a random "
        "split scores the model on names it has seen)",
    )


def name_pairs(language: str, skin_tones: bool = False) -> list[tuple[str, str]]:
    """(English name, its translation) for every emoji with both, in the order the
    package lists them; underscores read as spaces, the colons around a name dropped."""
    try:
        import emoji
    except ImportError:
        raise UserError(
            "the emoji_names source reads the emoji package: pip install 'rnn-spec-zoo[text]'"
        ) from None
    languages = [name for name in emoji.LANGUAGES if name != "en"]
    if language not in languages:
        raise UserError(
            f"data.args.language: {language!r} is not a language of the emoji package; "
            f"one of {', '.join(languages)}"
        )
    emoji.config.load_language(language)
    pairs: dict[str, str] = {}
    for names in emoji.EMOJI_DATA.values():
        if language in names and (skin_tones or TONE not in names["en"]):
            # an emoji written with and without its variation selector has one name,
            # twice: kept once, or it could be in training and in test
            pairs.setdefault(_readable(names["en"]), _readable(names[language]))
    return list(pairs.items())


def _readable(name: str) -> str:
    return name.strip(":").replace("_", " ")


def _emoji_names(args: EmojiNamesArgs, context: Context) -> Dataset:
    """Source: the English name's characters (ids from 1, by the sorted characters of
    every name), right-padded with 0. Target: the translation's characters, then end,
    right-padded; start and end are the last two target ids. Decoder inputs as in
    ``seq2seq_dataset``."""
    pairs = name_pairs(args.language, args.skin_tones)
    source_vocabulary = ["", *sorted({c for english, _ in pairs for c in english})]
    characters = sorted({c for _, translated in pairs for c in translated})
    vocabulary = ["", *characters, START, END]
    source_ids = {c: i for i, c in enumerate(source_vocabulary)}
    target_ids = {c: i for i, c in enumerate(vocabulary)}
    end = target_ids[END]
    source = padded(
        [[source_ids[c] for c in english] for english, _ in pairs],
        max(len(english) for english, _ in pairs),
    )
    targets = padded(
        [[*(target_ids[c] for c in translated), end] for _, translated in pairs],
        max(len(translated) for _, translated in pairs) + 1,
    )
    return seq2seq_dataset(source, targets, vocabulary, source_vocabulary)


emoji_names = DataSource(EmojiNamesArgs, _emoji_names)
