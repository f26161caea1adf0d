"""Rules of the recurrent layers: LSTM, GRU and the plain RNN (Paddle's SimpleRNN), and their cells.

Paddle 3.3.1 keeps torch's weight names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...), shapes and
gate order (LSTM: input, forget, cell, output; GRU: reset, update, new, with the reset gate applied
after the hidden-to-hidden product, as in torch), so every weight has the ``SAME`` layout; the unit
tests verify this numerically. The settings differ in spelling:

- torch ``bidirectional=True`` is Paddle ``direction='bidirect'`` (``num_directions == 2``);
- torch ``batch_first`` is Paddle ``not time_major`` (their defaults differ: torch is time-major);
- torch ``RNN(nonlinearity=...)`` is Paddle ``SimpleRNN(activation=...)``.

Two settings are refused. torch's ``bias=False``: Paddle's ``bias_ih_attr=False, bias_hh_attr=False``
keeps fixed zero biases under the cells' names only, and its forward pass then crashes (a segmentation
fault on the CPU in Paddle 3.3.1). LSTM's ``proj_size``: Paddle 3.3.1 lists a projected LSTM's flat
parameter names shifted by the extra ``weight_ho`` (bidirectional, ``weight_ih_l0_reverse`` holds a
(hidden, proj) matrix), so they cannot be paired by name.

The cells (``RNNCell``/``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``) hold the same four weights
under the names without a layer suffix (``weight_ih``, ..., ``bias_hh``).
"""

from __future__ import annotations

from typing import Any

import paddle
import torch

from book.transfer.registry import Param, TransferError, register, require_equal


def _recurrent(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """LSTM, GRU and RNN: the sizes, layout and dropout must agree; weights keep their names and layout."""
    require_equal("input_size", torch_layer.input_size, paddle_layer.input_size)
    require_equal("hidden_size", torch_layer.hidden_size, paddle_layer.hidden_size)
    require_equal("num_layers", torch_layer.num_layers, paddle_layer.num_layers)
    directions = 2 if torch_layer.bidirectional else 1
    require_equal("bidirectional (Paddle: direction='bidirect')", directions, paddle_layer.num_directions)
    require_equal(
        "batch_first (Paddle: time_major = not batch_first)", torch_layer.batch_first, not paddle_layer.time_major
    )
    require_equal("dropout", float(torch_layer.dropout), float(paddle_layer.dropout))
    if getattr(torch_layer, "proj_size", 0) or getattr(paddle_layer, "proj_size", 0):
        raise TransferError(
            f"proj_size: torch has {torch_layer.proj_size}, Paddle has {paddle_layer.proj_size}; Paddle 3.3.1 names "
            "a projected LSTM's parameters inconsistently, so this rule does not transfer it"
        )
    if torch_layer.mode in ("RNN_TANH", "RNN_RELU"):
        require_equal("nonlinearity (Paddle: activation)", torch_layer.nonlinearity, paddle_layer.activation)
    if not torch_layer.bias:
        raise TransferError(
            "bias: torch has bias=False; Paddle's counterpart (bias_ih_attr=False, bias_hh_attr=False) crashes "
            "in its forward pass in Paddle 3.3.1 (a segmentation fault on the CPU), so this rule does not pair it"
        )
    if "bias_ih_l0" not in {name for name, _ in paddle_layer.named_parameters()}:
        raise TransferError("bias: the torch layer has biases, the Paddle layer has none (bias_ih_attr=False)")
    kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    suffixes = ("", "_reverse")[:directions]
    return [
        Param(name, name)
        for k in range(torch_layer.num_layers)
        for s in suffixes
        for name in (f"{kind}_l{k}{s}" for kind in kinds)
    ]


register(torch.nn.LSTM, paddle.nn.LSTM)(_recurrent)
register(torch.nn.GRU, paddle.nn.GRU)(_recurrent)
register(torch.nn.RNN, paddle.nn.SimpleRNN)(_recurrent)


def _cell(torch_cell: Any, paddle_cell: Any) -> list[Param]:
    """RNNCell, LSTMCell, GRUCell: one step of the layer above; the same four weights, names and layout."""
    require_equal("input_size", torch_cell.input_size, paddle_cell.input_size)
    require_equal("hidden_size", torch_cell.hidden_size, paddle_cell.hidden_size)
    if isinstance(torch_cell, torch.nn.RNNCell):
        require_equal("nonlinearity (Paddle: activation)", torch_cell.nonlinearity, paddle_cell.activation)
    if getattr(paddle_cell, "proj_size", 0):
        raise TransferError(f"proj_size: torch's LSTMCell has none, Paddle has {paddle_cell.proj_size}")
    if not torch_cell.bias:
        raise TransferError("bias: torch has bias=False; this rule pairs only cells with both biases")
    if paddle_cell.bias_ih.stop_gradient and paddle_cell.bias_hh.stop_gradient:
        # bias_ih_attr=False leaves fixed zero biases (stop_gradient) under the same names.
        raise TransferError("bias: the torch cell has biases, the Paddle cell has none (bias_ih_attr=False)")
    return [Param(name, name) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


register(torch.nn.LSTMCell, paddle.nn.LSTMCell)(_cell)
register(torch.nn.GRUCell, paddle.nn.GRUCell)(_cell)
register(torch.nn.RNNCell, paddle.nn.SimpleRNNCell)(_cell)
