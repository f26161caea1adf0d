"""book.transfer.rules.activations: every activation pairs, computes alike, and a differing setting is an error."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch
from rule_checks import assert_mismatch_copies_nothing

from book.tensors import random_array, to_numpy
from book.transfer import Param, TransferError, copy_weights, params_of

pytestmark = pytest.mark.usefixtures("seeded")

PAIRS = {
    "relu": lambda: (torch.nn.ReLU(), paddle.nn.ReLU()),
    "relu inplace": lambda: (torch.nn.ReLU(inplace=True), paddle.nn.ReLU()),
    "leaky relu": lambda: (torch.nn.LeakyReLU(0.2), paddle.nn.LeakyReLU(0.2)),
    "relu6": lambda: (torch.nn.ReLU6(), paddle.nn.ReLU6()),
    "hardtanh": lambda: (torch.nn.Hardtanh(-2.0, 0.5), paddle.nn.Hardtanh(-2.0, 0.5)),
    "elu": lambda: (torch.nn.ELU(0.7), paddle.nn.ELU(0.7)),
    "selu": lambda: (torch.nn.SELU(), paddle.nn.SELU()),
    "celu": lambda: (torch.nn.CELU(1.3), paddle.nn.CELU(1.3)),
    "gelu": lambda: (torch.nn.GELU(), paddle.nn.GELU()),
    "gelu tanh": lambda: (torch.nn.GELU("tanh"), paddle.nn.GELU(approximate=True)),
    "sigmoid": lambda: (torch.nn.Sigmoid(), paddle.nn.Sigmoid()),
    "tanh": lambda: (torch.nn.Tanh(), paddle.nn.Tanh()),
    "softplus": lambda: (torch.nn.Softplus(2.0, 5.0), paddle.nn.Softplus(2.0, 5.0)),
    "softsign": lambda: (torch.nn.Softsign(), paddle.nn.Softsign()),
    "silu": lambda: (torch.nn.SiLU(), paddle.nn.Silu()),
    "silu as SiLU": lambda: (torch.nn.SiLU(inplace=True), paddle.nn.SiLU()),
    "silu into swish": lambda: (torch.nn.SiLU(), paddle.nn.Swish()),
    "gelu tanh string": lambda: (torch.nn.GELU("tanh"), paddle.nn.GELU(approximate="tanh")),
    "log sigmoid": lambda: (torch.nn.LogSigmoid(), paddle.nn.LogSigmoid()),
    "mish": lambda: (torch.nn.Mish(), paddle.nn.Mish()),
    "hardswish": lambda: (torch.nn.Hardswish(), paddle.nn.Hardswish()),
    "hardsigmoid": lambda: (torch.nn.Hardsigmoid(), paddle.nn.Hardsigmoid()),
    "hardshrink": lambda: (torch.nn.Hardshrink(0.3), paddle.nn.Hardshrink(0.3)),
    "softshrink": lambda: (torch.nn.Softshrink(0.3), paddle.nn.Softshrink(0.3)),
    "tanhshrink": lambda: (torch.nn.Tanhshrink(), paddle.nn.Tanhshrink()),
    "softmax": lambda: (torch.nn.Softmax(dim=1), paddle.nn.Softmax(axis=1)),
    "softmax last": lambda: (torch.nn.Softmax(dim=-1), paddle.nn.Softmax()),
    "log softmax": lambda: (torch.nn.LogSoftmax(dim=1), paddle.nn.LogSoftmax(axis=1)),
}


@pytest.mark.parametrize("make", PAIRS.values(), ids=PAIRS.keys())
def test_activations_have_no_weights_and_compute_alike(make: Any) -> None:
    t, p = make()
    assert copy_weights(t, p) == []
    x = random_array(2, 3, 4) * 4
    np.testing.assert_allclose(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("channels", [1, 3])
def test_prelu_copies_its_slopes(channels: int) -> None:
    t, p = torch.nn.PReLU(channels), paddle.nn.PReLU(channels)
    with torch.no_grad():
        t.weight.copy_(torch.rand(channels))
    assert copy_weights(t, p) == [Param("weight", "_weight")]
    assert tuple(t.weight.shape) == tuple(p._weight.shape) == (channels,)
    x = random_array(2, 3, 5)
    np.testing.assert_allclose(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))), rtol=1e-6)


MISMATCHES = {
    "negative_slope": (
        lambda: torch.nn.LeakyReLU(0.2),
        lambda: paddle.nn.LeakyReLU(),
        r"^negative_slope: torch has 0.2, Paddle has 0.01$",
    ),
    "hardtanh max": (
        lambda: torch.nn.Hardtanh(),
        lambda: paddle.nn.Hardtanh(max=2.0),
        r"^max_val \(Paddle: max\): torch has 1.0, Paddle has 2.0$",
    ),
    "elu alpha": (lambda: torch.nn.ELU(), lambda: paddle.nn.ELU(0.5), r"^alpha: torch has 1.0, Paddle has 0.5$"),
    "selu scale": (
        lambda: torch.nn.SELU(),
        lambda: paddle.nn.SELU(scale=1.0),
        r"^scale \(fixed in torch\): torch has 1.0507",
    ),
    "gelu approximate": (
        lambda: torch.nn.GELU("tanh"),
        lambda: paddle.nn.GELU(),
        r"^approximate: torch has 'tanh', Paddle has 'none'$",
    ),
    "softplus beta": (
        lambda: torch.nn.Softplus(),
        lambda: paddle.nn.Softplus(beta=2),
        r"^beta: torch has 1.0, Paddle has 2$",
    ),
    "softmax dim vs axis": (
        lambda: torch.nn.Softmax(dim=1),
        lambda: paddle.nn.Softmax(),
        r"^dim \(Paddle: axis\): torch has 1, Paddle has -1$",
    ),
    "softmax implicit dim": (
        lambda: torch.nn.Softmax(),
        lambda: paddle.nn.Softmax(),
        r"^dim \(Paddle: axis\): torch has None, Paddle has -1$",
    ),
    "hardshrink threshold": (
        lambda: torch.nn.Hardshrink(0.3),
        lambda: paddle.nn.Hardshrink(),
        r"^lambd \(Paddle: threshold\): torch has 0.3, Paddle has 0.5$",
    ),
    "prelu channels": (
        lambda: torch.nn.PReLU(3),
        lambda: paddle.nn.PReLU(1),
        r"^num_parameters: torch has 3, Paddle has 1$",
    ),
    "prelu NHWC": (lambda: torch.nn.PReLU(3), lambda: paddle.nn.PReLU(3, data_format="NHWC"), r"^data_format: .*NHWC"),
    "relu into tanh": (
        lambda: torch.nn.ReLU(),
        lambda: paddle.nn.Tanh(),
        r"^torch.nn.ReLU transfers into paddle.nn.ReLU, not Tanh$",
    ),
    "gelu tanh string vs exact": (
        lambda: torch.nn.GELU(),
        lambda: paddle.nn.GELU(approximate="tanh"),
        r"^approximate: torch has 'none', Paddle has 'tanh'$",
    ),
    "silu into mish": (
        lambda: torch.nn.SiLU(),
        lambda: paddle.nn.Mish(),
        r"^torch.nn.SiLU transfers into paddle.nn.Silu or paddle.nn.Swish, not Mish$",
    ),
    "relu6 into relu": (
        lambda: torch.nn.ReLU6(),
        lambda: paddle.nn.ReLU(),
        r"^torch.nn.ReLU6 transfers into paddle.nn.ReLU6, not ReLU$",
    ),
}


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(
    make_torch: Any, make_paddle: Any, message: str
) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)


def test_relu6_with_changed_bounds_is_refused() -> None:
    t = torch.nn.ReLU6()
    t.max_val = 5.0
    with pytest.raises(TransferError, match=r"^max_val \(fixed in Paddle\): torch has 5.0, Paddle has 6.0$"):
        params_of(t, paddle.nn.ReLU6())
