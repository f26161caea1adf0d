"""Rules of Linear, Bilinear, Identity, Flatten/Unflatten, the dropout family and Embedding.

Linear and Bilinear have weights. Paddle stores Linear's weight as (in_features, out_features), the
transpose of torch's (out_features, in_features), hence the ``TRANSPOSE`` layout; Paddle 3.3's
``paddle.compat.nn.Linear`` keeps torch's layout (``SAME``). Embedding's (num_embeddings,
embedding_dim) table is stored alike; its rule checks ``padding_idx`` (Paddle keeps a negative one
as given, torch counts it from the end), ``max_norm``, ``norm_type``, ``scale_grad_by_freq`` and
``sparse``, and refuses a torch table whose padding row is not zero (Paddle looks up zeros at
padding positions whatever that row holds; torch returns the row). Bilinear's weight
has the same (out, in1, in2) layout in both, but Paddle's bias is a (1, out) row where torch's is a
vector of length out: the ``ROW`` layout below. The other layers have no weights, and their one line
maps each torch setting to its Paddle attribute.

Dropout layers draw different random masks in the two frameworks, so a check compares them
statistically (:mod:`book.stochastic`); the rules make sure the settings mean the same: the drop
probability ``p``, Paddle's ``mode='upscale_in_train'`` (torch scales the kept values by 1/(1-p) in
training, Paddle's other mode scales at inference instead), no ``axis`` for plain dropout, and the
channel-first ``data_format`` of the channel-wise Dropout2d/3d. Paddle has no Dropout1D layer:
torch's Dropout1d pairs with ``paddle.nn.Dropout(axis=[0, 1])``, which drops whole (sample,
channel) rows of an (N, C, L) input.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import paddle
import torch

from book.transfer.registry import (
    SAME,
    TRANSPOSE,
    Layout,
    Param,
    Setting,
    TransferError,
    optional_param,
    register,
    register_settings,
    require_equal,
)


def _compat_linear() -> tuple[type, ...]:
    """``paddle.compat.nn.Linear`` where the installed Paddle has it (3.3 on; 3.0-3.2 lack it)."""
    try:
        import paddle.compat
    except ImportError:
        return ()
    linear = getattr(getattr(paddle.compat, "nn", None), "Linear", None)
    return (linear,) if isinstance(linear, type) else ()


COMPAT_LINEAR = _compat_linear()


@register(torch.nn.Linear, paddle.nn.Linear, *COMPAT_LINEAR)
def _linear(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Linear: weight transposed in Paddle (not in paddle.compat's), optional bias; sizes checked by shape."""
    layout = SAME if COMPAT_LINEAR and isinstance(paddle_layer, COMPAT_LINEAR) else TRANSPOSE
    off = "bias=False" if layout is SAME else "bias_attr=False"
    return [Param("weight", "weight", layout), *optional_param(torch_layer, paddle_layer, paddle_off=off)]


#: Bilinear's bias: a vector of length out in torch, a (1, out) row in Paddle.
ROW = Layout("row", lambda array: array.reshape(1, -1), lambda array, shape: array.reshape(shape))


@register(torch.nn.Bilinear, paddle.nn.Bilinear)
def _bilinear(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Bilinear: y = x1ᵀ W x2 + b; same (out, in1, in2) weight, bias a row in Paddle; sizes checked by shape."""
    return [Param("weight", "weight"), *optional_param(torch_layer, paddle_layer, layout=ROW)]


register_settings(torch.nn.Identity, paddle.nn.Identity)
register_settings(torch.nn.Flatten, paddle.nn.Flatten, start_dim="start_axis", end_dim="stop_axis")
register_settings(
    torch.nn.Unflatten,
    paddle.nn.Unflatten,
    dim="axis",
    unflattened_size=Setting("shape", lambda shape: tuple(int(n) for n in shape)),
)


@register(torch.nn.Dropout, paddle.nn.Dropout)
def _dropout(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Dropout: same p; Paddle must scale in training (its default mode) and drop elementwise (axis=None)."""
    require_equal("p", torch_layer.p, paddle_layer.p)
    require_equal("mode (fixed in torch: scaled in training)", "upscale_in_train", paddle_layer.mode)
    require_equal("axis (torch drops every element independently)", None, paddle_layer.axis)
    return []


def _channel_dropout(torch_layer: Any, paddle_layer: Any, *, data_format: str) -> list[Param]:
    """Dropout2d/3d: whole channels dropped; same p, and Paddle's layout channel-first like torch's."""
    require_equal("p", torch_layer.p, paddle_layer.p)
    require_equal("data_format (torch is channel-first)", data_format, paddle_layer.data_format)
    return []


register(torch.nn.Dropout2d, paddle.nn.Dropout2D)(partial(_channel_dropout, data_format="NCHW"))
register(torch.nn.Dropout3d, paddle.nn.Dropout3D)(partial(_channel_dropout, data_format="NCDHW"))
register_settings(torch.nn.AlphaDropout, paddle.nn.AlphaDropout, p="p")
register_settings(torch.nn.FeatureAlphaDropout, paddle.nn.FeatureAlphaDropout, p="p")


@register(torch.nn.Dropout1d, paddle.nn.Dropout)
def _dropout1d(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Dropout1d: whole channels of (N, C, L); Paddle's Dropout with axis=[0, 1], scaled in training."""
    require_equal("p", torch_layer.p, paddle_layer.p)
    require_equal("mode (fixed in torch: scaled in training)", "upscale_in_train", paddle_layer.mode)
    axis = paddle_layer.axis
    axis = [axis] if isinstance(axis, int) else None if axis is None else sorted(axis)
    require_equal("axis (torch keeps or drops each sample's channel whole)", [0, 1], axis)
    return []


def _padding_index(index: Any, rows: int) -> int | None:
    """A padding index counted from the start (torch's form of a negative one)."""
    return None if index is None else int(index) + rows if int(index) < 0 else int(index)


@register(torch.nn.Embedding, paddle.nn.Embedding)
def _embedding(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Embedding: the same (num_embeddings, embedding_dim) table; every lookup setting must agree."""
    rows = int(paddle_layer.weight.shape[0])
    require_equal("padding_idx", torch_layer.padding_idx, _padding_index(paddle_layer._padding_idx, rows))
    require_equal("max_norm", torch_layer.max_norm, paddle_layer._max_norm)
    if torch_layer.max_norm is not None:
        require_equal("norm_type", float(torch_layer.norm_type), float(paddle_layer._norm_type))
    require_equal("scale_grad_by_freq", torch_layer.scale_grad_by_freq, paddle_layer._scale_grad_by_freq)
    require_equal("sparse", torch_layer.sparse, paddle_layer._sparse)
    if torch_layer.padding_idx is not None and bool(torch_layer.weight[torch_layer.padding_idx].any()):
        raise TransferError(
            f"padding_idx: torch's row {torch_layer.padding_idx} is not zero; Paddle outputs zeros at padding "
            "positions whatever the row holds, torch outputs the row"
        )
    return [Param("weight", "weight")]
