"""Melodies as tokens (the chorales source) and tokens back as MIDI and MusicXML: read
from music21's corpus, transposed to one key, written so that music21 and a second MIDI
reader (mido) read the same notes back, and a trained model's melody written by
zoo generate --midi."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

music21 = pytest.importorskip("music21", reason="the music extra is not installed")
mido = pytest.importorskip("mido", reason="the test extra's second MIDI reader")

from zoo.cli import main  # noqa: E402
from zoo.data.base import Context  # noqa: E402
from zoo.data.music import (  # noqa: E402
    END,
    ChoralesArgs,
    _chorales,
    melody_tokens,
    tunes,
    write_melody,
)
from zoo.errors import SpecError, UserError  # noqa: E402

TUNE = [("G4", 1.0), ("A4", 0.5), ("B4", 0.5), (None, 1.0), ("D5", 2.0)]  # None: a rest


def score(tune: list, key: str) -> object:
    """A one-part score named Soprano holding ``tune``, written in ``key``."""
    part = music21.stream.Part()
    part.partName = "Soprano"
    part.append(music21.key.Key(key))
    for pitch, length in tune:
        event = music21.note.Rest() if pitch is None else music21.note.Note(pitch)
        event.quarterLength = length
        part.append(event)
    whole = music21.stream.Score()
    whole.insert(0, part)
    return whole


def test_a_melody_is_a_token_per_note_and_rest() -> None:
    tokens = melody_tokens(score(TUNE, "G"), "Soprano", transpose=False)
    assert tokens == ["G4_1", "A4_0.5", "B4_0.5", "rest_1", "D5_2"]
    assert melody_tokens(score(TUNE, "G"), "Alto", transpose=False) == []


def test_transposed_the_same_tune_in_two_keys_is_the_same_tokens() -> None:
    in_d = [(None if p is None else music21.pitch.Pitch(p).transpose("M-3").nameWithOctave, q)
            for p, q in TUNE]  # fmt: skip
    g, d = (melody_tokens(score(t, k), "Soprano", True) for t, k in ((TUNE, "G"), (in_d, "D")))
    assert g == d and g[0].startswith("C")  # the tonic G becomes C


def test_a_written_melody_reads_back_in_music21_and_mido(tmp_path: Path) -> None:
    tokens = ["C4_1", "E4_0.5", "G4_0.5", "rest_1", "B-4_2", END, "C5_1"]
    assert write_melody(tokens, tmp_path / "m.mid") == 6  # END is not a note
    # a note across a barline comes back as tied pieces: stripTies joins them
    parsed = music21.converter.parse(tmp_path / "m.mid").stripTies().flatten().notesAndRests
    notes = [(n.pitch.midi, float(n.quarterLength)) for n in parsed if n.isNote]
    assert notes == [(60, 1.0), (64, 0.5), (67, 0.5), (70, 2.0), (72, 1.0)]
    heard = [
        m.note for m in mido.MidiFile(tmp_path / "m.mid") if m.type == "note_on" and m.velocity
    ]
    assert heard == [60, 64, 67, 70, 72]
    write_melody(tokens, tmp_path / "m.musicxml")
    named = music21.converter.parse(tmp_path / "m.musicxml").stripTies().flatten().notes
    assert [n.nameWithOctave for n in named] == ["C4", "E4", "G4", "B-4", "C5"]
    with pytest.raises(UserError, match=r"written to \.mid or \.musicxml"):
        write_melody(tokens, tmp_path / "m.wav")


def test_the_chorales_are_windows_of_one_stream_of_notes(tmp_path: Path) -> None:
    args = ChoralesArgs(pieces=3, length=8, stride=8)
    data = _chorales(args, Context(0, tmp_path, None))
    stream = [data.vocabulary[i] for i in data.x[:, 0]]
    assert data.x.shape[1] == 8 and (data.x[1:, 0] == data.y[:-1, -1]).all()
    assert data.vocabulary[0] == "" and END in data.vocabulary
    assert all(t == END or "_" in t for t in stream)
    assert (data.spans[:, 1] - data.spans[:, 0] == 8).all()
    with pytest.raises(SpecError, match="no chorale has a part named 'Descant'"):
        _chorales(ChoralesArgs(pieces=2, part="Descant"), Context(0, tmp_path, None))


def melody(seed: int, notes: int = 40, length: str = "1") -> list[str]:
    pitches = np.random.default_rng(seed).choice(["C4", "D4", "E4", "F4", "G4", "A4", "B4"], notes)
    return [f"{pitch}_{length}" for pitch in pitches]


def test_the_settings_of_a_tune_are_grouped_in_the_order_of_its_first_setting() -> None:
    """Bach set many tunes more than once, in other rhythms and with other endings: read
    apart, a test chorale's tune would often be among the training chorales."""
    a, b, c = melody(1), melody(2), melody(3)
    a_again = melody(1, 30, "0.5") + melody(4, 10)  # a's first 30 pitches, other lengths
    chained = a_again[20:] + melody(5, 30)  # 13 of a_again's 33 runs, 3 of a's: joined by a_again
    assert tunes([a, b, a_again, c, chained]) == [[0, 2, 4], [1], [3]]
    assert tunes([a, b, c]) == [[0], [1], [2]]


@pytest.mark.slow
def test_a_trained_model_writes_a_melody_music21_and_mido_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    small = ["data.args.pieces=12", "train.epochs=1", "model.units=16", "data.args.stride=8"]
    assert main(["train", "bach_chorales", "-q", *(a for s in small for a in ("--set", s))]) == 0
    (run,) = (tmp_path / "runs").iterdir()
    assert "3-gram" in json.loads((run / "results.json").read_text())["classical"]
    capsys.readouterr()
    made = ["--length", "30", "--seed", "0", "--midi", "m.mid", "--roll", "m.png"]
    assert main(["generate", str(run), *made]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(END) and "wrote m.mid:" in printed
    assert Path("m.png").read_bytes().startswith(b"\x89PNG")
    notes = [n.pitch.midi for n in music21.converter.parse("m.mid").stripTies().flatten().notes]
    assert notes and all(48 <= n <= 84 for n in notes)  # the sopranos' range
    heard = [m.note for m in mido.MidiFile("m.mid") if m.type == "note_on" and m.velocity]
    assert heard == notes
    assert main(["generate", "hello", "--midi", "x.mid"]) == 2  # not a model: refused


def test_midi_from_a_model_of_characters_is_refused(tmp_path: Path, capsys) -> None:
    from zoo.inference import melody

    model = tmp_path / "hello.keras"
    assert main(["build", "hello", "-o", str(model)]) == 0
    with pytest.raises(UserError, match="this model's tokens are not notes"):
        melody(model, "hello")
