"""Tuning sweeps: a spec's tune section searched with Keras Tuner."""
