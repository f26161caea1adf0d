"""Calling a recurrent layer on a padded batch of sequences of different lengths, each framework its way.

torch runs a padded batch through ``pack_padded_sequence`` and pads the result back with
``pad_packed_sequence``; Paddle takes the lengths as ``sequence_length=``. Both leave zeros at the
padded positions and return, for each sequence, the state at its own last step (the reverse direction
starts there). The two calls below have the ``call(module, *tensors)`` form of ``torch_call`` and
``paddle_call`` in :func:`book.equivalence.check_layers`::

    check_layers(t_gru, p_gru, x, lengths, torch_call=packed_call, paddle_call=lengths_call)

``x`` is batch-major (``batch_first=True`` / ``time_major=False``), ``lengths`` an int64 array;
an initial state (a tensor, or ``(h0, c0)``) may follow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def packed_call(module: torch.nn.Module, x: torch.Tensor, lengths: torch.Tensor, *state: Any) -> Any:
    """torch: pack the padded batch ``x`` by ``lengths``, run ``module`` and pad the output back to x's length."""
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    output, final = module(packed, *state)
    padded, _ = pad_packed_sequence(output, batch_first=True, total_length=x.shape[1])
    return padded, final


def lengths_call(layer: paddle.nn.Layer, x: paddle.Tensor, lengths: paddle.Tensor, *state: Any) -> Any:
    """Paddle: the same batch with ``sequence_length=lengths`` (and ``initial_states=`` when given)."""
    return layer(x, initial_states=state[0] if state else None, sequence_length=lengths)


def initial_states_call(layer: paddle.nn.Layer, x: paddle.Tensor, state: Any) -> Any:
    """Paddle: ``layer(x, initial_states=state)``, the counterpart of torch's positional ``module(x, state)``."""
    return layer(x, initial_states=state)


def padding_mask(lengths: Any, steps: int) -> np.ndarray:
    """A (batch, steps) boolean mask: True where a position belongs to its sequence, False where it is padding."""
    return np.arange(steps)[None, :] < np.asarray(lengths)[:, None]
