"""zoo diagnose: vanishing gradients made visible, for specs and trained runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import add_overrides, add_unsafe, at_least, output_file

NAME = "diagnose"
HELP = (
    "plot the mean ‖∂L/∂s_t‖ (s_t: the state after step t) over t, for specs as "
    "initialised or trained runs, in one PNG: vanishing gradients made visible"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        type=Path,
        nargs="+",
        metavar="SPEC|RUN_DIR|MODEL",
        help="specs (their models as initialised), runs or .keras files (as trained)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("gradients_over_time.png"),
        help="the PNG to draw (default gradients_over_time.png)",
    )
    parser.add_argument("--batch", type=int, default=32, help="examples averaged over")
    add_overrides(parser)
    add_unsafe(parser)


def run(args: argparse.Namespace) -> None:
    at_least(args.batch, 1, "--batch")
    output_file(args.output, "-o", (".png",))
    import_keras_quietly()
    from zoo.opening import data_overrides, is_trained, open_model, repointed
    from zoo.spec.loading import load_spec
    from zoo.spec.shipped import spec_folder
    from zoo.training.diagnose import plot_profiles, profile

    profiles = []
    for target in args.targets:
        if is_trained(target):
            changes = data_overrides(args.overrides, "diagnose measures")  # before it loads
            opened = open_model(target, args.unsafe)
            item = profile(
                repointed(opened.spec, changes),
                opened.data_folder,
                args.batch,
                opened.model,
                f"{target.name} (trained)",
                opened.numbering,
            )
        else:
            spec = load_spec(target, args.overrides)
            item = profile(spec, spec_folder(target), args.batch, name=f"{spec.name} (initial)")
        first, last = item.norms[0], item.norms[-1]
        print(f"{item.name}: mean ‖∂L/∂s_t‖ at t=1 {first:.3g}, at t={len(item.norms)} {last:.3g}")
        profiles.append(item)
    plot_profiles(profiles, args.output)
    print(f"drew {args.output}")
