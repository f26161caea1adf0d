"""Rules of the loss modules: CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss,
BCEWithLogitsLoss, KLDivLoss and MarginRankingLoss.

Losses have no learnable weights. Their class ``weight`` (and BCEWithLogitsLoss's ``pos_weight``) is a
setting: the rule compares it value by value (None on both sides, or equal arrays). torch keeps it as
a buffer in the state dict, Paddle as a non-persistable tensor, so it is listed as a torch-only buffer
(``paddle_name=None``): state dicts convert without complaint, and nothing is copied.

CrossEntropyLoss's class axis: torch's is always 1 (input (N, C) or (N, C, d1, ...)); Paddle's is its
``axis`` argument, by default -1. For the common (N, C) input the two coincide, so the rule accepts
Paddle's ``axis=1`` and the default ``axis=-1``; a rule cannot see the input's rank, so with extra
dimensions (N, C, d1, ...) build Paddle's loss with ``axis=1`` (with -1 the check on real inputs then
fails, as it should). torch reads float targets as class probabilities; Paddle needs
``soft_label=True`` for that, which this rule refuses: pair hard int64 labels with ``soft_label=False``.
(Soft targets are compared as two functions instead, e.g. ``check_training(..., loss=(f_torch, f_paddle))``.)

What a rule cannot see, because it depends on the targets (chapters/losses.ipynb shows each): Paddle's
cross-entropy ``mean`` divides by all N when ``ignore_index`` is negative (the default -100) and there is
no weight; with soft labels or label smoothing it weights each sample by ``sum_c w_c q_c`` and normalizes
by their sum, where torch weights each class term and divides by N; label smoothing one-hot encodes
with the last axis's size (whatever ``axis`` says) and ignores no target.

SmoothL1Loss: the same name, two formulas. torch's ``SmoothL1Loss(beta)`` is
``0.5 r**2 / beta`` inside ``|r| < beta`` and ``|r| - 0.5 beta`` outside; Paddle's ``SmoothL1Loss(delta)``
with its default ``is_huber=True`` is the Huber loss, ``0.5 r**2`` inside and ``delta (|r| - 0.5 delta)``
outside, which is ``delta`` times torch's. The two agree only at ``beta = delta = 1`` (or with Paddle's
``is_huber=False`` and ``delta = beta``); the rule accepts exactly those. ``paddle.nn.HuberLoss`` is the same
class as Paddle's ``SmoothL1Loss``, so torch's ``HuberLoss(delta)`` pairs with it when ``is_huber=True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import torch

from book.transfer.registry import Param, TransferError, register, register_settings, require_equal


def _as_array(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value.numpy() if isinstance(value, paddle.Tensor) else value)


def same_weight(name: str, torch_value: Any, paddle_value: Any) -> list[Param]:
    """A loss's class weight: None on both sides, or equal values; listed as a torch-only buffer when present."""
    t, p = _as_array(torch_value), _as_array(paddle_value)
    if (t is None) != (p is None):
        raise TransferError(
            f"{name}: the torch loss {'has one' if t is not None else 'has none'}, "
            f"the Paddle loss {'has one' if p is not None else 'has none'}"
        )
    if t is None or p is None:
        return []
    if t.shape != p.shape or not np.array_equal(t, p):
        raise TransferError(f"{name}: torch has {t.tolist()!r}, Paddle has {p.tolist()!r}")
    return [Param(name, None, buffer=True)]


@register(torch.nn.CrossEntropyLoss, paddle.nn.CrossEntropyLoss)
def _cross_entropy(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """CrossEntropyLoss: hard labels, softmax inside, class axis 1 (see the module docstring for -1)."""
    require_equal("reduction", torch_layer.reduction, paddle_layer.reduction)
    require_equal("ignore_index", torch_layer.ignore_index, paddle_layer.ignore_index)
    require_equal("label_smoothing", float(torch_layer.label_smoothing), float(paddle_layer.label_smoothing))
    require_equal("soft_label (torch: class-index targets)", False, paddle_layer.soft_label)
    require_equal("use_softmax (torch always applies log-softmax)", True, paddle_layer.use_softmax)
    if paddle_layer.axis not in (1, -1):
        raise TransferError(
            f"axis: torch's class axis is 1, Paddle has {paddle_layer.axis}; build Paddle's loss with axis=1 "
            "(or the default -1 for (N, C) inputs, where the two coincide)"
        )
    return same_weight("weight", torch_layer.weight, paddle_layer.weight)


@register(torch.nn.NLLLoss, paddle.nn.NLLLoss)
def _nll(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """NLLLoss: class axis 1 in both frameworks; Paddle keeps its settings in underscored attributes."""
    require_equal("reduction", torch_layer.reduction, paddle_layer._reduction)
    require_equal("ignore_index", torch_layer.ignore_index, paddle_layer._ignore_index)
    return same_weight("weight", torch_layer.weight, paddle_layer._weight)


@register(torch.nn.BCELoss, paddle.nn.BCELoss)
def _bce(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """BCELoss: same reduction and the same (optional) element weight."""
    require_equal("reduction", torch_layer.reduction, paddle_layer.reduction)
    return same_weight("weight", torch_layer.weight, paddle_layer.weight)


@register(torch.nn.BCEWithLogitsLoss, paddle.nn.BCEWithLogitsLoss)
def _bce_with_logits(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """BCEWithLogitsLoss: same reduction, element weight and positive-class weight."""
    require_equal("reduction", torch_layer.reduction, paddle_layer.reduction)
    return [
        *same_weight("weight", torch_layer.weight, paddle_layer.weight),
        *same_weight("pos_weight", torch_layer.pos_weight, paddle_layer.pos_weight),
    ]


register_settings(torch.nn.MSELoss, paddle.nn.MSELoss, reduction="reduction")
register_settings(torch.nn.L1Loss, paddle.nn.L1Loss, reduction="reduction")


@register(torch.nn.SmoothL1Loss, paddle.nn.SmoothL1Loss)
def _smooth_l1(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """SmoothL1Loss: torch's ``beta`` is Paddle's ``delta`` only with ``is_huber=False``, or where both are 1."""
    require_equal("reduction", torch_layer.reduction, paddle_layer.reduction)
    if paddle_layer.is_huber:
        if not (np.isclose(torch_layer.beta, 1.0) and np.isclose(paddle_layer.delta, 1.0)):
            raise TransferError(
                f"beta (Paddle: delta): torch has {torch_layer.beta!r}, Paddle has {paddle_layer.delta!r} "
                "with is_huber=True (the Huber loss, delta times torch's); they agree only at 1: "
                "build Paddle's loss with is_huber=False and delta=beta"
            )
        return []
    require_equal("beta (Paddle: delta, is_huber=False)", float(torch_layer.beta), float(paddle_layer.delta))
    return []


@register(torch.nn.HuberLoss, paddle.nn.SmoothL1Loss)
def _huber(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """HuberLoss: Paddle's HuberLoss is its SmoothL1Loss class, with ``is_huber=True``."""
    require_equal("reduction", torch_layer.reduction, paddle_layer.reduction)
    require_equal("is_huber (torch's HuberLoss is the Huber formula)", True, paddle_layer.is_huber)
    require_equal("delta", float(torch_layer.delta), float(paddle_layer.delta))
    return []


register_settings(torch.nn.KLDivLoss, paddle.nn.KLDivLoss, reduction="reduction", log_target="log_target")
register_settings(torch.nn.MarginRankingLoss, paddle.nn.MarginRankingLoss, margin="margin", reduction="reduction")
