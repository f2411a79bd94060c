"""zoo train: spec + data -> a run directory with the trained model and its records.

The run's records (``zoo.training.records``) are read without TensorFlow, by ``zoo
compare`` among others: training itself, which imports it, loads on first use."""

__all__ = ["Run", "TrainingDiverged", "train"]


def __getattr__(name: str):
    if name in __all__:
        from zoo.training import run

        return getattr(run, name)
    raise AttributeError(f"module 'zoo.training' has no attribute {name!r}")
