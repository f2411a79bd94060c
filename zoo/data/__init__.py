"""Data for training: built-in generators and user files, split and checked against
the spec before any model sees them."""

from zoo.data.base import Context, Dataset, DataSource, Splits, load_splits

__all__ = ["Context", "DataSource", "Dataset", "Splits", "load_splits"]
