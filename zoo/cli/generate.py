"""zoo generate: a language model's continuation, or a seq2seq model's translation."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import TRAINED_HELP, add_unsafe, at_least, at_most, output_file
from zoo.errors import UserError

# The sampler's seed and temperature are an int32 and a float32 tensor.
MAX_SEED = 2**31 - 1
MAX_TEMPERATURE = 3.4028234663852886e38

NAME = "generate"
HELP = "continue a text with a language model, or translate an input with a seq2seq model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", type=Path, metavar="RUN_DIR|MODEL", help=TRAINED_HELP)
    parser.add_argument("--prime", help="language model: the text to continue, e.g. hel")
    parser.add_argument("--length", type=int, default=200, help="characters to generate")
    parser.add_argument(
        "--temperature", type=float, default=1.0, help="0 = greedy; higher = wilder"
    )
    parser.add_argument("--seed", type=int, help="for a reproducible sample")
    parser.add_argument("--input", help="seq2seq: the source text, e.g. 123+45")
    parser.add_argument("--beam", type=int, default=1, help="seq2seq: beam width (1 = greedy)")
    parser.add_argument(
        "--samples",
        type=int,
        default=1,
        metavar="N",
        help="language model: draw N continuations at once (with --seed, the same N again)",
    )
    parser.add_argument(
        "--window",
        action="store_true",
        help="language model: re-run the training window for every character instead of "
        "carrying the state (slower; forgets what lies before the window)",
    )
    parser.add_argument(
        "--midi",
        type=Path,
        metavar="FILE",
        help="a model of melodies (bach_chorales): also write the generated melody, up to "
        "the end of its piece, as MIDI (.mid)",
    )
    parser.add_argument(
        "--musicxml", type=Path, metavar="FILE", help="the same, as MusicXML (.musicxml)"
    )
    parser.add_argument(
        "--roll", type=Path, metavar="FILE", help="the same, drawn as a piano roll (.png)"
    )
    add_unsafe(parser)


def run(args: argparse.Namespace) -> None:
    at_least(args.length, 1, "--length")
    at_least(args.temperature, 0, "--temperature")
    at_most(args.temperature, MAX_TEMPERATURE, "--temperature")
    at_least(args.seed, 0, "--seed")
    at_most(args.seed, MAX_SEED, "--seed")
    at_least(args.beam, 1, "--beam")
    at_least(args.samples, 1, "--samples")
    if args.samples > 1 and args.input is not None:
        raise UserError("--samples draws from a language model; a seq2seq model translates")
    output_file(args.midi, "--midi", (".mid", ".midi"))
    output_file(args.musicxml, "--musicxml", (".musicxml", ".xml"))
    output_file(args.roll, "--roll", (".png",))
    melodies = [path for path in (args.midi, args.musicxml, args.roll) if path is not None]
    if melodies and args.samples > 1:
        raise UserError("--midi, --musicxml and --roll write one melody: leave out --samples")
    import_keras_quietly()
    from zoo.inference import generate, samples

    if args.samples == 1:
        text = generate(
            args.target,
            args.prime,
            args.length,
            args.temperature,
            args.seed,
            source=args.input,
            beam=args.beam,
            unsafe=args.unsafe,
            window=args.window,
        )
        print(text)
        if melodies:
            from zoo.data.music import plot_melody, write_melody
            from zoo.inference import melody

            notes = melody(args.target, text)
            for path in melodies:
                if path == args.roll:
                    plot_melody(notes, path, f"{args.target}: a generated melody")
                    print(f"wrote {path}")
                else:
                    print(f"wrote {path}: {write_melody(notes, path)} notes")
        return
    drawn = samples(
        args.target,
        args.prime,
        args.length,
        args.temperature,
        args.seed,
        count=args.samples,
        unsafe=args.unsafe,
        window=args.window,
    )
    for number, text in enumerate(drawn, start=1):
        print(f"--- sample {number} of {len(drawn)} ---")
        print(text)
