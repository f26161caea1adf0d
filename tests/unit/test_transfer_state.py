"""book.transfer.state: state dicts converted torch -> Paddle -> torch by the rules, bit-exact, and every bad key."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import paddle
import pytest
import torch
from test_transfer_pairing import PaddleCNN, TorchCNN

from book.tensors import random_array, to_numpy
from book.transfer import TransferError, paddle_tensors, to_paddle_state_dict, to_torch_state_dict, torch_tensors

pytestmark = pytest.mark.usefixtures("seeded")


class TorchNet(torch.nn.Module):
    """Every layout at once: a CNN (transposed Linear, BatchNorm buffers), a LayerNorm (flattened), an LSTM."""

    def __init__(self) -> None:
        super().__init__()
        self.cnn = TorchCNN()
        self.norm = torch.nn.LayerNorm([2, 3])
        self.rnn = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)


class PaddleNet(paddle.nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.cnn = PaddleCNN()
        self.norm = paddle.nn.LayerNorm([2, 3])
        self.rnn = paddle.nn.LSTM(3, 4, num_layers=2, direction="bidirect")


def _trained() -> TorchNet:
    t = TorchNet()
    with torch.no_grad():
        for value in [*t.parameters(), *t.buffers()]:
            value.copy_(torch.rand_like(value.float()).to(value.dtype) + 1 if value.is_floating_point() else value + 7)
    return t


def test_round_trip_torch_paddle_torch_is_bit_exact() -> None:
    t, p = _trained(), PaddleNet()
    state = t.state_dict()
    paddle_state: Any = to_paddle_state_dict(state, t, p)  # NumPy arrays, which set_state_dict accepts
    assert paddle_state["cnn.classifier.weight"].shape == (128, 5)
    assert paddle_state["norm.weight"].shape == (6,)
    assert "cnn.features.1._variance" in paddle_state and "cnn.features.1.num_batches_tracked" not in paddle_state
    # Paddle keeps each RNN weight under two names, and both are written.
    np.testing.assert_array_equal(paddle_state["rnn.0.cell_fw.weight_ih"], paddle_state["rnn.weight_ih_l0"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Skip loading for ..." warning: every key of Paddle's state dict is there
        p.set_state_dict(paddle_state)
    back = to_torch_state_dict(p.state_dict(), t, p)
    assert list(back) == list(state)
    for key, value in state.items():
        assert back[key].dtype == value.dtype and back[key].shape == value.shape, key
        assert torch.equal(back[key], value), key
    fresh = TorchNet()
    fresh.load_state_dict(back)
    assert int(torch_tensors(fresh)["cnn.features.1.num_batches_tracked"]) == 7


def test_a_converted_state_computes_alike() -> None:
    t, p = TorchCNN(), PaddleCNN()
    converted: Any = to_paddle_state_dict(t.state_dict(), t, p)
    p.set_state_dict(converted)
    t.eval(), p.eval()
    x = random_array(2, 3, 8, 8)
    np.testing.assert_allclose(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))), rtol=1e-4, atol=1e-5)


def test_paddle_state_converts_back_from_numpy_arrays_and_either_rnn_name() -> None:
    t, p = TorchNet(), PaddleNet()
    state = {k: v.numpy() for k, v in p.state_dict().items() if not k.startswith("rnn.weight_ih_l0")}
    back = to_torch_state_dict(state, t, p)
    np.testing.assert_array_equal(back["rnn.weight_ih_l0"].numpy(), p.rnn.weight_ih_l0.numpy())
    np.testing.assert_array_equal(back["cnn.classifier.weight"].numpy(), p.cnn.classifier.weight.numpy().T)
    np.testing.assert_array_equal(back["norm.weight"].numpy(), to_numpy(paddle_tensors(p)["norm.weight"]).reshape(2, 3))


def test_bad_torch_keys_are_one_error_listing_all_of_them() -> None:
    t, p = TorchCNN(), PaddleCNN()
    state = dict(t.state_dict())
    state["extra.weight"] = torch.zeros(1)
    del state["features.0.bias"], state["features.1.num_batches_tracked"]
    state["classifier.weight"] = torch.zeros(5, 7)
    state["features.1.running_mean"] = torch.zeros(9)
    message = (
        r"^the torch state dict does not fit the models: unmatched keys: extra.weight; "
        r"missing keys: features.0.bias, features.1.num_batches_tracked; "
        r"mis-shaped keys: features.1.running_mean \(9,\) -> features.1._mean \(9,\) \(Paddle has \(8,\)\), "
        r"classifier.weight \(5, 7\) -> classifier.weight \(7, 5\) \(Paddle has \(128, 5\)\)$"
    )
    with pytest.raises(TransferError, match=message):
        to_paddle_state_dict(state, t, p)


def test_bad_paddle_keys_are_one_error_listing_all_of_them() -> None:
    t, p = TorchCNN(), PaddleCNN()
    state = {k: v.numpy() for k, v in p.state_dict().items()}
    state["head.bias"] = np.zeros(5, np.float32)
    del state["features.1._variance"]
    state["classifier.bias"] = np.zeros(6, np.float32)
    message = (
        r"^the Paddle state dict does not fit the models: unmatched keys: head.bias; "
        r"missing keys: features.1._variance; mis-shaped keys: classifier.bias \(6,\) \(Paddle has \(5,\)\)$"
    )
    with pytest.raises(TransferError, match=message):
        to_torch_state_dict(state, t, p)


def test_a_pairing_error_comes_first() -> None:
    t = TorchCNN()
    with pytest.raises(TransferError, match=r"^classifier: the Paddle model has no submodule 'classifier'"):
        to_paddle_state_dict(t.state_dict(), t, PaddleCNN(head="head"))


class TorchCounter(torch.nn.Module):
    """A 0-d buffer beside a weight: the shape a step counter or a temperature has."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor([1.5, -2.0]))
        self.register_buffer("steps", torch.tensor(7.0))


class PaddleCounter(paddle.nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.scale = self.create_parameter([2])
        self.register_buffer("steps", paddle.to_tensor(0.0))


def test_a_zero_dimensional_buffer_keeps_its_shape_when_copied_and_converted() -> None:
    from book.transfer import copy_weights

    t, p = TorchCounter(), PaddleCounter()
    copy_weights(t, p)
    assert p.steps.shape == [] and float(p.steps) == 7.0
    state = to_paddle_state_dict(t.state_dict(), TorchCounter(), PaddleCounter())
    assert tuple(state["steps"].shape) == ()
    back = to_torch_state_dict(state, TorchCounter(), PaddleCounter())
    assert back["steps"].shape == () and float(back["steps"]) == 7.0
