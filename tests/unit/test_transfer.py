"""book.transfer: the conv and PixelShuffle rules, every mismatch error, and the design for new rules."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import paddle
import pytest
import torch

from book.equivalence import check_layers
from book.tensors import random_array, to_numpy
from book.transfer import (
    Param,
    TransferError,
    bias_param,
    copy_weights,
    padding_pairs,
    params_of,
    register,
    require_equal,
    same,
    transpose,
)

pytestmark = pytest.mark.usefixtures("seeded")


def _weights(layer: Any) -> dict[str, np.ndarray]:
    return {name: to_numpy(value).copy() for name, value in layer.named_parameters()}


# ----------------------------------------------------------------------------- conv rules: copying

CONV_PAIRS = {
    "conv1d": lambda: (torch.nn.Conv1d(2, 4, 3), paddle.nn.Conv1D(2, 4, 3)),
    "conv2d": lambda: (torch.nn.Conv2d(2, 4, 3, stride=2, padding=1), paddle.nn.Conv2D(2, 4, 3, stride=2, padding=1)),
    "conv3d": lambda: (torch.nn.Conv3d(2, 4, 3, dilation=2), paddle.nn.Conv3D(2, 4, 3, dilation=2)),
    "conv_transpose1d": lambda: (
        torch.nn.ConvTranspose1d(2, 4, 3, stride=2, output_padding=1),
        paddle.nn.Conv1DTranspose(2, 4, 3, stride=2, output_padding=1),
    ),
    "conv_transpose2d": lambda: (torch.nn.ConvTranspose2d(2, 4, 3, padding=1), paddle.nn.Conv2DTranspose(2, 4, 3, padding=1)),
    "conv_transpose3d": lambda: (torch.nn.ConvTranspose3d(2, 4, 3), paddle.nn.Conv3DTranspose(2, 4, 3)),
    "groups": lambda: (torch.nn.Conv2d(4, 6, 3, groups=2), paddle.nn.Conv2D(4, 6, 3, groups=2)),
    "transposed groups": lambda: (torch.nn.ConvTranspose2d(4, 6, 3, groups=2), paddle.nn.Conv2DTranspose(4, 6, 3, groups=2)),
    "no bias": lambda: (torch.nn.Conv2d(2, 4, 3, bias=False), paddle.nn.Conv2D(2, 4, 3, bias_attr=False)),
    "transposed no bias": lambda: (
        torch.nn.ConvTranspose1d(2, 4, 3, bias=False),
        paddle.nn.Conv1DTranspose(2, 4, 3, bias_attr=False),
    ),
    "same": lambda: (torch.nn.Conv2d(2, 4, 4, padding="same"), paddle.nn.Conv2D(2, 4, 4, padding="same")),
    "reflect": lambda: (
        torch.nn.Conv2d(2, 4, 3, padding=1, padding_mode="reflect"),
        paddle.nn.Conv2D(2, 4, 3, padding=1, padding_mode="reflect"),
    ),
    "non-square": lambda: (
        torch.nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
        paddle.nn.Conv2D(2, 4, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
    ),
    "paddle before/after padding": lambda: (
        torch.nn.Conv2d(2, 4, 3, padding=(1, 2)),
        paddle.nn.Conv2D(2, 4, 3, padding=[1, 1, 2, 2]),
    ),
    "paddle NCHW pair padding": lambda: (
        torch.nn.Conv2d(2, 4, 3, padding=(1, 2)),
        paddle.nn.Conv2D(2, 4, 3, padding=[[0, 0], [0, 0], [1, 1], [2, 2]]),
    ),
}


@pytest.mark.parametrize("make", CONV_PAIRS.values(), ids=CONV_PAIRS.keys())
def test_copy_weights_makes_paddle_equal_torch(make: Any) -> None:
    t, p = make()
    params = copy_weights(t, p)
    expected = [("weight", "weight"), ("bias", "bias")] if t.bias is not None else [("weight", "weight")]
    assert [(q.torch_name, q.paddle_name) for q in params] == expected
    assert set(_weights(p)) == {q.paddle_name for q in params}
    for name, value in _weights(t).items():
        np.testing.assert_array_equal(_weights(p)[name], value)


def test_copied_conv_computes_like_torch() -> None:
    t, p = torch.nn.Conv2d(3, 5, 3, padding=1), paddle.nn.Conv2D(3, 5, 3, padding=1)
    copy_weights(t, p)
    x = random_array(1, 3, 6, 6)
    np.testing.assert_allclose(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))), rtol=1e-5, atol=1e-6)


def test_pixel_shuffle_has_no_weights() -> None:
    assert copy_weights(torch.nn.PixelShuffle(2), paddle.nn.PixelShuffle(2)) == []


# ----------------------------------------------------------------------------- conv rules: errors

MISMATCHES = {
    "kernel_size": (lambda: torch.nn.Conv2d(2, 4, 3), lambda: paddle.nn.Conv2D(2, 4, 5), r"^kernel_size: torch has \(3, 3\), Paddle has \(5, 5\)$"),
    "stride": (lambda: torch.nn.Conv2d(2, 4, 3), lambda: paddle.nn.Conv2D(2, 4, 3, stride=2), r"^stride: "),
    "dilation": (lambda: torch.nn.Conv1d(2, 4, 3, dilation=2), lambda: paddle.nn.Conv1D(2, 4, 3), r"^dilation: "),
    "groups": (lambda: torch.nn.Conv2d(4, 4, 3), lambda: paddle.nn.Conv2D(4, 4, 3, groups=2), r"^groups: torch has 1, Paddle has 2$"),
    "padding": (lambda: torch.nn.Conv2d(2, 4, 3), lambda: paddle.nn.Conv2D(2, 4, 3, padding=1), r"^padding: "),
    "same vs 1": (lambda: torch.nn.Conv2d(2, 4, 3, padding="same"), lambda: paddle.nn.Conv2D(2, 4, 3, padding=1), r"^padding: torch has 'same'"),
    "padding_mode": (
        lambda: torch.nn.Conv2d(2, 4, 3, padding=1),
        lambda: paddle.nn.Conv2D(2, 4, 3, padding=1, padding_mode="reflect"),
        r"^padding_mode: torch has 'zeros', Paddle has 'reflect'$",
    ),
    "output_padding": (
        lambda: torch.nn.ConvTranspose2d(2, 4, 3, stride=2),
        lambda: paddle.nn.Conv2DTranspose(2, 4, 3, stride=2, output_padding=1),
        r"^output_padding: torch has \(0, 0\), Paddle has \(1, 1\)$",
    ),
    "bias only in torch": (
        lambda: torch.nn.Conv2d(2, 4, 3),
        lambda: paddle.nn.Conv2D(2, 4, 3, bias_attr=False),
        r"^bias: the torch layer has one, the Paddle layer has none \(bias_attr=False\)$",
    ),
    "bias only in paddle": (
        lambda: torch.nn.Conv2d(2, 4, 3, bias=False),
        lambda: paddle.nn.Conv2D(2, 4, 3),
        r"^bias: the torch layer has none \(bias=False\), the Paddle layer has one$",
    ),
    "NHWC": (lambda: torch.nn.Conv2d(2, 4, 3), lambda: paddle.nn.Conv2D(2, 4, 3, data_format="NHWC"), r"^data_format: .*NHWC"),
    "channels": (
        lambda: torch.nn.Conv2d(2, 4, 3),
        lambda: paddle.nn.Conv2D(3, 4, 3),
        r"^weight -> weight: torch gives shape \(4, 2, 3, 3\) in Paddle's layout, the Paddle layer has \(4, 3, 3, 3\)$",
    ),
    "dtype": (
        lambda: torch.nn.Conv2d(2, 4, 3).double(),
        lambda: paddle.nn.Conv2D(2, 4, 3),
        r"^weight -> weight: dtype float64 vs float32$",
    ),
    "wrong paddle type": (
        lambda: torch.nn.Conv2d(2, 4, 3),
        lambda: paddle.nn.Conv1D(2, 4, 3),
        r"^torch.nn.Conv2d transfers into paddle.nn.Conv2D, not Conv1D$",
    ),
    "transposed into conv": (
        lambda: torch.nn.ConvTranspose2d(2, 4, 3),
        lambda: paddle.nn.Conv2D(2, 4, 3),
        r"^torch.nn.ConvTranspose2d transfers into paddle.nn.Conv2DTranspose, not Conv2D$",
    ),
    "no rule": (
        lambda: torch.nn.Linear(2, 4),
        lambda: paddle.nn.Linear(2, 4),
        r"^no transfer rule for torch.nn.Linear \(rules exist for: Conv1d, Conv2d, .*PixelShuffle\)$",
    ),
    "upscale_factor": (lambda: torch.nn.PixelShuffle(2), lambda: paddle.nn.PixelShuffle(3), r"^upscale_factor: torch has 2, Paddle has 3$"),
    "pixel shuffle NHWC": (
        lambda: torch.nn.PixelShuffle(2),
        lambda: paddle.nn.PixelShuffle(2, data_format="NHWC"),
        r"^data_format: torch has 'NCHW', Paddle has 'NHWC'$",
    ),
}


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(make_torch: Any, make_paddle: Any, message: str) -> None:
    t, p = make_torch(), make_paddle()
    before = _weights(p)
    with pytest.raises(TransferError, match=message):
        copy_weights(t, p)
    after = _weights(p)
    assert after.keys() == before.keys()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name])


def test_transfer_error_is_a_value_error() -> None:
    assert issubclass(TransferError, ValueError)


def test_a_late_error_copies_nothing() -> None:
    # The weight matches; only the bias (checked second) has the wrong dtype.
    t, p = torch.nn.Conv2d(2, 4, 3), paddle.nn.Conv2D(2, 4, 3)
    t.bias = torch.nn.Parameter(t.bias.detach().double())
    before = _weights(p)
    with pytest.raises(TransferError, match=r"^bias -> bias: dtype float64 vs float32$"):
        copy_weights(t, p)
    np.testing.assert_array_equal(_weights(p)["weight"], before["weight"])
    assert not np.array_equal(_weights(p)["weight"], _weights(t)["weight"])


def test_params_of_checks_without_copying() -> None:
    t, p = torch.nn.Conv1d(2, 4, 3), paddle.nn.Conv1D(2, 4, 3)
    before = _weights(p)
    assert [q.torch_name for q in params_of(t, p)] == ["weight", "bias"]
    np.testing.assert_array_equal(_weights(p)["weight"], before["weight"])
    with pytest.raises(TransferError, match="^stride: "):
        params_of(t, paddle.nn.Conv1D(2, 4, 3, stride=2))


# ----------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("padding", "ndim", "expected"),
    [
        ("same", 2, "same"),
        ("SAME", 2, "same"),
        ("VALID", 1, ((0, 0),)),
        ("valid", 2, ((0, 0), (0, 0))),
        (0, 2, ((0, 0), (0, 0))),
        (2, 3, ((2, 2), (2, 2), (2, 2))),
        ((1, 2), 2, ((1, 1), (2, 2))),
        ([3], 1, ((3, 3),)),
        ([1, 2], 1, ((1, 2),)),
        ([1, 2, 3, 4], 2, ((1, 2), (3, 4))),
        ([1, 2, 3, 4, 5, 6], 3, ((1, 2), (3, 4), (5, 6))),
        ([[0, 0], [0, 0], [1, 2], [3, 4]], 2, ((1, 2), (3, 4))),
        (((0, 0), (0, 0), (5, 6)), 1, ((5, 6),)),
        ([[1, 1], [2, 2]], 2, ((1, 1), (2, 2))),
    ],
)
def test_padding_pairs_reads_every_form(padding: Any, ndim: int, expected: Any) -> None:
    assert padding_pairs(padding, ndim) == expected


@pytest.mark.parametrize(("padding", "ndim"), [((1, 2, 3), 2), ([1, 2, 3], 1), ([], 2), ([[1, 1], [2, 2], [3, 3]], 2)])
def test_padding_pairs_rejects_other_forms(padding: Any, ndim: int) -> None:
    with pytest.raises(TransferError, match=r"^padding: cannot read .* for \d spatial dimension\(s\)$"):
        padding_pairs(padding, ndim)


def test_require_equal() -> None:
    require_equal("stride", (1, 1), (1, 1))
    with pytest.raises(TransferError, match=r"^stride: torch has \(1, 1\), Paddle has \(2, 2\)$"):
        require_equal("stride", (1, 1), (2, 2))


def test_bias_param() -> None:
    with_bias, without = SimpleNamespace(bias=1, beta=1), SimpleNamespace(bias=None, beta=None)
    assert bias_param(with_bias, with_bias) == [Param("bias", "bias")]
    assert bias_param(without, without) == []
    assert bias_param(with_bias, with_bias, "bias", "beta") == [Param("bias", "beta")]
    with pytest.raises(TransferError, match="^bias: the torch layer has one"):
        bias_param(with_bias, without)
    with pytest.raises(TransferError, match="^beta: the torch layer has none"):
        bias_param(without, with_bias, "beta", "beta")


def test_layout_converters() -> None:
    a = np.arange(6).reshape(2, 3)
    assert same(a) is a
    np.testing.assert_array_equal(transpose(a), a.T)
    assert Param("w", "w").to_paddle is same and Param("w", "w").buffer is False


# ----------------------------------------------------------------------------- new rules


def test_register_a_linear_rule_with_a_transposed_weight(rules: dict[type, Any], capsys: pytest.CaptureFixture[str]) -> None:
    @register(torch.nn.Linear, paddle.nn.Linear)
    def _linear(t: Any, p: Any) -> list[Param]:
        return [Param("weight", "weight", to_paddle=transpose), *bias_param(t, p)]

    assert rules[torch.nn.Linear] == ((paddle.nn.Linear,), _linear)
    t, p = torch.nn.Linear(3, 5), paddle.nn.Linear(3, 5)
    assert tuple(p.weight.shape) == (3, 5)
    copy_weights(t, p)
    np.testing.assert_array_equal(p.weight.numpy(), t.weight.detach().numpy().T)
    np.testing.assert_array_equal(p.bias.numpy(), t.bias.detach().numpy())
    # The gradient of the weight is compared in torch's layout transposed, like the weight.
    check_layers(t, p, random_array(2, 3))
    assert capsys.readouterr().out == (
        "PASS  Linear vs Linear: output (2, 5), grad input, grad weight, grad bias agree (rtol=1e-04, atol=1e-05)\n"
    )


def test_without_a_transpose_linear_shapes_clash(rules: dict[type, Any]) -> None:
    register(torch.nn.Linear, paddle.nn.Linear)(lambda t, p: [Param("weight", "weight"), *bias_param(t, p)])
    with pytest.raises(TransferError, match=r"^weight -> weight: torch gives shape \(5, 3\) .* has \(3, 5\)$"):
        copy_weights(torch.nn.Linear(3, 5), paddle.nn.Linear(3, 5))


def test_a_rule_may_accept_several_paddle_types(rules: dict[type, Any]) -> None:
    register(torch.nn.Identity, paddle.nn.Identity, paddle.nn.Flatten)(lambda t, p: [])
    assert params_of(torch.nn.Identity(), paddle.nn.Flatten()) == []
    with pytest.raises(TransferError, match=r"^torch.nn.Identity transfers into paddle.nn.Identity or paddle.nn.Flatten, not ReLU$"):
        params_of(torch.nn.Identity(), paddle.nn.ReLU())


class TorchScaleShift(torch.nn.Module):
    """y = x * scale + shift, with ``shift`` a buffer (no gradient), like BatchNorm's statistics."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.rand(3))
        self.register_buffer("shift", torch.rand(3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale + self.shift


class PaddleScaleShift(paddle.nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.gain = self.create_parameter([3])
        self.register_buffer("offset", paddle.zeros([3]))

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return x * self.gain + self.offset


def test_a_buffer_param_is_copied_but_gets_no_gradient(rules: dict[type, Any], capsys: pytest.CaptureFixture[str]) -> None:
    register(TorchScaleShift, PaddleScaleShift)(lambda t, p: [Param("scale", "gain"), Param("shift", "offset", buffer=True)])
    t, p = TorchScaleShift(), PaddleScaleShift()
    copy_weights(t, p)
    np.testing.assert_array_equal(p.gain.numpy(), t.scale.detach().numpy())
    np.testing.assert_array_equal(p.offset.numpy(), t.shift.numpy())
    check_layers(t, p, random_array(2, 3))
    assert capsys.readouterr().out == (
        "PASS  TorchScaleShift vs PaddleScaleShift: output (2, 3), grad input, grad scale agree (rtol=1e-04, atol=1e-05)\n"
    )


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (Param("missing", "gain"), "^missing: the torch layer has no such parameter$"),
        (Param("scale", "missing"), "^missing: the Paddle layer has no such parameter$"),
    ],
)
def test_a_rule_naming_a_missing_parameter_is_an_error(rules: dict[type, Any], param: Param, message: str) -> None:
    register(TorchScaleShift, PaddleScaleShift)(lambda t, p: [param])
    with pytest.raises(TransferError, match=message):
        copy_weights(TorchScaleShift(), PaddleScaleShift())


def test_valid_padding_matches_zero_padding() -> None:
    t_conv, p_conv = torch.nn.Conv2d(2, 3, 3, padding="valid"), paddle.nn.Conv2D(2, 3, 3, padding=0)
    copy_weights(t_conv, p_conv)
    np.testing.assert_array_equal(p_conv.weight.numpy(), t_conv.weight.detach().numpy())
