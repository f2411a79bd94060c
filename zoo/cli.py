"""The `zoo` command: a thin shell over the Python API.

A user mistake (bad spec, missing file, bad flag) is reported as one line per
problem on stderr with exit code 2, never a traceback. TensorFlow is imported
only by the commands that build or load a model.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from zoo._quiet import import_keras_quietly
from zoo.columns import aligned
from zoo.errors import SpecError, UserError

if TYPE_CHECKING:
    from zoo.spec.cost import MemoryLimit

SPEC_HELP = "a spec file, or a shipped spec by name (zoo list), e.g. hello"

EXIT_USER_ERROR = 2
EXIT_DIVERGED = 3  # training stopped on a NaN/inf loss; the last good model is kept

DESCRIPTION = """\
Build recurrent Keras models (vanilla RNN, LSTM, GRU) from declarative YAML specs.

examples:
  zoo list                                   the shipped specs (each usable by name)
  zoo show hello                             the resolved spec, every default filled in
  zoo validate specs/*.yaml                  check specs; one line per problem
  zoo build hello                            build, print the summary, save hello.keras
  zoo build specs/adding_lstm.yaml --set model.units=128 --set cell=gru -o gru.keras
  zoo inspect hello.keras                    the spec a saved model was built from
  zoo train hello                            train into runs/hello-TIME/ (plots, models, history)
  zoo train --resume runs/hello-TIME         continue an interrupted run
  zoo train SPEC --cluster a:2222,b:2222 --task-index 0   (and 1 on b) train across machines
  zoo evaluate runs/hello-TIME               test-split metrics beside a trivial baseline
  zoo generate runs/hello-TIME --prime hel --length 1 --temperature 0
  zoo generate runs/seq2seq_addition-TIME --input 123+45 --beam 4
  zoo trace hello_seed --input hell          the recurrence step by step, as the seeds do it
  zoo schema > spec.schema.json              JSON Schema for editor completion
  zoo data                                   the data sources and their arguments
  zoo diagnose specs/adding_rnn.yaml runs/adding_lstm-TIME    vanishing gradients, one plot
  zoo compare runs/adding_rnn-TIME runs/adding_lstm-TIME runs/adding_gru-TIME   side by side
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except SpecError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zoo", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, run, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    def overrides(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override a spec field by its dotted path, e.g. model.units=256 "
            "(VALUE is YAML: 128, true, [64, 32]); repeatable",
        )

    def max_memory(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--max-memory",
            metavar="SIZE",
            help="refuse a spec whose training the cost estimate (zoo show --cost) puts above "
            "SIZE, e.g. 8GiB or 500MB (default: the memory this machine has available)",
        )

    def unsafe(sub: argparse.ArgumentParser) -> None:
        """For every command that loads a .keras model (Keras safe mode otherwise)."""
        sub.add_argument(
            "--unsafe",
            action="store_true",
            help="allow loading models with Lambda layers (Python code): trusted files only",
        )

    sub = command("build", _build, "build a compiled model from a spec and save it")
    sub.add_argument("spec", type=Path, help=SPEC_HELP)
    sub.add_argument("-o", "--output", type=Path, help="where to save (default: NAME.keras)")
    sub.add_argument(
        "--plot", type=Path, metavar="PNG", help="also draw the model (needs Graphviz)"
    )
    overrides(sub)
    max_memory(sub)

    sub = command("validate", _validate, "check specs; exit 0 if all are valid, 2 otherwise")
    sub.add_argument("specs", type=Path, nargs="+", metavar="SPEC", help=SPEC_HELP)
    overrides(sub)
    max_memory(sub)

    sub = command("show", _show, "print the resolved spec (extends merged, defaults filled)")
    sub.add_argument("spec", type=Path, help=SPEC_HELP)
    sub.add_argument(
        "--cost",
        action="store_true",
        help="print instead what training it costs, estimated from the spec: parameters, "
        "memory at the spec's batch size, FLOPs per step",
    )
    overrides(sub)

    sub = command("list", _list, "list the shipped specs, one line each")
    sub.add_argument("--dir", type=Path, help="list the specs in this folder instead")

    sub = command("schema", _schema, "print the spec's JSON Schema (for yaml-language-server)")
    sub.add_argument(
        "--markdown", action="store_true", help="print the field reference as a Markdown table"
    )

    sub = command(
        "diagnose",
        _diagnose,
        "plot the mean ‖∂L/∂s_t‖ (s_t: the state after step t) over t, for specs as "
        "initialised or trained runs, in one PNG: vanishing gradients made visible",
    )
    sub.add_argument("targets", type=Path, nargs="+", metavar="SPEC|RUN_DIR|MODEL")
    sub.add_argument("-o", "--output", type=Path, default=Path("gradients_over_time.png"))
    sub.add_argument("--batch", type=int, default=32, help="examples averaged over")
    overrides(sub)
    unsafe(sub)

    command("data", _data, "list the data sources a spec's data section can name, with arguments")

    sub = command("inspect", _inspect, "print the spec a saved .keras model was built from")
    sub.add_argument("model", type=Path)

    sub = command(
        "train",
        _train,
        "train a spec's model on its data into a run directory (runs/NAME-TIME/): "
        "best.keras, last.keras, history.csv/.png, gradient_norms.csv/.png, tensorboard/",
    )
    sub.add_argument("spec", type=Path, nargs="?", help=SPEC_HELP + " (omit with --resume)")
    sub.add_argument("--runs", type=Path, default=Path("runs"), help="parent of new run folders")
    sub.add_argument(
        "--resume",
        type=Path,
        metavar="RUN_DIR",
        help="continue an interrupted run from its last epoch; --set may change "
        "train.batch_size (e.g. halve it after running out of memory), train.epochs and "
        "train.steps_per_epoch",
    )
    sub.add_argument("-q", "--quiet", action="store_true", help="no per-epoch progress bars")
    sub.add_argument(
        "--cluster",
        metavar="HOST:PORT,HOST:PORT",
        help="train.distribute multi_worker: every worker's address, the chief (which writes "
        "the run directory) first; the same on every worker (sets TF_CONFIG)",
    )
    sub.add_argument(
        "--task-index",
        type=int,
        metavar="I",
        help="this worker's place in --cluster (0: the chief)",
    )
    overrides(sub)
    max_memory(sub)
    unsafe(sub)

    sub = command(
        "evaluate",
        _evaluate,
        "metrics on the test split, beside a trivial baseline; --set re-points the data, e.g. "
        "--set data.args.path=new.csv --set data.test=0 --set data.validation=0 (all of it)",
    )
    sub.add_argument("target", type=Path, metavar="RUN_DIR|MODEL")
    overrides(sub)
    unsafe(sub)

    sub = command(
        "predict",
        _predict,
        "run a model on new data, answering in your terms: a text classifier gives each text's "
        "label and probability, a tagger each word's tag (--text, a .txt with one example per "
        "line, or a .csv with the spec's text column); a csv_series forecaster forecasts from "
        "a CSV's last window (its columns found by name) in the CSV's units; any other model "
        "takes a .npy of its inputs",
    )
    sub.add_argument("target", type=Path, metavar="RUN_DIR|MODEL")
    sub.add_argument(
        "inputs", type=Path, nargs="?", metavar="INPUT.csv|INPUT.txt|INPUT.npy", help="the data"
    )
    sub.add_argument(
        "--text",
        action="append",
        metavar="TEXT",
        help="a text to classify or tag, e.g. --text 'a wonderful film' (repeatable)",
    )
    sub.add_argument("--top", type=int, default=1, metavar="K", help="show the K likeliest labels")
    sub.add_argument(
        "-o", "--output", type=Path, help="write the predictions to a .csv, .json or .npy file"
    )
    sub.add_argument(
        "--steps", type=int, help="forecast this many values, feeding predictions back"
    )
    unsafe(sub)

    sub = command(
        "export",
        _export,
        "write a trained model as a SavedModel, ONNX or LiteRT artefact and check it: its own "
        "runtime runs it on test examples and the largest difference from the .keras model's "
        'outputs is printed (exit 1 over 1e-4). Needs: pip install "rnn-spec-zoo[export]"',
    )
    sub.add_argument(
        "target", type=Path, metavar="RUN_DIR|MODEL", help="a run (its best.keras) or a .keras"
    )
    sub.add_argument(
        "--format",
        required=True,
        help="saved_model (TF Serving; keeps the tokenizer), onnx (onnxruntime), litert "
        "(LiteRT, phones); seq2seq and language models also get their encoder and decoder "
        "step or sampler step",
    )
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        help="the artefact's name (its suffix is added), or an existing folder to write "
        "into (default: beside the model, as best_FORMAT)",
    )
    sub.add_argument(
        "--no-check", action="store_true", help="write it without running it in its runtime"
    )
    unsafe(sub)

    sub = command(
        "trace",
        _trace,
        "the recurrence step by step, as the teaching texts work it out by hand: for each "
        "step and layer, every quantity of the cell's equations (x_t W, h_{t-1} U + b, h_t; "
        "the LSTM's z, i, f, g, o, c_t; the GRU's z, r, ĥ), then the head's logits, softmax "
        "and answer. A run traces its trained weights, a spec the weights it initialises",
    )
    sub.add_argument(
        "target",
        type=Path,
        metavar="RUN_DIR|MODEL|SPEC",
        help="a run, a .keras file, or a spec (a file or a shipped name, e.g. hello_seed)",
    )
    sub.add_argument("--input", metavar="TEXT", help="the text to trace, e.g. --input hell")
    sub.add_argument(
        "--input-npy",
        type=Path,
        metavar="FILE",
        help="a .npy of one example, for models of real values (or of token ids)",
    )
    sub.add_argument(
        "--units",
        type=int,
        default=8,
        metavar="K",
        help="show the first K values of each vector, and the norm of wider ones (default 8)",
    )
    sub.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="write tidy rows: step,token,layer,direction,quantity,index,value",
    )
    sub.add_argument(
        "--xlsx",
        type=Path,
        metavar="FILE",
        help="a workbook: a sheet per layer (steps as columns), the weights on their own "
        'sheets. Needs: pip install "rnn-spec-zoo[xlsx]"',
    )
    sub.add_argument(
        "--png", type=Path, metavar="FILE", help="heatmaps of h_t and the gates over the steps"
    )
    overrides(sub)
    unsafe(sub)

    sub = command(
        "generate",
        _generate,
        "continue a text with a language model, or translate an input with a seq2seq model",
    )
    sub.add_argument("target", type=Path, metavar="RUN_DIR|MODEL")
    sub.add_argument("--prime", help="language model: the text to continue, e.g. hel")
    sub.add_argument("--length", type=int, default=200, help="characters to generate")
    sub.add_argument("--temperature", type=float, default=1.0, help="0 = greedy; higher = wilder")
    sub.add_argument("--seed", type=int, help="for a reproducible sample")
    sub.add_argument("--input", help="seq2seq: the source text, e.g. 123+45")
    sub.add_argument("--beam", type=int, default=1, help="seq2seq: beam width (1 = greedy)")
    sub.add_argument(
        "--samples",
        type=int,
        default=1,
        metavar="N",
        help="language model: draw N continuations at once (with --seed, the same N again)",
    )
    sub.add_argument(
        "--window",
        action="store_true",
        help="language model: re-run the training window for every character instead of "
        "carrying the state (slower; forgets what lies before the window)",
    )
    unsafe(sub)

    sub = command(
        "compare",
        _compare,
        "runs side by side, best first: the spec fields that differ between them (and only "
        "those), parameters, epochs, seconds, the best value of the metric, the test split's "
        "beside the trivial baseline; and a PNG of their learning curves and gradient norms",
    )
    sub.add_argument(
        "runs",
        type=Path,
        nargs="+",
        metavar="RUN_DIR|SWEEP_DIR",
        help="run directories of zoo train; a sweep folder of zoo tune stands for its trials",
    )
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("compare.png"),
        help="the PNG: validation curves solid, train dashed, best epochs starred, the "
        "baseline dotted; gradient norms per step beside them (default compare.png)",
    )
    sub.add_argument("--csv", type=Path, metavar="FILE", help="also write the table as CSV")
    sub.add_argument(
        "--metric",
        metavar="NAME",
        help="rank and draw by this logged metric, e.g. val_accuracy (default: the first "
        "run's train.monitor)",
    )
    sub.add_argument(
        "--force",
        action="store_true",
        help="compare runs of different data sources or losses anyway, saying what differs",
    )

    sub = command(
        "tune",
        _tune,
        "search the spec's tune space with Keras Tuner into a sweep folder (runs/NAME-tune/): "
        "a results table, trials.csv/.png and best.yaml, the best trial as a spec to zoo train. "
        "Running the same command again resumes an interrupted sweep",
    )
    sub.add_argument("spec", type=Path, help="a spec with a tune section, or a shipped one's name")
    sub.add_argument("--dir", type=Path, help="the sweep folder (default runs/NAME-tune)")
    sub.add_argument("--overwrite", action="store_true", help="start afresh, discarding trials")
    sub.add_argument(
        "--workers", type=int, metavar="N", help="run N trials at once in worker processes"
    )
    sub.add_argument(
        "--chief",
        metavar="HOST:PORT",
        help="serve the sweep to workers on other machines, listening on HOST:PORT",
    )
    sub.add_argument("--worker", metavar="HOST:PORT", help="run trials for the chief at HOST:PORT")
    sub.add_argument(
        "--id",
        dest="worker_id",
        help="this worker's name (default: host-pid); restart a killed worker under its "
        "old name and it finishes the trial it was running",
    )
    sub.add_argument(
        "--restart-mb",
        type=float,
        default=1024,
        metavar="MB",
        help="restart the process (the sweep resumes) once it has grown by MB megabytes: "
        "TensorFlow keeps some memory of every model it trains (default 1024)",
    )
    sub.add_argument("-q", "--quiet", action="store_true", help="no per-trial progress")
    overrides(sub)
    max_memory(sub)
    return parser


def _memory_limit(args: argparse.Namespace) -> MemoryLimit | None:
    """--max-memory, or the memory this machine has available (None: unknown)."""
    from zoo.spec.cost import MemoryLimit, parse_size

    if args.max_memory is None:
        return MemoryLimit.available()
    try:
        return MemoryLimit(parse_size(args.max_memory), "--max-memory is {}")
    except ValueError as error:
        raise UserError(f"--max-memory: {error}") from None


def _build(args: argparse.Namespace) -> None:
    import zoo
    from zoo.spec.cost import estimate

    # the spec first: a refusal comes before TensorFlow has started
    spec = zoo.load_spec(args.spec, args.overrides, _memory_limit(args))
    import_keras_quietly()
    model = zoo.build(spec)
    model.summary(print_fn=lambda line, **_: print(line))
    output = args.output or Path(f"{spec.name}.keras")
    zoo.save_model(model, output, spec)
    print(estimate(spec).line())
    print(f"{spec.name}: {model.count_params():,} parameters; saved {output}")
    if spec.implementation == "auto" and spec.cell is not None:
        from zoo.builder.fast_path import choose_implementation

        choice = choose_implementation(spec)
        print(f"implementation auto: {choice.implementation} ({choice.reason})")
    if args.plot:
        _plot(model, args.plot)


def _plot(model, path: Path) -> None:
    import keras

    try:
        keras.utils.plot_model(model, to_file=str(path), show_shapes=True, show_layer_names=True)
    except (ImportError, OSError) as error:
        raise UserError(
            f"--plot needs pydot and Graphviz (pip install pydot; apt install graphviz): {error}"
        ) from None
    print(f"drew {path}")


def _validate(args: argparse.Namespace) -> int:
    import zoo  # Keras loads only for a name missing from zoo/spec/keras_catalog.py

    failed, limit = False, _memory_limit(args)
    for path in args.specs:
        problems = zoo.validate(path, args.overrides, limit)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"{path}: ok")
    return EXIT_USER_ERROR if failed else 0


def _show(args: argparse.Namespace) -> None:
    from zoo.spec import to_yaml
    from zoo.spec.cost import MemoryLimit, estimate
    from zoo.spec.loading import load_spec

    spec = load_spec(args.spec, args.overrides)
    if not args.cost:
        print(to_yaml(spec), end="")
        return
    print(f"{spec.name}: what training costs, estimated from the spec")
    for line in estimate(spec).lines():
        print(f"  {line}")
    available = MemoryLimit.available()
    if available is not None:
        print(f"  ({available})")


def _list(args: argparse.Namespace) -> None:
    from zoo.catalog import shipped_specs

    entries = shipped_specs(args.dir)
    width = max((len(e.name) for e in entries), default=0)
    for entry in entries:
        print(f"{entry.name:<{width}}  {entry.summary}")


def _schema(args: argparse.Namespace) -> None:
    import json

    from zoo.spec import reference
    from zoo.spec.json_schema import spec_json_schema

    if args.markdown:
        print(reference.markdown(), end="")
    else:
        print(json.dumps(spec_json_schema(), indent=2))


def _train(args: argparse.Namespace) -> int:
    if args.spec is None and args.resume is None:
        raise UserError("give a spec to train, or --resume RUN_DIR")
    limit = _memory_limit(args)
    if args.resume is None:  # a mistake or a size that cannot fit is said before TF loads
        from zoo.spec.loading import load_spec

        load_spec(args.spec, args.overrides, limit)
    import_keras_quietly()
    from zoo.training import TrainingDiverged, train
    from zoo.training.run import WorkerLost

    try:
        run = train(
            args.spec,
            args.overrides,
            runs=args.runs,
            resume=args.resume,
            # a live progress bar on a terminal, one line per epoch in a log file
            verbose=0 if args.quiet else (1 if sys.stdout.isatty() else 2),
            unsafe=args.unsafe,
            max_memory=limit,
            cluster=args.cluster,
            task_index=args.task_index,
        )
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DIVERGED
    except WorkerLost as error:
        print(f"error: {error}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        # After a lost peer, TensorFlow's collectives cannot shut down: at exit their
        # thread pool's finalizer prints a traceback. The run's files are written.
        os._exit(EXIT_USER_ERROR)
    print(run.summary())
    return 0


def _evaluate(args: argparse.Namespace) -> None:
    import_keras_quietly()
    from zoo.inference import evaluate

    # A file named on the command line is relative to where the command runs.
    overrides = [
        f"data.args.path={Path(a.partition('=')[2]).resolve()}"
        if a.startswith("data.args.path=")
        else a
        for a in args.overrides
    ]
    result = evaluate(args.target, overrides, unsafe=args.unsafe)
    print(f"{result['model']}: {result['split']} split, {result['examples']} examples")
    for name, value in result["metrics"].items():
        print(f"  {name}: {value:.6g}")
    for name, value in result["baseline"].items():
        print(f"  baseline, {name}: {value:.6g}")


def _predict(args: argparse.Namespace) -> None:
    import numpy as np

    import_keras_quietly()
    from zoo.inference import predict
    from zoo.inference.prediction import FORMATS

    if args.output and args.output.suffix not in FORMATS:
        raise UserError(f"{args.output}: write predictions to a .csv, .json or .npy file")
    if args.inputs is None and args.text is None:
        raise UserError("give the data to predict: an INPUT file, or --text for a text model")
    if args.inputs is not None and args.text is not None:
        raise UserError("give an INPUT file or --text, not both")
    if args.top < 1:
        raise UserError(f"--top must be at least 1, got {args.top}")
    inputs = args.text if args.text is not None else args.inputs
    prediction = predict(args.target, inputs, steps=args.steps, unsafe=args.unsafe)
    if args.output:
        prediction.write(args.output, top=args.top)
        size = prediction.values.shape if args.output.suffix == ".npy" else None
        print(
            f"wrote {args.output}: "
            + (f"shape {size}" if size else f"{len(prediction.values)} rows")
        )
    elif prediction.tokens is not None:  # a tagger: word/TAG pairs, one text per line
        for record in prediction.records():
            print(record["tags"])
    elif prediction.classes is not None:
        print(_labelled(prediction.table(args.top)))
    elif prediction.columns is not None:  # a forecast from a file, in the file's units
        steps = len(prediction.values)
        print(f"{prediction.source}: the next {steps} step{'s' * (steps != 1)} after its last row")
        print(aligned(prediction.table(), right=True))
    else:
        np.set_printoptions(precision=5, suppress=True, threshold=200)
        print(prediction.values)


def _labelled(rows: list[list[str]]) -> str:
    """Labels and probabilities aligned in columns, each text (or example) after them."""
    header, body = rows[0], rows[1:]
    first = header[0] in ("text", "example")
    rows = [[*row[1:], row[0]] if first else row for row in [header, *body]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    )


def _export(args: argparse.Namespace) -> int:
    import_keras_quietly()
    from zoo.exporting import FORMATS, TOLERANCE, ExportFailed, export

    try:
        result = export(args.target, args.format, args.output, not args.no_check, args.unsafe)
    except ExportFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    runtime = FORMATS[result.format].runtime
    for artefact in result.artefacts:
        checked = (
            ""
            if artefact.difference is None
            else f": {runtime} on {result.checked_on} is within {artefact.difference:.2g} "
            "of the .keras model"
        )
        print(f"wrote {artefact.path} ({artefact.name}){checked}")
    for side in result.side_files:
        print(f"wrote {side}")
    if result.note:
        print(f"note: {result.note}")
    worst = result.worst
    if worst is not None and worst > TOLERANCE:
        print(f"error: outputs differ by {worst:.3g}, over {TOLERANCE:g}", file=sys.stderr)
        return 1
    return 0


def _trace(args: argparse.Namespace) -> None:
    if args.units < 1:
        raise UserError(f"--units must be at least 1, got {args.units}")
    for flag, path, suffix in (
        ("--csv", args.csv, ".csv"),
        ("--xlsx", args.xlsx, ".xlsx"),
        ("--png", args.png, ".png"),
    ):
        if path is not None and path.suffix != suffix:
            raise UserError(f"{flag} {path}: give a {suffix} file")
    import_keras_quietly()
    from zoo.tracing import trace
    from zoo.tracing.files import write_csv, write_png, write_xlsx
    from zoo.tracing.show import text

    traced = trace(args.target, args.input, args.input_npy, args.overrides, args.unsafe)
    print(text(traced, args.units))
    for path, write in ((args.csv, write_csv), (args.xlsx, write_xlsx), (args.png, write_png)):
        if path is not None:
            write(traced, path)
            print(f"wrote {path}")


def _generate(args: argparse.Namespace) -> None:
    import_keras_quietly()
    from zoo.inference import generate, samples

    if args.samples == 1:
        print(
            generate(
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
        )
        return
    if args.input is not None:
        raise UserError("--samples draws from a language model; a seq2seq model translates")
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


def _diagnose(args: argparse.Namespace) -> None:
    import_keras_quietly()
    from zoo.inference import resolve_model_path
    from zoo.saving import load_model, zoo_record
    from zoo.spec.loading import load_spec
    from zoo.spec.shipped import spec_folder
    from zoo.training.diagnose import plot_profiles, profile
    from zoo.training.records import RunState

    profiles = []
    for target in args.targets:
        if target.is_dir() or target.suffix == ".keras":  # a trained model
            path, run = resolve_model_path(target)
            model = load_model(path, unsafe=args.unsafe)
            folder = Path(RunState.load(run).spec_folder) if run else Path.cwd()
            spec = zoo_record(path).spec
            item = profile(spec, folder, args.batch, model, f"{target.name} (trained)")
        else:
            spec = load_spec(target, args.overrides)
            item = profile(spec, spec_folder(target), args.batch, name=f"{spec.name} (initial)")
        first, last = item.norms[0], item.norms[-1]
        print(f"{item.name}: mean ‖∂L/∂s_t‖ at t=1 {first:.3g}, at t={len(item.norms)} {last:.3g}")
        profiles.append(item)
    plot_profiles(profiles, args.output)
    print(f"drew {args.output}")


def _data(args: argparse.Namespace) -> None:
    from zoo.data import describe

    print(describe.text(), end="")


def _inspect(args: argparse.Namespace) -> None:
    from zoo.saving import spec_text

    print(spec_text(args.model), end="")


def _compare(args: argparse.Namespace) -> None:
    from zoo.comparing import comparison
    from zoo.comparing.plot import plot_comparison

    compared = comparison(args.runs, args.metric, args.force)
    for note in compared.notes:
        print(f"warning: compared anyway: {note}", file=sys.stderr)
    print(compared.text())
    title = f"{len(compared.runs)} runs by {compared.metric}"
    print(f"wrote {plot_comparison(compared, args.output, title)}")
    if args.csv is not None:
        print(f"wrote {compared.write_csv(args.csv)}")


def _tune(args: argparse.Namespace) -> int:
    roles = [flag for flag in ("workers", "chief", "worker") if getattr(args, flag) is not None]
    if len(roles) > 1:
        raise UserError(f"choose one of --workers, --chief, --worker; got {', '.join(roles)}")
    if args.worker_id is not None and args.worker is None:
        raise UserError("--id names a worker: use it with --worker HOST:PORT")
    if args.workers is not None:
        if args.workers < 1:
            raise UserError(f"--workers: expected a positive number, got {args.workers}")
        from zoo.tuning.launch import run_local_workers

        return run_local_workers(_tune_argv(args), args.workers, args.overwrite)
    import_keras_quietly()
    from zoo.tuning.launch import parse_address
    from zoo.tuning.sweep import Restart, Role, tune

    role, again = Role(), _tune_argv(args)
    if args.chief is not None:
        role = Role("chief", *parse_address(args.chief, "--chief"))
        again += ["--chief", args.chief]
    elif args.worker is not None:
        worker_id = args.worker_id or f"{socket.gethostname()}-{os.getpid()}"
        role = Role("worker", *parse_address(args.worker, "--worker"), worker_id)
        again += ["--worker", args.worker, "--id", worker_id]
    sweep = tune(
        args.spec,
        args.overrides,
        directory=args.dir,
        overwrite=args.overwrite,
        verbose=0 if args.quiet else 1,
        role=role,
        restart=Restart(["tune", *again], args.restart_mb),
        max_memory=_memory_limit(args),
    )
    if role.kind != "worker":
        print(sweep.summary())
    return 0


def _tune_argv(args: argparse.Namespace) -> list[str]:
    """The arguments that run this sweep again, resuming it: never --overwrite."""
    argv = [str(args.spec), *(f"--set={o}" for o in args.overrides)]
    argv += [f"--dir={args.dir}"] if args.dir else []
    argv += [f"--max-memory={args.max_memory}"] if args.max_memory else []
    argv += [f"--restart-mb={args.restart_mb}"] + (["-q"] if args.quiet else [])
    return argv


if __name__ == "__main__":
    sys.exit(main())
