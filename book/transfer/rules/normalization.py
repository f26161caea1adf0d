"""Rules of the Normalization chapter: BatchNorm, LayerNorm, GroupNorm, InstanceNorm.

This module shows everything a rule module does; a new layer family copies its shape:

1. One function per layer kind, ``rule(torch_layer, paddle_layer) -> list[Param]``. It compares each
   setting with :func:`require_equal` / :func:`require_close` (the first argument names the setting in
   the error, ``"eps (Paddle: epsilon)"`` when the names differ) and raises :class:`TransferError`
   explaining any semantic difference (BatchNorm's momentum below).
2. It returns one :class:`Param` per parameter or buffer, under the layer's *local* names, with its
   :class:`Layout` (``SAME``, ``TRANSPOSE``, ``FLATTEN``) and ``buffer=True`` for a buffer (copied, no
   gradient). ``paddle_name=None`` marks a torch-only buffer, like ``num_batches_tracked``.
3. It is registered for each ``(ndim, torch type, Paddle type)`` in a loop, the dimension passed
   explicitly (``partial(rule, ndim=2)``) where the rule needs it. A layer without weights needs only
   ``register_settings(torch_type, paddle_type, torch_attr="paddle_attr", ...)``.
4. The family's module is imported in ``book/transfer/rules/__init__.py``, in chapter order, and
   tested in ``tests/unit/test_rules_<family>.py``.
"""

from __future__ import annotations

import math
from typing import Any

import paddle
import torch

from book.transfer.registry import (
    FLATTEN,
    SAME,
    Layout,
    Param,
    TransferError,
    as_tuple,
    optional_param,
    register,
    require_channel_first,
    require_close,
    require_equal,
)


def affine_params(
    torch_layer: Any, paddle_layer: Any, paddle_weight: str = "weight", layout: Layout = SAME
) -> list[Param]:
    """The scale and shift of a normalization layer: both, one, or none, present alike on both sides.

    torch switches them off with ``affine=False`` / ``elementwise_affine=False`` (LayerNorm also
    has ``bias=False``); Paddle with ``weight_attr=False`` / ``bias_attr=False``.
    """
    return [
        *optional_param(
            torch_layer,
            paddle_layer,
            "weight",
            paddle_weight,
            torch_off=None,
            paddle_off="weight_attr=False",
            layout=layout,
        ),
        *optional_param(torch_layer, paddle_layer, torch_off=None, layout=layout),
    ]


def _batch_norm(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """BatchNorm 1-D to 3-D: weight and bias, the running statistics as buffers, and torch's step counter.

    torch's ``momentum`` m weights the new batch (running = (1-m)·running + m·batch); Paddle's
    weights the old value (running = m·running + (1-m)·batch), so torch 0.1 is Paddle 0.9.
    torch's ``track_running_stats=False`` (always batch statistics, no buffers) is Paddle's
    ``use_global_stats=False``. torch also counts the training steps in ``num_batches_tracked``
    (used only when ``momentum=None``, refused below); Paddle has no counterpart, so it is a
    torch-only buffer.
    """
    require_channel_first(paddle_layer)
    require_equal("num_features", torch_layer.num_features, paddle_layer._num_features)
    require_close("eps (Paddle: epsilon)", torch_layer.eps, paddle_layer._epsilon)
    params = affine_params(torch_layer, paddle_layer)
    use_global_stats = paddle_layer._use_global_stats
    if not torch_layer.track_running_stats:
        if use_global_stats is not False:
            raise TransferError(
                "track_running_stats: torch has False (always batch statistics); build the Paddle layer "
                f"with use_global_stats=False (it has {use_global_stats!r})"
            )
        return params
    if use_global_stats is not None:
        raise TransferError(
            f"use_global_stats: the Paddle layer has {use_global_stats!r}; torch's BatchNorm with running "
            "statistics matches Paddle's default use_global_stats=None "
            "(batch statistics in training, running ones in eval)"
        )
    if torch_layer.momentum is None:
        raise TransferError("momentum: torch has None (a cumulative average), which Paddle has no equivalent for")
    if not math.isclose(1 - torch_layer.momentum, paddle_layer._momentum, rel_tol=1e-6, abs_tol=1e-12):
        raise TransferError(
            f"momentum: torch {torch_layer.momentum!r} means Paddle momentum {1 - torch_layer.momentum:.6g} "
            f"(Paddle's momentum weights the old running value), the Paddle layer has {paddle_layer._momentum!r}"
        )
    return [
        *params,
        Param("running_mean", "_mean", buffer=True),
        Param("running_var", "_variance", buffer=True),
        Param("num_batches_tracked", None, buffer=True),
    ]


def _layer_norm(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """LayerNorm: torch's weight has ``normalized_shape``; Paddle's is flattened to its product."""
    shape = paddle_layer._normalized_shape
    paddle_shape = as_tuple(shape, 1) if isinstance(shape, int) else tuple(shape)
    require_equal("normalized_shape", tuple(torch_layer.normalized_shape), paddle_shape)
    require_close("eps (Paddle: epsilon)", torch_layer.eps, paddle_layer._epsilon)
    return affine_params(torch_layer, paddle_layer, layout=FLATTEN)


def _group_norm(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """GroupNorm: same arguments in the same order; eps is called epsilon."""
    require_channel_first(paddle_layer)
    require_equal("num_groups", torch_layer.num_groups, paddle_layer._num_groups)
    require_equal("num_channels", torch_layer.num_channels, paddle_layer._num_channels)
    require_close("eps (Paddle: epsilon)", torch_layer.eps, paddle_layer._epsilon)
    return affine_params(torch_layer, paddle_layer)


def _instance_norm(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """InstanceNorm: torch has no affine parameters by default, Paddle has them (its weight is ``scale``).

    Paddle's InstanceNorm keeps no running statistics, so torch's ``track_running_stats=True`` has no match.
    """
    require_channel_first(paddle_layer)
    require_equal("num_features", torch_layer.num_features, paddle_layer._num_features)
    require_close("eps (Paddle: epsilon)", torch_layer.eps, paddle_layer._epsilon)
    if torch_layer.track_running_stats:
        raise TransferError("track_running_stats: torch has True; Paddle's InstanceNorm keeps no running statistics")
    try:
        return affine_params(torch_layer, paddle_layer, paddle_weight="scale")
    except TransferError as error:
        if torch_layer.affine:
            raise
        raise TransferError(
            f"{error}; torch's InstanceNorm has no affine parameters by default (affine=False), Paddle's has "
            "them: build it with weight_attr=False, bias_attr=False (or torch with affine=True)"
        ) from None


NORMALIZATION: tuple[tuple[type, type, Any], ...] = (
    (torch.nn.BatchNorm1d, paddle.nn.BatchNorm1D, _batch_norm),
    (torch.nn.BatchNorm2d, paddle.nn.BatchNorm2D, _batch_norm),
    (torch.nn.BatchNorm3d, paddle.nn.BatchNorm3D, _batch_norm),
    (torch.nn.LayerNorm, paddle.nn.LayerNorm, _layer_norm),
    (torch.nn.GroupNorm, paddle.nn.GroupNorm, _group_norm),
    (torch.nn.InstanceNorm1d, paddle.nn.InstanceNorm1D, _instance_norm),
    (torch.nn.InstanceNorm2d, paddle.nn.InstanceNorm2D, _instance_norm),
    (torch.nn.InstanceNorm3d, paddle.nn.InstanceNorm3D, _instance_norm),
)
for _torch_type, _paddle_type, _rule in NORMALIZATION:
    register(_torch_type, _paddle_type)(_rule)
