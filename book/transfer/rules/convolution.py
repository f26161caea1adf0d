"""Rules of the Convolution chapter: convolutions 1-D to 3-D (plain and transposed), PixelShuffle and PixelUnshuffle.

Both frameworks store a convolution's weight in the same layout, so a rule only checks the
settings and lists ``weight`` and the optional ``bias``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import paddle
import torch

from book.transfer.registry import (
    Param,
    as_tuple,
    optional_param,
    padding_pairs,
    register,
    register_settings,
    require_channel_first,
    require_equal,
)


def _conv(torch_layer: Any, paddle_layer: Any, *, ndim: int) -> list[Param]:
    """Conv and transposed conv with ``ndim`` spatial dimensions: same weight layout in both frameworks."""
    require_channel_first(paddle_layer)
    require_equal("kernel_size", tuple(torch_layer.kernel_size), as_tuple(paddle_layer._kernel_size, ndim))
    require_equal("stride", tuple(torch_layer.stride), as_tuple(paddle_layer._stride, ndim))
    require_equal("dilation", tuple(torch_layer.dilation), as_tuple(paddle_layer._dilation, ndim))
    require_equal("groups", torch_layer.groups, paddle_layer._groups)
    require_equal("padding_mode", torch_layer.padding_mode, paddle_layer._padding_mode)
    require_equal("padding", padding_pairs(torch_layer.padding, ndim), padding_pairs(paddle_layer._padding, ndim))
    if torch_layer.transposed:
        require_equal(
            "output_padding",
            tuple(torch_layer.output_padding),
            as_tuple(getattr(paddle_layer, "output_padding", 0), ndim),
        )
    return [Param("weight", "weight"), *optional_param(torch_layer, paddle_layer)]


CONVOLUTIONS: tuple[tuple[int, type, type], ...] = (
    (1, torch.nn.Conv1d, paddle.nn.Conv1D),
    (2, torch.nn.Conv2d, paddle.nn.Conv2D),
    (3, torch.nn.Conv3d, paddle.nn.Conv3D),
    (1, torch.nn.ConvTranspose1d, paddle.nn.Conv1DTranspose),
    (2, torch.nn.ConvTranspose2d, paddle.nn.Conv2DTranspose),
    (3, torch.nn.ConvTranspose3d, paddle.nn.Conv3DTranspose),
)
for _ndim, _torch_type, _paddle_type in CONVOLUTIONS:
    register(_torch_type, _paddle_type)(partial(_conv, ndim=_ndim))


# PixelShuffle and PixelUnshuffle have no weights: the factor must agree, and Paddle's layout be NCHW.
register_settings(torch.nn.PixelShuffle, paddle.nn.PixelShuffle, upscale_factor="_upscale_factor", channel_first=True)
register_settings(
    torch.nn.PixelUnshuffle, paddle.nn.PixelUnshuffle, downscale_factor="_downscale_factor", channel_first=True
)
