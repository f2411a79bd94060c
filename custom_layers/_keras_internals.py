"""Every piece of Keras's private ``keras.src`` that the project uses, imported here
and nowhere else (tests/custom_layers/test_keras_internals.py checks both).

Keras does not export them, and a Keras release may move or change them: such an
upgrade then fails on importing this module, with the name that moved, rather than
somewhere inside a layer.

- ``DropoutRNNCell``: Keras's own mixin for a cell's dropout masks (one per sequence,
  cached, and reset by ``keras.layers.RNN`` and ``Bidirectional``). Reusing it rather
  than a copy keeps the masks' life cycle identical to the built-in cells'.
- ``rnn``: the loop over time that ``keras.layers.RNN`` itself runs (masking,
  go_backwards, unroll), which a truncated layer runs with a step counter beside its
  states; ``keras.ops`` has scan and while_loop, not this loop with those options.
"""

from keras.src.backend import rnn
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

__all__ = ["DropoutRNNCell", "rnn"]
