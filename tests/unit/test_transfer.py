"""book.transfer: the conv, PixelShuffle, pooling and normalization rules, every mismatch error, and the design for new rules."""

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
    optional_param,
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
        r"^no transfer rule for torch.nn.Linear \(rules exist for: .*Conv2d, .*PixelShuffle\)$",
    ),
    "upscale_factor": (lambda: torch.nn.PixelShuffle(2), lambda: paddle.nn.PixelShuffle(3), r"^upscale_factor: torch has 2, Paddle has 3$"),
    "pixel shuffle NHWC": (
        lambda: torch.nn.PixelShuffle(2),
        lambda: paddle.nn.PixelShuffle(2, data_format="NHWC"),
        r"^data_format: torch has 'NCHW', Paddle has 'NHWC'$",
    ),
}


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


def test_optional_param() -> None:
    with_bias, without = SimpleNamespace(bias=1, beta=1), SimpleNamespace(bias=None, beta=None)
    assert optional_param(with_bias, with_bias) == [Param("bias", "bias")]
    assert optional_param(without, without) == []
    assert optional_param(with_bias, with_bias, "bias", "beta") == [Param("bias", "beta")]
    with pytest.raises(TransferError, match="^bias: the torch layer has one"):
        optional_param(with_bias, without)
    with pytest.raises(TransferError, match="^beta: the torch layer has none"):
        optional_param(without, with_bias, "beta", "beta")


def test_layout_converters() -> None:
    a = np.arange(6).reshape(2, 3)
    assert same(a) is a
    np.testing.assert_array_equal(transpose(a), a.T)
    assert Param("w", "w").to_paddle is same and Param("w", "w").buffer is False


# ----------------------------------------------------------------------------- new rules


def test_register_a_linear_rule_with_a_transposed_weight(rules: dict[type, Any], capsys: pytest.CaptureFixture[str]) -> None:
    @register(torch.nn.Linear, paddle.nn.Linear)
    def _linear(t: Any, p: Any) -> list[Param]:
        return [Param("weight", "weight", to_paddle=transpose), *optional_param(t, p)]

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
    register(torch.nn.Linear, paddle.nn.Linear)(lambda t, p: [Param("weight", "weight"), *optional_param(t, p)])
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


# ----------------------------------------------------------------------------- pooling rules

POOL_PAIRS = {
    "max1d": (lambda: (torch.nn.MaxPool1d(3, 2, 1), paddle.nn.MaxPool1D(3, 2, 1)), (2, 3, 9)),
    "max2d stride default": (lambda: (torch.nn.MaxPool2d(2), paddle.nn.MaxPool2D(2)), (2, 3, 6, 6)),
    "max2d explicit stride = kernel": (lambda: (torch.nn.MaxPool2d(2), paddle.nn.MaxPool2D(2, stride=2)), (2, 3, 6, 6)),
    "max2d ceil": (lambda: (torch.nn.MaxPool2d(3, 2, ceil_mode=True), paddle.nn.MaxPool2D(3, 2, ceil_mode=True)), (1, 2, 8, 8)),
    "max2d indices": (
        lambda: (torch.nn.MaxPool2d(2, return_indices=True), paddle.nn.MaxPool2D(2, return_mask=True)),
        (1, 2, 4, 4),
    ),
    "max3d": (lambda: (torch.nn.MaxPool3d(2), paddle.nn.MaxPool3D(2)), (1, 2, 4, 4, 4)),
    "avg1d": (lambda: (torch.nn.AvgPool1d(3, 2, 1), paddle.nn.AvgPool1D(3, 2, 1, exclusive=False)), (2, 3, 9)),
    "avg2d exclusive": (
        lambda: (torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False), paddle.nn.AvgPool2D(3, 2, 1)),
        (1, 2, 7, 7),
    ),
    "avg2d divisor": (
        lambda: (torch.nn.AvgPool2d(2, divisor_override=3), paddle.nn.AvgPool2D(2, exclusive=False, divisor_override=3)),
        (1, 2, 4, 4),
    ),
    "avg2d divisor ignores count_include_pad": (
        lambda: (
            torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False, divisor_override=4),
            paddle.nn.AvgPool2D(3, 2, 1, exclusive=False, divisor_override=4),
        ),
        (1, 2, 5, 5),
    ),
    "avg3d": (lambda: (torch.nn.AvgPool3d(2), paddle.nn.AvgPool3D(2, exclusive=False)), (1, 2, 4, 4, 4)),
    "adaptive avg1d": (lambda: (torch.nn.AdaptiveAvgPool1d(4), paddle.nn.AdaptiveAvgPool1D(4)), (2, 3, 10)),
    "adaptive avg2d None": (
        lambda: (torch.nn.AdaptiveAvgPool2d((None, 3)), paddle.nn.AdaptiveAvgPool2D((None, 3))),
        (1, 2, 5, 7),
    ),
    "adaptive avg3d": (lambda: (torch.nn.AdaptiveAvgPool3d(2), paddle.nn.AdaptiveAvgPool3D(2)), (1, 2, 5, 5, 5)),
    "adaptive max1d indices": (
        lambda: (torch.nn.AdaptiveMaxPool1d(3, return_indices=True), paddle.nn.AdaptiveMaxPool1D(3, return_mask=True)),
        (2, 3, 10),
    ),
    "adaptive max2d": (lambda: (torch.nn.AdaptiveMaxPool2d((2, 3)), paddle.nn.AdaptiveMaxPool2D((2, 3))), (1, 2, 5, 7)),
}


@pytest.mark.parametrize(("make", "shape"), POOL_PAIRS.values(), ids=POOL_PAIRS.keys())
def test_pooling_layers_have_no_weights_and_compute_alike(make: Any, shape: tuple[int, ...], capsys: pytest.CaptureFixture[str]) -> None:
    t, p = make()
    assert copy_weights(t, p) == []
    check_layers(t, p, random_array(*shape))
    assert capsys.readouterr().out.startswith("PASS  ")


POOL_MISMATCHES = {
    "dilation": (lambda: torch.nn.MaxPool2d(3, dilation=2), lambda: paddle.nn.MaxPool2D(3), r"^dilation: .*Paddle's max pooling has no dilation$"),
    "kernel": (lambda: torch.nn.MaxPool2d(3), lambda: paddle.nn.MaxPool2D(2), r"^kernel_size: torch has \(3, 3\), Paddle has \(2, 2\)$"),
    "stride": (lambda: torch.nn.MaxPool1d(3, 1), lambda: paddle.nn.MaxPool1D(3), r"^stride: torch has \(1,\), Paddle has \(3,\)$"),
    "padding": (lambda: torch.nn.AvgPool2d(3, padding=1), lambda: paddle.nn.AvgPool2D(3), r"^padding: "),
    "SAME": (lambda: torch.nn.MaxPool2d(3), lambda: paddle.nn.MaxPool2D(3, padding="SAME"), r"^padding: .*'same'$"),
    "ceil_mode": (lambda: torch.nn.MaxPool2d(3, ceil_mode=True), lambda: paddle.nn.MaxPool2D(3), r"^ceil_mode: torch has True, Paddle has False$"),
    "return_indices": (
        lambda: torch.nn.MaxPool2d(2, return_indices=True),
        lambda: paddle.nn.MaxPool2D(2),
        r"^return_indices \(Paddle: return_mask\): torch has True, Paddle has False$",
    ),
    "count_include_pad defaults": (
        lambda: torch.nn.AvgPool2d(3, padding=1),
        lambda: paddle.nn.AvgPool2D(3, padding=1),
        r"^count_include_pad \(Paddle: exclusive = not count_include_pad\): torch has True, Paddle has False$",
    ),
    "divisor_override": (
        lambda: torch.nn.AvgPool2d(2, divisor_override=3),
        lambda: paddle.nn.AvgPool2D(2, exclusive=False),
        r"^divisor_override \(Paddle: divisor_override\): torch has 3, Paddle has None$",
    ),
    "divisor with exclusive": (
        lambda: torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False, divisor_override=4),
        lambda: paddle.nn.AvgPool2D(3, 2, 1, divisor_override=4),
        r"^exclusive: with a divisor_override, Paddle gives torch's result only with exclusive=False",
    ),
    "NHWC pooling": (lambda: torch.nn.MaxPool2d(2), lambda: paddle.nn.MaxPool2D(2, data_format="NHWC"), r"^data_format: .*NHWC"),
    "output_size": (
        lambda: torch.nn.AdaptiveAvgPool2d((None, 3)),
        lambda: paddle.nn.AdaptiveAvgPool2D(3),
        r"^output_size: torch has \(None, 3\), Paddle has \(3, 3\)$",
    ),
    "adaptive return_indices": (
        lambda: torch.nn.AdaptiveMaxPool2d(2),
        lambda: paddle.nn.AdaptiveMaxPool2D(2, return_mask=True),
        r"^return_indices \(Paddle: return_mask\): torch has False, Paddle has True$",
    ),
    "unpool stride": (lambda: torch.nn.MaxUnpool2d(2), lambda: paddle.nn.MaxUnPool2D(2, stride=1), r"^stride: "),
    "max into avg": (lambda: torch.nn.MaxPool2d(2), lambda: paddle.nn.AvgPool2D(2), r"^torch.nn.MaxPool2d transfers into paddle.nn.MaxPool2D, not AvgPool2D$"),
}


def test_max_unpool_rule_accepts_matching_windows() -> None:
    assert copy_weights(torch.nn.MaxUnpool2d(2), paddle.nn.MaxUnPool2D(2)) == []
    assert copy_weights(torch.nn.MaxUnpool1d(3, 2, 1), paddle.nn.MaxUnPool1D(3, 2, 1)) == []


# ----------------------------------------------------------------------------- normalization rules


def _names(params: list[Param]) -> list[tuple[str, str, bool]]:
    return [(q.torch_name, q.paddle_name, q.buffer) for q in params]


AFFINE = [("weight", "weight", False), ("bias", "bias", False)]
RUNNING = [("running_mean", "_mean", True), ("running_var", "_variance", True)]

NORM_PAIRS = {
    "batch1d": (lambda: (torch.nn.BatchNorm1d(3), paddle.nn.BatchNorm1D(3)), AFFINE + RUNNING),
    "batch2d": (lambda: (torch.nn.BatchNorm2d(3), paddle.nn.BatchNorm2D(3)), AFFINE + RUNNING),
    "batch3d momentum": (
        lambda: (torch.nn.BatchNorm3d(3, momentum=0.3), paddle.nn.BatchNorm3D(3, momentum=0.7)),
        AFFINE + RUNNING,
    ),
    "batch2d eps": (lambda: (torch.nn.BatchNorm2d(3, eps=1e-3), paddle.nn.BatchNorm2D(3, epsilon=1e-3)), AFFINE + RUNNING),
    "batch2d no affine": (
        lambda: (torch.nn.BatchNorm2d(3, affine=False), paddle.nn.BatchNorm2D(3, weight_attr=False, bias_attr=False)),
        RUNNING,
    ),
    "batch2d no running stats": (
        lambda: (torch.nn.BatchNorm2d(3, track_running_stats=False), paddle.nn.BatchNorm2D(3, use_global_stats=False)),
        AFFINE,
    ),
    "layer": (lambda: (torch.nn.LayerNorm([4, 5]), paddle.nn.LayerNorm([4, 5])), AFFINE),
    "layer int": (lambda: (torch.nn.LayerNorm(5), paddle.nn.LayerNorm(5)), AFFINE),
    "layer no bias": (lambda: (torch.nn.LayerNorm(5, bias=False), paddle.nn.LayerNorm(5, bias_attr=False)), AFFINE[:1]),
    "layer no affine": (
        lambda: (torch.nn.LayerNorm(5, elementwise_affine=False), paddle.nn.LayerNorm(5, weight_attr=False, bias_attr=False)),
        [],
    ),
    "group": (lambda: (torch.nn.GroupNorm(2, 4), paddle.nn.GroupNorm(2, 4)), AFFINE),
    "group no affine": (
        lambda: (torch.nn.GroupNorm(2, 4, affine=False), paddle.nn.GroupNorm(2, 4, weight_attr=False, bias_attr=False)),
        [],
    ),
    "instance2d defaults matched": (
        lambda: (torch.nn.InstanceNorm2d(3), paddle.nn.InstanceNorm2D(3, weight_attr=False, bias_attr=False)),
        [],
    ),
    "instance1d affine": (lambda: (torch.nn.InstanceNorm1d(3, affine=True), paddle.nn.InstanceNorm1D(3)), [("weight", "scale", False), AFFINE[1]]),
    "instance3d affine": (lambda: (torch.nn.InstanceNorm3d(3, affine=True), paddle.nn.InstanceNorm3D(3)), [("weight", "scale", False), AFFINE[1]]),
}


@pytest.mark.parametrize(("make", "expected"), NORM_PAIRS.values(), ids=NORM_PAIRS.keys())
def test_normalization_rules_name_parameters_and_buffers(make: Any, expected: list[tuple[str, str, bool]]) -> None:
    t, p = make()
    with torch.no_grad():  # make every value distinct, so that a copy is visible
        for value in [*t.parameters(), *t.buffers()]:
            if value.is_floating_point():
                value.copy_(torch.rand_like(value) + 0.5)
    params = copy_weights(t, p)
    assert _names(params) == expected
    t_all, p_all = dict(t.named_parameters()) | dict(t.named_buffers()), dict(p.named_parameters()) | dict(p.named_buffers())
    for q in params:
        np.testing.assert_array_equal(to_numpy(p_all[q.paddle_name]), to_numpy(t_all[q.torch_name]).reshape(p_all[q.paddle_name].shape))


def test_layer_norm_weight_is_flattened_in_paddle() -> None:
    t, p = torch.nn.LayerNorm([4, 5]), paddle.nn.LayerNorm([4, 5])
    (weight, _) = copy_weights(t, p)
    assert tuple(t.weight.shape) == (4, 5) and tuple(p.weight.shape) == (20,)
    assert weight.to_paddle(np.zeros((4, 5))).shape == (20,)


NORM_MISMATCHES = {
    "momentum not converted": (
        lambda: torch.nn.BatchNorm2d(3, momentum=0.1),
        lambda: paddle.nn.BatchNorm2D(3, momentum=0.1),
        r"^momentum: torch 0.1 means Paddle momentum 0.9 \(Paddle's momentum weights the old running value\), "
        r"the Paddle layer has 0.1$",
    ),
    "momentum None": (
        lambda: torch.nn.BatchNorm2d(3, momentum=None),
        lambda: paddle.nn.BatchNorm2D(3),
        r"^momentum: torch has None \(a cumulative average\)",
    ),
    "eps": (lambda: torch.nn.BatchNorm1d(3, eps=1e-3), lambda: paddle.nn.BatchNorm1D(3), r"^eps \(Paddle: epsilon\): torch has 0.001, Paddle has 1e-05$"),
    "num_features": (lambda: torch.nn.BatchNorm2d(3), lambda: paddle.nn.BatchNorm2D(4), r"^num_features: torch has 3, Paddle has 4$"),
    "affine only in paddle": (
        lambda: torch.nn.BatchNorm2d(3, affine=False),
        lambda: paddle.nn.BatchNorm2D(3),
        r"^weight: the torch layer has none, the Paddle layer has one$",
    ),
    "bias only in torch": (
        lambda: torch.nn.BatchNorm2d(3),
        lambda: paddle.nn.BatchNorm2D(3, bias_attr=False),
        r"^bias: the torch layer has one, the Paddle layer has none \(bias_attr=False\)$",
    ),
    "track_running_stats": (
        lambda: torch.nn.BatchNorm2d(3, track_running_stats=False),
        lambda: paddle.nn.BatchNorm2D(3),
        r"^track_running_stats: torch has False .*use_global_stats=False \(it has None\)$",
    ),
    "use_global_stats": (
        lambda: torch.nn.BatchNorm2d(3),
        lambda: paddle.nn.BatchNorm2D(3, use_global_stats=True),
        r"^use_global_stats: the Paddle layer has True",
    ),
    "batch NHWC": (lambda: torch.nn.BatchNorm2d(3), lambda: paddle.nn.BatchNorm2D(3, data_format="NHWC"), r"^data_format: .*NHWC"),
    "normalized_shape": (lambda: torch.nn.LayerNorm([4, 5]), lambda: paddle.nn.LayerNorm(5), r"^normalized_shape: torch has \(4, 5\), Paddle has \(5,\)$"),
    "groups": (lambda: torch.nn.GroupNorm(2, 4), lambda: paddle.nn.GroupNorm(4, 4), r"^num_groups: torch has 2, Paddle has 4$"),
    "instance defaults": (
        lambda: torch.nn.InstanceNorm2d(3),
        lambda: paddle.nn.InstanceNorm2D(3),
        r"^weight: the torch layer has none, the Paddle layer has one; torch's InstanceNorm has no affine parameters "
        r"by default \(affine=False\), Paddle's has them: build it with weight_attr=False, bias_attr=False",
    ),
    "instance running stats": (
        lambda: torch.nn.InstanceNorm2d(3, track_running_stats=True),
        lambda: paddle.nn.InstanceNorm2D(3, weight_attr=False, bias_attr=False),
        r"^track_running_stats: torch has True; Paddle's InstanceNorm keeps no running statistics$",
    ),
    "instance affine only in torch": (
        lambda: torch.nn.InstanceNorm2d(3, affine=True),
        lambda: paddle.nn.InstanceNorm2D(3, weight_attr=False, bias_attr=False),
        r"^weight: the torch layer has one, the Paddle layer has none \(weight_attr=False\)$",
    ),
}



# ----------------------------------------------------------------------------- every rule: mismatch errors

ALL_MISMATCHES = {
    **{f"conv: {name}": case for name, case in MISMATCHES.items()},
    **{f"pooling: {name}": case for name, case in POOL_MISMATCHES.items()},
    **{f"normalization: {name}": case for name, case in NORM_MISMATCHES.items()},
}


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), ALL_MISMATCHES.values(), ids=ALL_MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(make_torch: Any, make_paddle: Any, message: str) -> None:
    t, p = make_torch(), make_paddle()
    before = _weights(p)
    with pytest.raises(TransferError, match=message):
        copy_weights(t, p)
    after = _weights(p)
    assert after.keys() == before.keys()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name])
