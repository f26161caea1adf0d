"""book.transfer.rules.recurrent: LSTM, GRU and RNN weights keep names, layout and gate order (checked numerically)."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch
from rule_checks import assert_mismatch_copies_nothing

from book.tensors import random_array, to_numpy
from book.transfer import copy_weights

pytestmark = pytest.mark.usefixtures("seeded")


def _states(shape: tuple[int, ...], count: int) -> tuple[np.ndarray, ...]:
    return tuple(random_array(*shape, seed=10 + i) for i in range(count))


def _leaves(value: Any) -> list[np.ndarray]:
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [to_numpy(value)]


CASES = {
    "lstm": (lambda: (torch.nn.LSTM(4, 8, batch_first=True), paddle.nn.LSTM(4, 8)), 2),
    "lstm 2 layers bidirectional": (
        lambda: (
            torch.nn.LSTM(4, 8, num_layers=2, bidirectional=True, batch_first=True),
            paddle.nn.LSTM(4, 8, num_layers=2, direction="bidirect"),
        ),
        2,
    ),
    "lstm time-major": (lambda: (torch.nn.LSTM(4, 8), paddle.nn.LSTM(4, 8, time_major=True)), 2),
    "gru": (lambda: (torch.nn.GRU(4, 8, batch_first=True), paddle.nn.GRU(4, 8)), 1),
    "gru 2 layers bidirectional": (
        lambda: (
            torch.nn.GRU(4, 8, num_layers=2, bidirectional=True, batch_first=True),
            paddle.nn.GRU(4, 8, num_layers=2, direction="bidirectional"),
        ),
        1,
    ),
    "rnn tanh": (lambda: (torch.nn.RNN(4, 8, batch_first=True), paddle.nn.SimpleRNN(4, 8)), 1),
    "rnn relu": (
        lambda: (
            torch.nn.RNN(4, 8, nonlinearity="relu", batch_first=True),
            paddle.nn.SimpleRNN(4, 8, activation="relu"),
        ),
        1,
    ),
}


@pytest.mark.parametrize(("make", "states"), CASES.values(), ids=CASES.keys())
def test_copied_recurrent_layers_compute_alike_from_initial_states(make: Any, states: int) -> None:
    t, p = make()
    params = copy_weights(t, p)
    assert [q.torch_name for q in params] == [name for name, _ in t.named_parameters()]
    assert all(q.torch_name == q.paddle_name and q.layout.name == "same" for q in params)
    batch, steps = 3, 5
    x = random_array(batch, steps, 4) if t.batch_first else random_array(steps, batch, 4)
    initial = _states((t.num_layers * (2 if t.bidirectional else 1), batch, 8), states)
    t_init = tuple(torch.tensor(s) for s in initial)
    p_init = tuple(paddle.to_tensor(s) for s in initial)
    t_out = t(torch.tensor(x), t_init if states == 2 else t_init[0])
    p_out = p(paddle.to_tensor(x), initial_states=p_init if states == 2 else p_init[0])
    t_leaves, p_leaves = _leaves(t_out), _leaves(p_out)
    assert [a.shape for a in t_leaves] == [a.shape for a in p_leaves]
    for t_leaf, p_leaf in zip(t_leaves, p_leaves, strict=True):
        np.testing.assert_allclose(p_leaf, t_leaf, rtol=1e-5, atol=1e-6)


MISMATCHES = {
    "hidden_size": (
        lambda: torch.nn.LSTM(4, 8),
        lambda: paddle.nn.LSTM(4, 6, time_major=True),
        r"^hidden_size: torch has 8, Paddle has 6$",
    ),
    "num_layers": (
        lambda: torch.nn.GRU(4, 8, num_layers=2, batch_first=True),
        lambda: paddle.nn.GRU(4, 8),
        r"^num_layers: torch has 2, Paddle has 1$",
    ),
    "direction": (
        lambda: torch.nn.LSTM(4, 8, bidirectional=True, batch_first=True),
        lambda: paddle.nn.LSTM(4, 8),
        r"^bidirectional \(Paddle: direction='bidirect'\): torch has 2, Paddle has 1$",
    ),
    "batch_first": (
        lambda: torch.nn.LSTM(4, 8),
        lambda: paddle.nn.LSTM(4, 8),
        r"^batch_first \(Paddle: time_major = not batch_first\): torch has False, Paddle has True$",
    ),
    "dropout": (
        lambda: torch.nn.LSTM(4, 8, num_layers=2, dropout=0.5, batch_first=True),
        lambda: paddle.nn.LSTM(4, 8, num_layers=2),
        r"^dropout: torch has 0.5, Paddle has 0.0$",
    ),
    "nonlinearity": (
        lambda: torch.nn.RNN(4, 8, nonlinearity="relu", batch_first=True),
        lambda: paddle.nn.SimpleRNN(4, 8),
        r"^nonlinearity \(Paddle: activation\): torch has 'relu', Paddle has 'tanh'$",
    ),
    "proj_size": (
        lambda: torch.nn.LSTM(4, 8, proj_size=3, batch_first=True),
        lambda: paddle.nn.LSTM(4, 8, proj_size=3),
        r"^proj_size: torch has 3, Paddle has 3; Paddle 3.3.1 names",
    ),
    "no bias in torch": (
        lambda: torch.nn.LSTM(4, 8, bias=False, batch_first=True),
        lambda: paddle.nn.LSTM(4, 8, bias_ih_attr=False, bias_hh_attr=False),
        r"^bias: torch has bias=False; Paddle's counterpart .* crashes",
    ),
    "no bias in Paddle": (
        lambda: torch.nn.GRU(4, 8, batch_first=True),
        lambda: paddle.nn.GRU(4, 8, bias_ih_attr=False, bias_hh_attr=False),
        r"^bias: the torch layer has biases, the Paddle layer has none \(bias_ih_attr=False\)$",
    ),
    "lstm into gru": (
        lambda: torch.nn.LSTM(4, 8),
        lambda: paddle.nn.GRU(4, 8),
        r"^torch.nn.LSTM transfers into paddle.nn.LSTM, not GRU$",
    ),
}


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(
    make_torch: Any, make_paddle: Any, message: str
) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)


CELLS = {
    "rnn cell tanh": (lambda: (torch.nn.RNNCell(4, 8), paddle.nn.SimpleRNNCell(4, 8)), 1),
    "rnn cell relu": (
        lambda: (torch.nn.RNNCell(4, 8, nonlinearity="relu"), paddle.nn.SimpleRNNCell(4, 8, activation="relu")),
        1,
    ),
    "lstm cell": (lambda: (torch.nn.LSTMCell(4, 8), paddle.nn.LSTMCell(4, 8)), 2),
    "gru cell": (lambda: (torch.nn.GRUCell(4, 8), paddle.nn.GRUCell(4, 8)), 1),
}


@pytest.mark.parametrize(("make", "states"), CELLS.values(), ids=CELLS.keys())
def test_copied_cells_step_alike(make: Any, states: int) -> None:
    t, p = make()
    params = copy_weights(t, p)
    assert [q.torch_name for q in params] == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    x = random_array(3, 4)
    initial = _states((3, 8), states)
    t_new = t(torch.tensor(x), tuple(torch.tensor(s) for s in initial) if states == 2 else torch.tensor(initial[0]))
    p_out, p_new = p(paddle.to_tensor(x), [paddle.to_tensor(s) for s in initial] if states == 2 else None)
    if states == 1:
        p_out, p_new = p(paddle.to_tensor(x), paddle.to_tensor(initial[0]))
    for t_leaf, p_leaf in zip(_leaves(t_new), _leaves(p_new), strict=True):
        np.testing.assert_allclose(p_leaf, t_leaf, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(p_out), _leaves(t_new)[0], rtol=1e-5, atol=1e-6)


CELL_MISMATCHES = {
    "hidden_size": (lambda: torch.nn.GRUCell(4, 8), lambda: paddle.nn.GRUCell(4, 6), r"^hidden_size: torch has 8"),
    "nonlinearity": (
        lambda: torch.nn.RNNCell(4, 8, nonlinearity="relu"),
        lambda: paddle.nn.SimpleRNNCell(4, 8),
        r"^nonlinearity \(Paddle: activation\): torch has 'relu', Paddle has 'tanh'$",
    ),
    "proj_size": (
        lambda: torch.nn.LSTMCell(4, 8),
        lambda: paddle.nn.LSTMCell(4, 8, proj_size=3),
        r"^proj_size: torch's LSTMCell has none, Paddle has 3$",
    ),
    "no bias in torch": (
        lambda: torch.nn.LSTMCell(4, 8, bias=False),
        lambda: paddle.nn.LSTMCell(4, 8),
        r"^bias: torch has bias=False",
    ),
    "no bias in Paddle": (
        lambda: torch.nn.GRUCell(4, 8),
        lambda: paddle.nn.GRUCell(4, 8, bias_ih_attr=False, bias_hh_attr=False),
        r"^bias: the torch cell has biases, the Paddle cell has none",
    ),
}


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), CELL_MISMATCHES.values(), ids=CELL_MISMATCHES.keys())
def test_cell_mismatch_is_an_error_and_copies_nothing(make_torch: Any, make_paddle: Any, message: str) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)
