"""book.sequences: packed sequences in torch and sequence_length in Paddle agree, padding and final states."""

from __future__ import annotations

import numpy as np
import paddle
import pytest
import torch

from book.equivalence import EquivalenceError, compare_layers
from book.results import report
from book.sequences import initial_states_call, lengths_call, packed_call, padding_mask
from book.tensors import random_array

pytestmark = pytest.mark.usefixtures("seeded")

LENGTHS = np.array([5, 2, 3], dtype=np.int64)


def _padded() -> np.ndarray:
    x = random_array(3, 5, 4)
    x[~padding_mask(LENGTHS, 5)] = 9.0  # padding that would change the result if it were read
    return x


def test_padding_mask_marks_each_sequence_s_own_steps() -> None:
    np.testing.assert_array_equal(padding_mask([2, 0, 3], 3), [[True, True, False], [False] * 3, [True] * 3])


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_packed_and_sequence_length_agree_bidirectional_with_gradients(kind: str) -> None:
    t_cls, p_cls = {"lstm": (torch.nn.LSTM, paddle.nn.LSTM), "gru": (torch.nn.GRU, paddle.nn.GRU)}[kind]
    t = t_cls(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    p = p_cls(4, 6, num_layers=2, direction="bidirect")
    result = compare_layers(t, p, _padded(), LENGTHS, torch_call=packed_call, paddle_call=lengths_call)
    assert result.passed, result
    t_out, _ = packed_call(t, torch.tensor(_padded()), torch.tensor(LENGTHS))
    assert float(t_out[1, 2:].detach().abs().max()) == 0.0


def test_without_lengths_the_padding_is_read_and_the_check_fails() -> None:
    t = torch.nn.GRU(4, 6, batch_first=True)
    p = paddle.nn.GRU(4, 6)
    result = compare_layers(t, p, _padded(), LENGTHS, torch_call=packed_call, paddle_call=lambda m, x, n: m(x))
    assert not result.passed
    with pytest.raises(EquivalenceError):
        report(result)


def test_initial_states_call_passes_the_state_by_keyword() -> None:
    t, p = torch.nn.LSTM(4, 6, batch_first=True), paddle.nn.LSTM(4, 6)
    state = (random_array(1, 3, 6, seed=1), random_array(1, 3, 6, seed=2))
    assert compare_layers(t, p, _padded(), state, paddle_call=initial_states_call).passed
    assert compare_layers(t, p, _padded(), LENGTHS, state, torch_call=packed_call, paddle_call=lengths_call).passed
