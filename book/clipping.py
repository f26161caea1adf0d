"""Gradient clipping stated once in PyTorch's terms and applied in both frameworks.

torch clips by a *call* between ``backward()`` and ``optimizer.step()``::

    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)

Paddle has two spellings. The same call, ``paddle.nn.utils.clip_grad_norm_(parameters,
max_norm)`` (the formula is torch's: scale by ``max_norm / (norm + 1e-6)`` when below 1), and
its own idiom, a clip *object handed to the optimizer*, applied inside ``opt.step()``::

    paddle.optimizer.Adam(..., grad_clip=paddle.nn.ClipGradByGlobalNorm(clip_norm=max_norm))

which scales by ``max_norm / max(norm, max_norm)``: no ``1e-6``, a relative difference of
``1e-6 / norm``, far below float32 tolerance for any norm above 0.1. The trap is the name next
to it: ``paddle.nn.ClipGradByNorm`` clips *each parameter's* gradient to ``max_norm`` on its
own, which torch has no function for. Value clipping: torch ``clip_grad_value_(params, v)``,
Paddle ``clip_grad_value_(params, v)`` or ``ClipGradByValue(max=v)`` (``min`` defaults to
``-max``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import paddle
import torch


@dataclass(frozen=True)
class ClipGradNorm:
    """Scale all gradients together so that their global norm is at most ``max_norm`` (torch ``clip_grad_norm_``)."""

    max_norm: float
    norm_type: float = 2.0

    def __post_init__(self) -> None:
        if self.max_norm <= 0:
            raise ValueError(f"{self}: max_norm must be positive")

    def clip_torch(self, parameters: Iterable[torch.Tensor]) -> float:
        """Clip in place, between backward and step; returns the norm before clipping."""
        return float(torch.nn.utils.clip_grad_norm_(list(parameters), self.max_norm, norm_type=self.norm_type))

    def clip_paddle(self, parameters: Iterable[paddle.Tensor]) -> float:
        """The same call in Paddle (``paddle.nn.utils.clip_grad_norm_``); returns the norm before clipping."""
        return float(paddle.nn.utils.clip_grad_norm_(list(parameters), self.max_norm, norm_type=self.norm_type))

    def for_paddle(self) -> paddle.nn.ClipGradByGlobalNorm:
        """Paddle's idiom: the ``grad_clip=`` object of an optimizer (the 2-norm only)."""
        if self.norm_type != 2.0:
            raise ValueError(f"{self}: ClipGradByGlobalNorm computes the 2-norm only; use clip_paddle")
        return paddle.nn.ClipGradByGlobalNorm(clip_norm=self.max_norm)


@dataclass(frozen=True)
class ClipGradValue:
    """Clamp every gradient element to ``[-clip_value, clip_value]`` (torch ``clip_grad_value_``)."""

    clip_value: float

    def __post_init__(self) -> None:
        if self.clip_value <= 0:
            raise ValueError(f"{self}: clip_value must be positive")

    def clip_torch(self, parameters: Iterable[torch.Tensor]) -> None:
        torch.nn.utils.clip_grad_value_(list(parameters), self.clip_value)

    def clip_paddle(self, parameters: Iterable[paddle.Tensor]) -> None:
        paddle.nn.utils.clip_grad_value_(list(parameters), self.clip_value)

    def for_paddle(self) -> paddle.nn.ClipGradByValue:
        """Paddle's idiom: the ``grad_clip=`` object of an optimizer."""
        return paddle.nn.ClipGradByValue(max=self.clip_value)


#: Either clipping mapping.
Clip = ClipGradNorm | ClipGradValue
