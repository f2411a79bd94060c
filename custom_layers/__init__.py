"""Vanilla RNN, LSTM and GRU written from their equations as Keras layers, the
``TextIds`` layer by which a model takes raw strings, ``OneHot``, which feeds
token ids as one-hot vectors, ``WindowScaling``/``WindowUnscaling`` and
``Differencing``/``Undifferencing``, which take each window of a series on its own
terms and put the forecast back, and ``Pinball``/``AtQuantile``, the loss and metrics of
a forecaster of quantiles, and ``SequencePooling``, by which a many_to_one model reads
one vector off all its steps.

Each class takes the same arguments and holds the same weights (names, shapes,
gate order) as the Keras built-in of the same name, so weights copy across in
both directions; see ``../shared/RNN_MATH.md`` for the equations. Importing this
package registers every class with Keras, so saved models load without
``custom_objects``.
"""

from custom_layers.gru import GRU, GRUCell
from custom_layers.lstm import LSTM, LSTMCell
from custom_layers.one_hot import OneHot
from custom_layers.pooling import SequencePooling
from custom_layers.quantiles import AtQuantile, Pinball
from custom_layers.simple_rnn import SimpleRNN, SimpleRNNCell
from custom_layers.text import TextIds
from custom_layers.windows import (
    Differencing,
    Undifferencing,
    WindowScaling,
    WindowUnscaling,
)

__all__ = [
    "GRU",
    "LSTM",
    "AtQuantile",
    "Differencing",
    "GRUCell",
    "LSTMCell",
    "OneHot",
    "Pinball",
    "SequencePooling",
    "SimpleRNN",
    "SimpleRNNCell",
    "TextIds",
    "Undifferencing",
    "WindowScaling",
    "WindowUnscaling",
]
