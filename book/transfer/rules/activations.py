"""Rules of the activation functions: no weights except PReLU's, so nearly every entry is one line.

Each ``register_settings`` line pairs a torch module with its Paddle counterpart and maps every torch
setting to the Paddle attribute that holds it (names checked against torch 2.13 and Paddle 3.3.1).
torch's ``inplace`` flag changes no value and is not compared.

Differences worth knowing:

- torch's ``SiLU`` is Paddle's ``Silu`` (``paddle.nn.SiLU`` is the same class) or ``Swish``.
- torch's ``GELU(approximate='tanh'|'none')`` is Paddle's ``GELU(approximate=True|False)``;
  Paddle also accepts the strings.
- torch's ``Softmax(dim=...)`` is Paddle's ``Softmax(axis=...)``; their defaults differ (torch's
  ``dim=None`` picks a dimension from the input's rank, Paddle's ``axis=-1``), so they must be set alike.
- ``ReLU6`` and ``SELU`` are fixed in torch; Paddle's ``SELU`` stores its scale and alpha, which must be
  torch's constants. Paddle's ``Hardsigmoid`` uses slope 0.1666667 where torch divides by 6: the
  difference (below 3e-8 times the input) is under float32 tolerance and not a setting.
"""

from __future__ import annotations

from typing import Any

import paddle
import torch

from book.transfer.registry import (
    Param,
    Setting,
    register,
    register_settings,
    require_channel_first,
    require_close,
    require_equal,
)

# The constants of torch.nn.SELU, as its documentation states them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _gelu_approximate(value: Any) -> str:
    """Paddle's approximate flag (a bool, or 'tanh'/'none') in torch's terms."""
    return "tanh" if value in (True, "tanh") else "none"


register_settings(torch.nn.ReLU, paddle.nn.ReLU)
register_settings(torch.nn.LeakyReLU, paddle.nn.LeakyReLU, negative_slope="_negative_slope")
register_settings(
    torch.nn.ReLU6, paddle.nn.ReLU6, min_val=Setting(None, default=0.0), max_val=Setting(None, default=6.0)
)
register_settings(torch.nn.Hardtanh, paddle.nn.Hardtanh, min_val="_min", max_val="_max")
register_settings(torch.nn.ELU, paddle.nn.ELU, alpha="_alpha")
register_settings(torch.nn.CELU, paddle.nn.CELU, alpha="_alpha")
register_settings(torch.nn.GELU, paddle.nn.GELU, approximate=Setting("_approximate", convert=_gelu_approximate))
register_settings(torch.nn.Sigmoid, paddle.nn.Sigmoid)
register_settings(torch.nn.Tanh, paddle.nn.Tanh)
register_settings(torch.nn.Softplus, paddle.nn.Softplus, beta="_beta", threshold="_threshold")
register_settings(torch.nn.Softsign, paddle.nn.Softsign)
register_settings(torch.nn.LogSigmoid, paddle.nn.LogSigmoid)
register_settings(torch.nn.Mish, paddle.nn.Mish)
register_settings(torch.nn.Hardswish, paddle.nn.Hardswish)
register_settings(torch.nn.Hardsigmoid, paddle.nn.Hardsigmoid)
register_settings(torch.nn.Hardshrink, paddle.nn.Hardshrink, lambd="_threshold")
register_settings(torch.nn.Softshrink, paddle.nn.Softshrink, lambd="_threshold")
register_settings(torch.nn.Tanhshrink, paddle.nn.Tanhshrink)
register_settings(torch.nn.Softmax, paddle.nn.Softmax, dim="_axis")
register_settings(torch.nn.LogSoftmax, paddle.nn.LogSoftmax, dim="_axis")


@register(torch.nn.SiLU, paddle.nn.Silu, paddle.nn.Swish)
def _silu(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """SiLU: Paddle's ``Silu`` (also spelled ``SiLU``) or its ``Swish``, whose beta is fixed at 1."""
    return []


@register(torch.nn.SELU, paddle.nn.SELU)
def _selu(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """SELU: torch's constants are fixed; Paddle's layer stores them and must hold the same."""
    require_close("alpha (fixed in torch)", SELU_ALPHA, paddle_layer._alpha)
    require_close("scale (fixed in torch)", SELU_SCALE, paddle_layer._scale)
    return []


@register(torch.nn.PReLU, paddle.nn.PReLU)
def _prelu(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """PReLU: one learnable slope, or one per channel (channel axis 1, so Paddle must be channel-first).

    torch names it ``weight`` with shape (num_parameters,); Paddle ``_weight``, same shape.
    """
    require_equal("num_parameters", torch_layer.num_parameters, paddle_layer._num_parameters)
    require_channel_first(paddle_layer)
    return [Param("weight", "_weight")]
