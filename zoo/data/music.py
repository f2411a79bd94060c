"""Melodies as tokens for a language model, from the corpus music21's wheel ships (the
optional extra ``music``), and tokens written back as MIDI or MusicXML.

A melody is one token per note or rest, its pitch and its length in quarter notes:
``G4_1`` (the G above middle C, a quarter note), ``B-4_0.5`` (B flat, an eighth),
``rest_2``; ``|`` ends a piece. The chorales are read in music21's Riemenschneider order,
each tune's settings together (``tunes``), and windowed like a text
(``next_token_windows``): the validation and test notes are the last tunes', the split
cuts only between tunes, and a window straddling a cut is left out.

music21 is imported only when the source loads or a melody is written: validating a
spec or listing the sources works without it, and loading without it says which extra
to install.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from pydantic import Field

from zoo.data.base import Context, Dataset, DataSource, SourceArgs, Tokens
from zoo.data.files import next_token_windows
from zoo.errors import SpecError, UserError

INSTALL = 'pip install "rnn-spec-zoo[music]"'
END = "|"  # between pieces: a model primed with it begins a new melody
REST = "rest"
# the separator of a token's pitch and its length in quarter notes
JOIN = "_"
NOTES = Tokens(separator=" ", start=END, music=True)


class ChoralesArgs(SourceArgs):
    part: str = Field("Soprano", description="the voice read from each chorale, by part name")
    transpose: bool = Field(
        True,
        description="transpose each chorale to C major or A minor (by its analysed key), so "
        "that the model learns the shapes of melodies rather than twelve keys of each",
    )
    length: int = Field(32, gt=0, description="notes per window")
    stride: int | None = Field(
        None, gt=0, description="notes between window starts (default: length, no overlap)"
    )
    pieces: int | None = Field(
        None, gt=0, description="read the first N chorales only (a quick run); default: all"
    )
    group_tunes: bool = Field(
        True,
        description="keep every setting of a tune in one split (chorales sharing 30 % of "
        "their 8-note runs of pitches, in the order of each tune's first setting): Bach set "
        "many hymn tunes more than once, and read in corpus order 60 % of the test notes' "
        "8-note runs recur in the training chorales, so the test would score recall",
    )


# Two chorales set one tune when at least this share of the 8-note runs of pitches of
# the shorter recur in the other: settings of one tune share 60-100 %; unrelated
# chorales share stock cadences and scales, a few percent.
TUNE_RUN = 8
SAME_TUNE = 0.3


def music21() -> ModuleType:
    """music21, or a one-line UserError saying how to install it."""
    try:
        return importlib.import_module("music21")
    except ModuleNotFoundError:
        raise UserError(f"melodies are read and written with music21: {INSTALL}") from None


def _chorales(args: ChoralesArgs, context: Context) -> Dataset:
    """The ``part`` of each of Bach's chorales in music21's corpus as note tokens, each
    chorale followed by ``|``; the vocabulary is padding, then the distinct tokens in
    sorted order (for a trained model, its own, which must hold every token)."""
    m21 = music21()
    names = list(m21.corpus.chorales.Iterator(returnType="filename"))[: args.pieces]
    melodies = [melody_tokens(m21.corpus.parse(name), args.part, args.transpose) for name in names]
    melodies = [melody for melody in melodies if melody]
    if not melodies:
        raise SpecError.single(f"no chorale has a part named {args.part!r}", "data.args.part")
    groups = tunes(melodies) if args.group_tunes else [[i] for i in range(len(melodies))]
    tokens: list[str] = []
    breaks = []  # where each tune's first note is: a split by time cuts only there
    for group in groups:
        breaks.append(len(tokens))
        for i in group:
            tokens += [*melodies[i], END]
    known = context.numbering.vocabulary if context.numbering is not None else None
    vocabulary = list(known) if known is not None else ["", *sorted(set(tokens))]
    index = {token: i for i, token in enumerate(vocabulary) if i > 0}
    unknown = sorted(set(tokens) - index.keys())
    if unknown:
        raise SpecError.single(
            f"the chorales hold notes the model never saw: {', '.join(unknown[:10])}",
            "data.args",
        )
    ids = np.array([index[t] for t in tokens], dtype="int32")
    windows = next_token_windows(ids, vocabulary, args.length, args.stride, "note")
    return replace(windows, breaks=np.array(breaks))


def tunes(melodies: list[list[str]]) -> list[list[int]]:
    """The melodies grouped by tune (see SAME_TUNE), each group in corpus order, the
    groups in the order of their first melody."""
    runs = [_pitch_runs(melody) for melody in melodies]
    tune = list(range(len(melodies)))  # each melody's tune, by its first setting

    def first(i: int) -> int:
        while tune[i] != i:
            i = tune[i]
        return i

    for i, mine in enumerate(runs):
        for j in range(i):
            shorter = min(len(mine), len(runs[j]))
            if shorter and len(mine & runs[j]) >= SAME_TUNE * shorter:
                a, b = sorted((first(i), first(j)))
                tune[b] = a  # the tune keeps its earliest setting's place
    groups: dict[int, list[int]] = {}
    for i in range(len(melodies)):
        groups.setdefault(first(i), []).append(i)
    return [groups[k] for k in sorted(groups)]


def _pitch_runs(melody: list[str]) -> set[tuple[str, ...]]:
    pitches = [token.rpartition(JOIN)[0] for token in melody]
    return {tuple(pitches[i : i + TUNE_RUN]) for i in range(len(pitches) - TUNE_RUN + 1)}


def melody_tokens(score: Any, part: str, transpose: bool) -> list[str]:
    """One part of a music21 score as tokens ([] where it has no such part); a chord, as
    a melody part rarely holds, by its top note."""
    found = [p for p in score.parts if p.partName == part]
    if not found:
        return []
    voice = found[0]
    if transpose:
        m21 = music21()
        key = score.analyze("key")
        tonic = m21.pitch.Pitch("C" if key.mode == "major" else "A")
        voice = voice.transpose(m21.interval.Interval(key.tonic, tonic))
    made = []
    for event in voice.flatten().notesAndRests:
        length = f"{float(event.quarterLength):g}"
        if event.isRest:
            made.append(f"{REST}{JOIN}{length}")
        else:
            pitch = max(event.pitches, key=lambda p: p.ps)
            made.append(f"{pitch.nameWithOctave}{JOIN}{length}")
    return made


def write_melody(tokens: list[str], path: Path) -> int:
    """Write note tokens as .mid or .musicxml; the notes written (tokens that are not
    notes, such as ``|``, are skipped). Refuses any other suffix."""
    if path.suffix not in (".mid", ".midi", ".musicxml", ".xml"):
        raise UserError(f"{path}: a melody is written to .mid or .musicxml")
    m21 = music21()
    stream = m21.stream.Stream()
    for pitch, quarters in notes_of(tokens):
        if pitch is None:
            stream.append(m21.note.Rest(quarterLength=quarters))
        else:
            stream.append(m21.note.Note(pitch, quarterLength=quarters))
    if not stream.notesAndRests:
        raise UserError(f"{path}: the generated tokens hold no notes to write")
    stream.write("midi" if path.suffix in (".mid", ".midi") else "musicxml", fp=str(path))
    return len(stream.notesAndRests)


def notes_of(tokens: list[str]) -> list[tuple[str | None, float]]:
    """(pitch or None for a rest, quarter notes) of each note token; others skipped."""
    made = []
    for token in tokens:
        pitch, _, length = token.rpartition(JOIN)
        try:
            quarters = float(length)
        except ValueError:
            continue  # not a note: the end of a piece
        if quarters > 0:  # a grace note has no time of its own
            made.append((None if pitch == REST else pitch, quarters))
    return made


def plot_melody(tokens: list[str], path: Path, title: str) -> Path:
    """A piano roll of the melody: a bar per note, its pitch against time in quarters."""
    from zoo.training.plots import label, new_figure, save_figure

    m21 = music21()
    figure, axis = new_figure()
    start = 0.0
    for pitch, quarters in notes_of(tokens):
        if pitch is not None:
            axis.broken_barh([(start, quarters * 0.95)], (m21.pitch.Pitch(pitch).midi - 0.4, 0.8))
        start += quarters
    low, high = (int(v) for v in axis.get_ylim())
    ticks = [n for n in range(low, high + 1) if n % 12 in (0, 4, 7)]  # each C, E and G
    axis.set_yticks(ticks, [m21.pitch.Pitch(midi=n).nameWithOctave for n in ticks])
    label(axis, "time (quarter notes)", "pitch", title)
    return save_figure(figure, path)


chorales = DataSource(ChoralesArgs, _chorales, tokens=NOTES)
