"""zoo train: spec + data -> a run directory with the trained model and its records."""

from zoo.training.run import Run, TrainingDiverged, train

__all__ = ["Run", "TrainingDiverged", "train"]
