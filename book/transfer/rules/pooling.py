"""Rules of the Pooling chapter: max, average, adaptive and LP pooling and max unpooling, 1-D to 3-D.

Pooling has no weights, so each rule only checks the settings and returns ``[]``. The number of
spatial dimensions is passed to each rule explicitly (``partial(_max_pool, ndim=2)``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import paddle
import torch

from book.transfer.registry import (
    Param,
    TransferError,
    as_tuple,
    padding_pairs,
    paddle_attr,
    register,
    require_channel_first,
    require_equal,
)


def _window(torch_layer: Any, paddle_layer: Any, ndim: int) -> None:
    """Kernel, stride (None means the kernel size in both frameworks) and padding of a pooling window."""
    require_channel_first(paddle_layer)
    kernel = as_tuple(paddle_attr(paddle_layer, "ksize", "kernel_size"), ndim)
    stride = paddle_attr(paddle_layer, "stride")
    require_equal("kernel_size", as_tuple(torch_layer.kernel_size, ndim), kernel)
    require_equal("stride", as_tuple(torch_layer.stride, ndim), kernel if stride is None else as_tuple(stride, ndim))
    require_equal("padding", padding_pairs(torch_layer.padding, ndim), padding_pairs(paddle_layer.padding, ndim))


def _max_pool(torch_layer: Any, paddle_layer: Any, *, ndim: int) -> list[Param]:
    """MaxPool: no weights. Paddle has no dilation, and calls return_indices return_mask."""
    if any(d != 1 for d in as_tuple(torch_layer.dilation, ndim)):
        raise TransferError(f"dilation: torch has {torch_layer.dilation!r}; Paddle's max pooling has no dilation")
    _window(torch_layer, paddle_layer, ndim)
    require_equal("ceil_mode", torch_layer.ceil_mode, paddle_layer.ceil_mode)
    require_equal("return_indices (Paddle: return_mask)", torch_layer.return_indices, paddle_layer.return_mask)
    return []


def _avg_pool(torch_layer: Any, paddle_layer: Any, *, ndim: int) -> list[Param]:
    """AvgPool: no weights. Paddle's ``exclusive`` is the negation of ``count_include_pad``.

    With a ``divisor_override`` torch divides the window sum by it and ignores
    ``count_include_pad``; Paddle rescales its mean, which gives the window sum only with
    ``exclusive=False``.
    """
    _window(torch_layer, paddle_layer, ndim)
    require_equal("ceil_mode", torch_layer.ceil_mode, paddle_layer.ceil_mode)
    divisor = getattr(torch_layer, "divisor_override", None)
    require_equal("divisor_override (Paddle: divisor_override)", divisor, getattr(paddle_layer, "divisor", None))
    if divisor is not None:
        if paddle_layer.exclusive:
            raise TransferError(
                "exclusive: with a divisor_override, Paddle gives torch's result only with exclusive=False "
                "(torch ignores count_include_pad then)"
            )
        return []
    require_equal(
        "count_include_pad (Paddle: exclusive = not count_include_pad)",
        torch_layer.count_include_pad,
        not paddle_layer.exclusive,
    )
    return []


def _output_size(value: Any, ndim: int) -> tuple[int | None, ...]:
    """An adaptive pooling output_size as one entry per spatial dim (None keeps the input size)."""
    if value is None or isinstance(value, int):
        return (value,) * ndim
    return tuple(None if v is None else int(v) for v in value)


def _adaptive_pool(torch_layer: Any, paddle_layer: Any, *, ndim: int) -> list[Param]:
    """Adaptive average and max pooling: no weights; output_size (and for max, the indices flag) must agree."""
    require_channel_first(paddle_layer)
    paddle_size = paddle_attr(paddle_layer, "_output_size", "output_size")
    require_equal("output_size", _output_size(torch_layer.output_size, ndim), _output_size(paddle_size, ndim))
    if hasattr(torch_layer, "return_indices"):
        paddle_mask = paddle_attr(paddle_layer, "_return_mask", "return_mask")
        require_equal("return_indices (Paddle: return_mask)", torch_layer.return_indices, paddle_mask)
    return []


def _max_unpool(torch_layer: Any, paddle_layer: Any, *, ndim: int) -> list[Param]:
    """MaxUnpool: no weights; the window must agree. (torch takes output_size in forward, Paddle in __init__.)"""
    _window(torch_layer, paddle_layer, ndim)
    return []


def _lp_pool(torch_layer: Any, paddle_layer: Any, *, ndim: int) -> list[Param]:
    """LPPool 1-D and 2-D: no weights. torch's has no padding (Paddle's must be 0); a stride of None
    means the kernel size in both, though Paddle's LPPool2D stores the kernel size where torch keeps None."""
    require_channel_first(paddle_layer)
    require_equal("norm_type", float(torch_layer.norm_type), float(paddle_layer.norm_type))
    kernel = as_tuple(torch_layer.kernel_size, ndim)
    require_equal("kernel_size", kernel, as_tuple(paddle_attr(paddle_layer, "ksize", "kernel_size"), ndim))
    t_stride, p_stride = torch_layer.stride, paddle_layer.stride
    require_equal(
        "stride",
        kernel if t_stride is None else as_tuple(t_stride, ndim),
        kernel if p_stride is None else as_tuple(p_stride, ndim),
    )
    require_equal(
        "padding (torch's LPPool has none)", padding_pairs(0, ndim), padding_pairs(paddle_layer.padding, ndim)
    )
    require_equal("ceil_mode", torch_layer.ceil_mode, paddle_layer.ceil_mode)
    return []


POOLING: tuple[tuple[int, type, type, Any], ...] = tuple(
    entry
    for ndim, t, p in ((1, "1d", "1D"), (2, "2d", "2D"), (3, "3d", "3D"))
    for entry in (
        (ndim, getattr(torch.nn, f"MaxPool{t}"), getattr(paddle.nn, f"MaxPool{p}"), _max_pool),
        (ndim, getattr(torch.nn, f"AvgPool{t}"), getattr(paddle.nn, f"AvgPool{p}"), _avg_pool),
        (ndim, getattr(torch.nn, f"AdaptiveAvgPool{t}"), getattr(paddle.nn, f"AdaptiveAvgPool{p}"), _adaptive_pool),
        (ndim, getattr(torch.nn, f"AdaptiveMaxPool{t}"), getattr(paddle.nn, f"AdaptiveMaxPool{p}"), _adaptive_pool),
        (ndim, getattr(torch.nn, f"MaxUnpool{t}"), getattr(paddle.nn, f"MaxUnPool{p}"), _max_unpool),
    )
)
POOLING += (
    (1, torch.nn.LPPool1d, paddle.nn.LPPool1D, _lp_pool),
    (2, torch.nn.LPPool2d, paddle.nn.LPPool2D, _lp_pool),
)
for _ndim, _torch_type, _paddle_type, _rule in POOLING:
    register(_torch_type, _paddle_type)(partial(_rule, ndim=_ndim))
