"""book.transfer.rules.convolution: conv (1-D to 3-D, transposed) and PixelShuffle, copying and every mismatch."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch
from rule_checks import assert_mismatch_copies_nothing
from rule_checks import weights as _weights

from book.tensors import random_array, to_numpy
from book.transfer import copy_weights

pytestmark = pytest.mark.usefixtures("seeded")


# ----------------------------------------------------------------------------- conv rules: copying

CONV_PAIRS = {
    "conv1d": lambda: (torch.nn.Conv1d(2, 4, 3), paddle.nn.Conv1D(2, 4, 3)),
    "conv2d": lambda: (torch.nn.Conv2d(2, 4, 3, stride=2, padding=1), paddle.nn.Conv2D(2, 4, 3, stride=2, padding=1)),
    "conv3d": lambda: (torch.nn.Conv3d(2, 4, 3, dilation=2), paddle.nn.Conv3D(2, 4, 3, dilation=2)),
    "conv_transpose1d": lambda: (
        torch.nn.ConvTranspose1d(2, 4, 3, stride=2, output_padding=1),
        paddle.nn.Conv1DTranspose(2, 4, 3, stride=2, output_padding=1),
    ),
    "conv_transpose2d": lambda: (
        torch.nn.ConvTranspose2d(2, 4, 3, padding=1),
        paddle.nn.Conv2DTranspose(2, 4, 3, padding=1),
    ),
    "conv_transpose3d": lambda: (torch.nn.ConvTranspose3d(2, 4, 3), paddle.nn.Conv3DTranspose(2, 4, 3)),
    "groups": lambda: (torch.nn.Conv2d(4, 6, 3, groups=2), paddle.nn.Conv2D(4, 6, 3, groups=2)),
    "transposed groups": lambda: (
        torch.nn.ConvTranspose2d(4, 6, 3, groups=2),
        paddle.nn.Conv2DTranspose(4, 6, 3, groups=2),
    ),
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


def test_pixel_shuffle_and_unshuffle_have_no_weights_and_compute_alike() -> None:
    x = random_array(2, 8, 4, 4)
    for t, p in [
        (torch.nn.PixelShuffle(2), paddle.nn.PixelShuffle(2)),
        (torch.nn.PixelUnshuffle(2), paddle.nn.PixelUnshuffle(2)),
    ]:
        assert copy_weights(t, p) == []
        np.testing.assert_array_equal(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))))


# ----------------------------------------------------------------------------- conv rules: errors

MISMATCHES = {
    "kernel_size": (
        lambda: torch.nn.Conv2d(2, 4, 3),
        lambda: paddle.nn.Conv2D(2, 4, 5),
        r"^kernel_size: torch has \(3, 3\), Paddle has \(5, 5\)$",
    ),
    "stride": (lambda: torch.nn.Conv2d(2, 4, 3), lambda: paddle.nn.Conv2D(2, 4, 3, stride=2), r"^stride: "),
    "dilation": (lambda: torch.nn.Conv1d(2, 4, 3, dilation=2), lambda: paddle.nn.Conv1D(2, 4, 3), r"^dilation: "),
    "groups": (
        lambda: torch.nn.Conv2d(4, 4, 3),
        lambda: paddle.nn.Conv2D(4, 4, 3, groups=2),
        r"^groups: torch has 1, Paddle has 2$",
    ),
    "padding": (lambda: torch.nn.Conv2d(2, 4, 3), lambda: paddle.nn.Conv2D(2, 4, 3, padding=1), r"^padding: "),
    "same vs 1": (
        lambda: torch.nn.Conv2d(2, 4, 3, padding="same"),
        lambda: paddle.nn.Conv2D(2, 4, 3, padding=1),
        r"^padding: torch has 'same'",
    ),
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
    "NHWC": (
        lambda: torch.nn.Conv2d(2, 4, 3),
        lambda: paddle.nn.Conv2D(2, 4, 3, data_format="NHWC"),
        r"^data_format: .*NHWC",
    ),
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
        lambda: torch.nn.ChannelShuffle(2),
        lambda: paddle.nn.ChannelShuffle(2),
        r"^no transfer rule for torch.nn.ChannelShuffle \(rules exist for: .*Conv2d, .*PixelShuffle, .*\)$",
    ),
    "upscale_factor": (
        lambda: torch.nn.PixelShuffle(2),
        lambda: paddle.nn.PixelShuffle(3),
        r"^upscale_factor: torch has 2, Paddle has 3$",
    ),
    "pixel unshuffle factor": (
        lambda: torch.nn.PixelUnshuffle(2),
        lambda: paddle.nn.PixelUnshuffle(4),
        r"^downscale_factor: torch has 2, Paddle has 4$",
    ),
    "pixel shuffle NHWC": (
        lambda: torch.nn.PixelShuffle(2),
        lambda: paddle.nn.PixelShuffle(2, data_format="NHWC"),
        r"^data_format: the Paddle layer is NHWC; torch layers are channel-first",
    ),
}


def test_valid_padding_matches_zero_padding() -> None:
    t_conv, p_conv = torch.nn.Conv2d(2, 3, 3, padding="valid"), paddle.nn.Conv2D(2, 3, 3, padding=0)
    copy_weights(t_conv, p_conv)
    np.testing.assert_array_equal(p_conv.weight.numpy(), t_conv.weight.detach().numpy())


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(
    make_torch: Any, make_paddle: Any, message: str
) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)
