"""Rules of Linear, Bilinear, Identity, Flatten and the dropout family.

Linear and Bilinear have weights. Paddle stores Linear's weight as (in_features, out_features), the
transpose of torch's (out_features, in_features), hence the ``TRANSPOSE`` layout. Bilinear's weight
has the same (out, in1, in2) layout in both, but Paddle's bias is a (1, out) row where torch's is a
vector of length out: the ``ROW`` layout below. The other layers have no weights, and their one line
maps each torch setting to its Paddle attribute.

Dropout layers draw different random masks in the two frameworks, so a check compares them
statistically (:mod:`book.stochastic`); the rules make sure the settings mean the same: the drop
probability ``p``, Paddle's ``mode='upscale_in_train'`` (torch scales the kept values by 1/(1-p) in
training, Paddle's other mode scales at inference instead), no ``axis`` for plain dropout, and the
channel-first ``data_format`` of the channel-wise Dropout2d/3d.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import paddle
import torch

from book.transfer.registry import (
    TRANSPOSE,
    Layout,
    Param,
    optional_param,
    register,
    register_settings,
    require_equal,
)


@register(torch.nn.Linear, paddle.nn.Linear)
def _linear(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Linear: weight transposed in Paddle, optional bias; the sizes are checked by the weight's shape."""
    return [Param("weight", "weight", TRANSPOSE), *optional_param(torch_layer, paddle_layer)]


#: Bilinear's bias: a vector of length out in torch, a (1, out) row in Paddle.
ROW = Layout("row", lambda array: array.reshape(1, -1), lambda array, shape: array.reshape(shape))


@register(torch.nn.Bilinear, paddle.nn.Bilinear)
def _bilinear(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Bilinear: y = x1ᵀ W x2 + b; same (out, in1, in2) weight, bias a row in Paddle; sizes checked by shape."""
    return [Param("weight", "weight"), *optional_param(torch_layer, paddle_layer, layout=ROW)]


register_settings(torch.nn.Identity, paddle.nn.Identity)
register_settings(torch.nn.Flatten, paddle.nn.Flatten, start_dim="start_axis", end_dim="stop_axis")


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
