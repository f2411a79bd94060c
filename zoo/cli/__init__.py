"""The `zoo` command: a thin shell over the Python API, one module per command.

Each command module names itself (NAME, HELP), declares its arguments
(add_arguments) and does its work (run); the parser is assembled from COMMANDS.
A user mistake (bad spec, missing file, bad flag) is reported as one line per
problem on stderr with exit code 2, never a traceback. TensorFlow is imported
only by the commands that build or load a model, inside their run functions.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from zoo.cli import (
    backtest,
    build,
    compare,
    data,
    diagnose,
    evaluate,
    export,
    generate,
    inspecting,
    listing,
    predict,
    schema,
    serve,
    show,
    trace,
    train,
    tune,
    validate,
)
from zoo.cli.options import EXIT_USER_ERROR
from zoo.errors import SpecError, UserError

# in the order `zoo --help` lists them
COMMANDS: tuple[ModuleType, ...] = (
    build,
    validate,
    show,
    listing,
    schema,
    diagnose,
    data,
    inspecting,
    train,
    evaluate,
    predict,
    backtest,
    export,
    trace,
    generate,
    compare,
    tune,
    serve,
)

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
  zoo backtest runs/airline_gru-TIME         a forecaster over rolling origins, beside Holt-Winters
  zoo generate runs/hello-TIME --prime hel --length 1 --temperature 0
  zoo generate runs/seq2seq_addition-TIME --input 123+45 --beam 4
  zoo trace hello_seed --input hell          the recurrence step by step, as the seeds do it
  zoo schema > spec.schema.json              JSON Schema for editor completion
  zoo data                                   the data sources and their arguments
  zoo diagnose specs/adding_rnn.yaml runs/adding_lstm-TIME    vanishing gradients, one plot
  zoo compare runs/adding_rnn-TIME runs/adding_lstm-TIME runs/adding_gru-TIME   side by side
  zoo serve runs/sentiment_bilstm-TIME       the model over HTTP, a page at localhost:8000
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code = args.run(args) or 0
        sys.stdout.flush()  # here, so that a reader gone away is caught below
        return code
    except BrokenPipeError:  # `zoo ... | head`: the reader stopped reading; so do we
        _stdout_to_nowhere()
        return EXIT_BROKEN_PIPE
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


EXIT_BROKEN_PIPE = 141  # as a shell reports a command a closed pipe stopped (128 + SIGPIPE)


def _stdout_to_nowhere() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail again."""
    try:
        nowhere = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nowhere, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # a stream with no file (tests)
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zoo", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for command in COMMANDS:
        sub = commands.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser
