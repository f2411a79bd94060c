"""Spec -> compiled keras.Model: a pure function of the resolved spec."""

from zoo.builder.model import build_model

__all__ = ["build_model"]
