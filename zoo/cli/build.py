"""zoo build: a spec's compiled model, its summary, saved as .keras."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import SPEC_HELP, add_max_memory, add_overrides, memory_limit, output_file
from zoo.errors import UserError

NAME = "build"
HELP = "build a compiled model from a spec and save it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, help=SPEC_HELP)
    parser.add_argument("-o", "--output", type=Path, help="where to save (default: NAME.keras)")
    parser.add_argument(
        "--plot", type=Path, metavar="PNG", help="also draw the model (needs Graphviz)"
    )
    add_overrides(parser)
    add_max_memory(parser)


def run(args: argparse.Namespace) -> None:
    import zoo
    from zoo.spec.cost import estimate

    # the spec first: a refusal comes before TensorFlow has started
    spec = zoo.load_spec(args.spec, args.overrides, memory_limit(args))
    output = args.output or Path(f"{spec.name}.keras")
    output_file(output, "-o")
    output_file(args.plot, "--plot")
    import_keras_quietly()
    model = zoo.build(spec)
    model.summary(print_fn=lambda line, **_: print(line))
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
