"""Spec -> compiled keras.Model: a pure function of the resolved spec."""

__all__ = ["build_model"]


def __getattr__(name: str):
    # Loaded on first use: importing a TensorFlow-free module of this package (the
    # Keras name check) must not import Keras.
    if name == "build_model":
        from zoo.builder.model import build_model

        return build_model
    raise AttributeError(f"module 'zoo.builder' has no attribute {name!r}")
