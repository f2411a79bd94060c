"""The `zoo` command: a thin shell over the Python API.

A user mistake (bad spec, missing file, bad flag) is reported as one line per
problem on stderr with exit code 2, never a traceback. TensorFlow is imported
only by the commands that build or load a model.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.errors import SpecError, UserError

EXIT_USER_ERROR = 2

DESCRIPTION = """\
Build recurrent Keras models (vanilla RNN, LSTM, GRU) from declarative YAML specs.

examples:
  zoo list                                   the shipped specs
  zoo show specs/hello.yaml                  the resolved spec, every default filled in
  zoo validate specs/*.yaml                  check specs; one line per problem
  zoo build specs/hello.yaml                 build, print the summary, save hello.keras
  zoo build specs/adding_lstm.yaml --set model.units=128 --set cell=gru -o gru.keras
  zoo inspect hello.keras                    the spec a saved model was built from
  zoo schema > spec.schema.json              JSON Schema for editor completion
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

    sub = command("build", _build, "build a compiled model from a spec and save it")
    sub.add_argument("spec", type=Path, help="the spec file (YAML)")
    sub.add_argument("-o", "--output", type=Path, help="where to save (default: NAME.keras)")
    sub.add_argument(
        "--plot", type=Path, metavar="PNG", help="also draw the model (needs Graphviz)"
    )
    overrides(sub)

    sub = command("validate", _validate, "check specs; exit 0 if all are valid, 2 otherwise")
    sub.add_argument("specs", type=Path, nargs="+", metavar="SPEC")
    overrides(sub)

    sub = command("show", _show, "print the resolved spec (extends merged, defaults filled)")
    sub.add_argument("spec", type=Path)
    overrides(sub)

    sub = command("list", _list, "list the shipped specs, one line each")
    sub.add_argument("--dir", type=Path, help="list the specs in this folder instead")

    sub = command("schema", _schema, "print the spec's JSON Schema (for yaml-language-server)")
    sub.add_argument(
        "--markdown", action="store_true", help="print the field reference as a Markdown table"
    )

    sub = command("inspect", _inspect, "print the spec a saved .keras model was built from")
    sub.add_argument("model", type=Path)
    return parser


def _build(args: argparse.Namespace) -> None:
    import zoo

    import_keras_quietly()
    spec = zoo.load_spec(args.spec, args.overrides)
    model = zoo.build(spec)
    model.summary(print_fn=lambda line, **_: print(line))
    output = args.output or Path(f"{spec.name}.keras")
    zoo.save_model(model, output)
    print(f"{spec.name}: {model.count_params():,} parameters; saved {output}")
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
    import zoo

    import_keras_quietly()
    failed = False
    for path in args.specs:
        problems = zoo.validate(path, args.overrides)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"{path}: ok")
    return EXIT_USER_ERROR if failed else 0


def _show(args: argparse.Namespace) -> None:
    from zoo.api import load_spec
    from zoo.spec import to_yaml

    print(to_yaml(load_spec(args.spec, args.overrides)), end="")


def _list(args: argparse.Namespace) -> None:
    from zoo.catalog import shipped_specs

    entries = shipped_specs(args.dir)
    width = max((len(e.name) for e in entries), default=0)
    for entry in entries:
        print(f"{entry.name:<{width}}  {entry.summary}")


def _schema(args: argparse.Namespace) -> None:
    import json

    from zoo.spec import reference
    from zoo.spec.schema import Spec

    if args.markdown:
        print(reference.markdown(), end="")
    else:
        print(json.dumps(Spec.model_json_schema(), indent=2))


def _inspect(args: argparse.Namespace) -> None:
    from zoo.saving import spec_text

    print(spec_text(args.model), end="")


if __name__ == "__main__":
    sys.exit(main())
