"""A run directory owns its records together: spec.yaml, state.json and last.keras.

last.keras carries the model's record (the spec it was built from) and the run state
of the epoch it ends (epochs done, history, every random generator's state), written
in one atomic step. So what a resumed run continues is what the model is: the spec
comes from last.keras's record, never from a spec.yaml edited since (a resumed run
would otherwise record 64 units for a model of 8), and the dropout draws go on from
where they were.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from zoo.atomic import atomic_path, write_text
from zoo.errors import UserError
from zoo.saving import ModelRecord, read_record, save_model
from zoo.spec import Spec, flat, to_data, to_yaml
from zoo.spec.cost import MaxMemory
from zoo.spec.loading import load_spec
from zoo.training.records import LAST, STATE, STATE_MEMBER, RunState

SPEC = "spec.yaml"
BEST = "best.keras"

# What a resumed run may change: how the rest of its training goes, not the model, data
# or optimizer its files were made with.
RESUMABLE = ("train.epochs", "train.batch_size", "train.steps_per_epoch")


class RunDirectory:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def last(self) -> Path:
        return self.path / LAST

    @property
    def best(self) -> Path:
        return self.path / BEST

    @property
    def spec_file(self) -> Path:
        return self.path / SPEC

    @property
    def has_state(self) -> bool:
        return (self.path / STATE).is_file() or self.last.is_file()

    @classmethod
    def create(cls, runs: Path, spec: Spec, data_folder: Path) -> tuple[RunDirectory, RunState]:
        """A new run folder under ``runs`` (NAME-TIME), with its spec and a fresh state."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path, suffix = runs / f"{spec.name}-{stamp}", 1
        while path.exists():
            suffix += 1
            path = runs / f"{spec.name}-{stamp}-{suffix}"
        try:
            path.mkdir(parents=True)
        except OSError as error:
            raise UserError(
                f"--runs {runs}: cannot make a run folder there ({error.strerror})"
            ) from None
        directory = cls(path)
        state = RunState(spec_folder=str(data_folder))
        write_text(directory.spec_file, to_yaml(spec))
        state.save(path)
        return directory, state

    @classmethod
    def open(cls, path: Path | str) -> RunDirectory:
        directory = cls(Path(path))
        if not directory.has_state:
            raise UserError(f"{path}: not a run directory (no {STATE})")
        return directory

    def state(self) -> RunState:
        """The state of the last completed epoch: the copy inside last.keras (written
        with the model it describes) when there is one, else state.json."""
        try:
            return RunState.load(self.path)
        except (ValueError, TypeError, KeyError) as error:  # JSON, or fields that do not fit
            raise UserError(
                f"{self.path}: its run state cannot be read ({type(error).__name__}: {error}); "
                "the run cannot be resumed, start a new one"
            ) from None

    def record(self) -> ModelRecord | None:
        """The record saved with last.keras; None before the first epoch ended."""
        return read_record(self.last) if self.last.is_file() else None

    def resumed_spec(self, overrides: Mapping[str, Any], max_memory: MaxMemory) -> Spec:
        """The spec of the model last.keras holds, with ``overrides`` (RESUMABLE fields
        only). spec.yaml may have been edited since: an edit of a RESUMABLE field counts
        as an override, any other is refused (the model it describes is not the one on
        disk); before the first epoch, when no model is saved, spec.yaml is the spec."""
        for key in overrides:
            if key not in RESUMABLE:
                raise UserError(
                    f"--set {key}: a resumed run keeps the model, data and optimizer it was "
                    f"started with; it may change {', '.join(RESUMABLE)} (start a new run "
                    "for more)"
                )
        written = load_spec(self.spec_file) if self.spec_file.is_file() else None
        record = self.record()
        saved = record.spec if record is not None else written
        if saved is None:
            raise UserError(f"{self.path}: no {SPEC} and no {LAST}: nothing to resume")
        edits = _differences(saved, written) if written is not None else {}
        refused = [key for key in edits if key not in RESUMABLE]
        if refused:
            key = refused[0]
            before, after = edits[key]
            raise UserError(
                f"{self.spec_file}: {key} was changed from {before!r} to {after!r} after the "
                f"model was saved; a resumed run continues the model in {LAST}, so it may "
                f"change only {', '.join(RESUMABLE)}: undo the edit, or train a new run"
            )
        changes = {key: after for key, (_, after) in edits.items()} | dict(overrides)
        spec = load_spec(saved, changes, max_memory)
        if spec != written:  # the run's record says how its later epochs are trained
            write_text(self.spec_file, to_yaml(spec))
        return spec

    def save_epoch(self, model: Any, record: ModelRecord, state: RunState, best: bool) -> None:
        """last.keras with the state of this epoch inside it, best.keras if ``best``,
        and state.json."""
        last = save_model(model, self.last, record, members={STATE_MEMBER: state.to_json()})
        if best:
            with atomic_path(self.best) as temporary:
                shutil.copyfile(last, temporary)
        state.save(self.path)


def _differences(saved: Spec, written: Spec) -> dict[str, tuple[Any, Any]]:
    """Dotted path -> (saved value, written value), for every field that differs."""
    before, after = dict(flat(to_data(saved))), dict(flat(to_data(written)))
    missing = object()
    return {
        key: (before.get(key), after.get(key))
        for key in sorted(before.keys() | after.keys())
        if before.get(key, missing) != after.get(key, missing)
    }
