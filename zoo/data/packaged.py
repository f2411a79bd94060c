"""Real data sets that ship inside a PyPI package (sktime's wheel holds the files), so
nothing is downloaded at run time. The optional extra ``real-data`` installs it.

sktime is imported only when one of these sources loads: validating a spec or listing
the sources works without it, and loading without it says which extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from zoo.data.base import (
    Context,
    Dataset,
    DataSource,
    SourceArgs,
    always,
    commonest_class,
)
from zoo.data.generators import forecast
from zoo.errors import UserError

INSTALL = 'pip install "rnn-spec-zoo[real-data]"'


def _sktime_datasets(name: str) -> ModuleType:
    """sktime.datasets, or a one-line UserError saying how to install it."""
    try:
        return importlib.import_module("sktime.datasets")
    except ModuleNotFoundError:  # sktime, or a package it needs, is not installed
        raise UserError(
            f"the {name} data set ships with sktime, an optional extra: {INSTALL}"
        ) from None


def _fitting(args: Any, length: int, unit: str) -> Any:
    """``args`` when one window and its horizon fit in a packaged series of ``length``."""
    if args.window + args.horizon > length:
        raise ValueError(
            f"window + horizon ({args.window} + {args.horizon}) is longer than the "
            f"{length} {unit} of the series"
        )
    return args


LYNX_YEARS = 114  # 1821-1934


class LynxArgs(SourceArgs):
    window: int = Field(10, gt=0, description="past years per example (the input)")
    horizon: int = Field(1, gt=0, description="future years per example (the target)")
    stride: int = Field(1, gt=0, description="years between the starts of consecutive windows")

    @model_validator(mode="after")
    def window_fits(self) -> LynxArgs:
        return _fitting(self, LYNX_YEARS, "years")


def _lynx(args: LynxArgs, context: Context) -> Dataset:
    """Annual lynx trappings in Canada's Mackenzie River district, 1821-1934 (114
    years; Campbell & Walker 1977), as sktime ships them. The counts span 39 to 6991
    and cycle roughly every ten years, so they are taken as log10, as the literature
    on this series does; the values are then in log10 trappings, which the model's
    own scaling (data.scale, standard by default) standardises with statistics of
    the training windows alone. Windowed by ``forecast`` (one feature, ``horizon``
    target values), with persistence as the baseline."""
    counts = _sktime_datasets("lynx").load_lynx().to_numpy(dtype="float64")
    series = np.log10(counts)
    return forecast(series[:, None], series[:, None], args.window, args.horizon, args.stride)


lynx = DataSource(LynxArgs, _lynx, scale="standard", feeds_back=always)

AIRLINE_MONTHS = 144  # January 1949 - December 1960


class AirlineArgs(SourceArgs):
    window: int = Field(24, gt=0, description="past months per example (the input)")
    horizon: int = Field(12, gt=0, description="future months per example (the target)")
    stride: int = Field(1, gt=0, description="months between the starts of consecutive windows")
    season: int | None = Field(
        12,
        ge=1,
        description="the seasonal period in months: the seasonal naive forecast and a "
        "seasonal Holt-Winters are scored beside the model's (1: none; null: detected)",
    )

    @model_validator(mode="after")
    def window_fits(self) -> AirlineArgs:
        return _fitting(self, AIRLINE_MONTHS, "months")


def _airline(args: AirlineArgs, context: Context) -> Dataset:
    """Monthly totals of international airline passengers, January 1949 to December
    1960, in thousands (144 months; Box & Jenkins 1976, series G), as sktime ships them:
    a trend and a season whose swing grows with it, the textbook case for Holt-Winters.
    Windowed by ``forecast`` (one feature, ``horizon`` target values), with persistence
    as the baseline and the classical forecasts beside it (zoo.data.classical)."""
    series = _sktime_datasets("airline").load_airline().to_numpy(dtype="float64")
    return forecast(series[:, None], series[:, None], args.window, args.horizon, args.stride)


airline = DataSource(AirlineArgs, _airline, scale="window", feeds_back=always)

VOWEL_FRAMES = 29  # the longest utterance


class JapaneseVowelsArgs(SourceArgs):
    """The data set as published: nothing to choose."""


def _japanese_vowels(args: JapaneseVowelsArgs, context: Context) -> Dataset:
    """JapaneseVowels (Kudo, Toyama & Shimbo 1999; UCI, then the UEA archive), as
    sktime ships it: 640 utterances of the vowels /ae/ by 9 male speakers, each 7 to
    29 frames of 12 LPC cepstrum coefficients; the class is the speaker. The
    archive's train (270) and test (370) parts are pooled, and the spec's fractions
    split them like any source's examples. x is (640, 29, 12): each utterance at the
    end, zeros before it, so the last steps a recurrent layer reads before its
    output are real frames (real-valued inputs have no mask). The coefficients lie
    within [-1.9, 2.2], so they are fed unscaled. y is the speaker, ids 0..8, shaped
    (640, 1); the baseline predicts the training split's commonest speaker."""
    utterances, speakers = _sktime_datasets("japanese_vowels").load_japanese_vowels(
        return_type="df-list"
    )
    x = np.zeros((len(utterances), VOWEL_FRAMES, 12), dtype="float32")
    for i, frames in enumerate(utterances):
        x[i, VOWEL_FRAMES - len(frames) :] = frames.to_numpy()
    y = (speakers.astype("int32") - 1)[:, None]  # the archive names speakers "1".."9"
    return Dataset(x, y, naive=commonest_class())


japanese_vowels = DataSource(JapaneseVowelsArgs, _japanese_vowels)
