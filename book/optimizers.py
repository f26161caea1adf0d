"""Optimizers stated once in PyTorch's terms and built in both frameworks with the same meaning.

Each class is a frozen dataclass spelled like its torch optimizer; ``.for_torch(params)`` builds
that optimizer and ``.for_paddle(parameters)`` the Paddle one that takes the same steps.
A setting that Paddle cannot reproduce exactly raises :class:`OptimizerMappingError` when the
dataclass is made, saying what differs. Each mapping below was verified numerically against
Paddle 3.3.1 and torch 2.13 (six steps agree to a few float32 ulps; the unit tests repeat it):

=====================================  ==============================================================
torch                                   Paddle
=====================================  ==============================================================
``SGD(lr, weight_decay=wd)``            ``SGD(lr, weight_decay=wd)`` (a float is ``L2Decay(wd)``:
                                        ``grad + wd * w``, coupled, as torch)
``SGD(lr, momentum=m, nesterov=n)``     ``Momentum(lr, m, use_nesterov=n, weight_decay=wd)``:
                                        ``v = m v + g``, step ``lr v`` (``lr (g + m v)`` with Nesterov)
``SGD(..., dampening=d)``, ``m > 0``    refused: torch's ``v = m v + (1 - d) g`` has no Paddle setting
``Adam(lr, betas, eps, wd, amsgrad)``   ``Adam(lr, beta1, beta2, epsilon, weight_decay=wd, amsgrad)``
``AdamW(lr, betas, eps, wd, amsgrad)``  ``AdamW(lr, beta1, beta2, epsilon, weight_decay=wd, amsgrad)``
=====================================  ==============================================================

Semantic differences that the mapping takes care of:

- **Where epsilon sits.** torch divides by ``sqrt(v_hat) + eps`` with ``v_hat = v / (1 - beta2^t)``;
  Paddle folds the bias corrections into the learning rate and divides by
  ``sqrt(v) + eps * sqrt(1 - beta2^t)``. The two are algebraically equal, so the same ``eps`` is
  passed (checked with ``eps=0.1``, where misplacing it would change the steps by 3e-2).
- **Coupled or decoupled weight decay.** torch's ``Adam(weight_decay=wd)`` adds ``wd * w`` to the
  gradient (L2 regularisation), and so does Paddle's ``Adam(weight_decay=wd)``; ``AdamW`` in both
  shrinks the weights by ``lr * wd * w`` before the Adam step (decoupled). Mixing them up changes
  the result (by 5e-2 after six steps in the verification).
- **Which parameters decay.** torch decays every parameter it is given, biases included; so does
  Paddle's ``AdamW`` with ``apply_decay_param_fun=None`` and ``lr_ratio=None``, which is what
  :meth:`AdamW.for_paddle` passes. Excluding biases needs param groups in torch and
  ``apply_decay_param_fun`` in Paddle, which these classes do not offer.
- **A schedule or a clip.** ``for_paddle(parameters, lr=scheduler, grad_clip=clip)`` hands Paddle
  a learning-rate scheduler (:mod:`book.schedulers`) instead of ``lr`` and a ``grad_clip`` object
  (:mod:`book.clipping`), which is where Paddle takes them; torch wraps its optimizer in the
  scheduler and clips by a call before ``step()``.
- **amsgrad** (keep the running maximum of ``v``) exists in Paddle 3.3.1's ``Adam`` and ``AdamW``
  and matches torch's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

import paddle
import torch

#: What Paddle accepts as a learning rate: a float or a scheduler (:mod:`book.schedulers`).
PaddleRate = float | paddle.optimizer.lr.LRScheduler


class OptimizerMappingError(ValueError):
    """A torch optimizer setting that no Paddle optimizer reproduces exactly; the message says why."""


def _settings(optimizer: Any) -> str:
    """``Adam(lr=0.001, weight_decay=0.1)``: the name and every setting that is not the default."""
    values = {f.name: getattr(optimizer, f.name) for f in fields(optimizer) if getattr(optimizer, f.name) != f.default}
    changed = [f"{name}={value!r}" for name, value in values.items()]
    return f"{type(optimizer).__name__}({', '.join(changed)})"


def _decay(weight_decay: float) -> float | None:
    """Paddle's coupled (L2Decay) weight decay; None rather than an L2Decay(0) that adds a no-op."""
    return float(weight_decay) if weight_decay else None


@dataclass(frozen=True)
class SGD:
    """Stochastic gradient descent as ``torch.optim.SGD``; Paddle's ``SGD``, or ``Momentum`` when ``momentum > 0``.

    ``weight_decay`` is coupled in both (``grad + wd * w``). ``dampening`` with momentum raises
    :class:`OptimizerMappingError`: torch accumulates ``v = m v + (1 - dampening) g``, Paddle's
    ``Momentum`` always ``v = m v + g``, and no rescaling of the learning rate makes them equal
    (torch's first step takes ``v = g`` undamped). Without momentum torch ignores ``dampening``,
    and so does the mapping.
    """

    lr: float
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False

    def __post_init__(self) -> None:
        if self.lr < 0 or self.momentum < 0 or self.weight_decay < 0:
            raise ValueError(f"{self}: lr, momentum and weight_decay must not be negative")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(f"{self}: Nesterov momentum needs momentum > 0 and no dampening (as in torch)")
        if self.momentum > 0 and self.dampening != 0:
            raise OptimizerMappingError(
                f"{self}: Paddle's Momentum has no dampening; it accumulates v = momentum * v + grad, "
                f"while torch accumulates v = momentum * v + (1 - dampening) * grad after an undamped first "
                f"step, so no Paddle setting takes the same steps. Use dampening=0."
            )

    def __str__(self) -> str:
        return _settings(self)

    def for_torch(self, params: Iterable[torch.Tensor]) -> torch.optim.Optimizer:
        return torch.optim.SGD(
            params, lr=self.lr, momentum=self.momentum, dampening=self.dampening,
            weight_decay=self.weight_decay, nesterov=self.nesterov,
        )

    def for_paddle(
        self, parameters: Iterable[paddle.Tensor], *, lr: PaddleRate | None = None, grad_clip: Any = None
    ) -> paddle.optimizer.Optimizer:
        decay, rate = _decay(self.weight_decay), self.lr if lr is None else lr
        if self.momentum == 0:
            return paddle.optimizer.SGD(
                learning_rate=rate, parameters=list(parameters), weight_decay=decay, grad_clip=grad_clip
            )
        return paddle.optimizer.Momentum(
            learning_rate=rate, momentum=self.momentum, parameters=list(parameters),
            use_nesterov=self.nesterov, weight_decay=decay, grad_clip=grad_clip,
        )


@dataclass(frozen=True)
class _AdamSettings:
    """The settings Adam and AdamW share, their checks, and the arguments each framework spells them with."""

    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False

    def __post_init__(self) -> None:
        beta1, beta2 = self.betas
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"{self}: betas must lie in [0, 1)")
        if self.lr < 0 or self.eps < 0 or self.weight_decay < 0:
            raise ValueError(f"{self}: lr, eps and weight_decay must not be negative")

    def __str__(self) -> str:
        return _settings(self)

    def _torch_kwargs(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps, "amsgrad": self.amsgrad}

    def _paddle_kwargs(
        self, parameters: Iterable[paddle.Tensor], lr: PaddleRate | None, grad_clip: Any
    ) -> dict[str, Any]:
        beta1, beta2 = self.betas
        return {
            "learning_rate": self.lr if lr is None else lr,
            "grad_clip": grad_clip,
            "beta1": beta1,
            "beta2": beta2,
            "epsilon": self.eps,
            "parameters": list(parameters),
            "amsgrad": self.amsgrad,
        }


@dataclass(frozen=True)
class Adam(_AdamSettings):
    """Adam as ``torch.optim.Adam``; Paddle's ``Adam`` with ``beta1, beta2 = betas``, ``epsilon = eps``.

    ``weight_decay`` is coupled L2 regularisation in both (``grad + wd * w`` before the moments),
    not AdamW's decoupled decay. Paddle places epsilon as ``sqrt(v) + eps * sqrt(1 - beta2^t)``
    after folding the bias corrections into the learning rate, which equals torch's
    ``sqrt(v_hat) + eps``; the same ``eps`` is passed.
    """

    def for_torch(self, params: Iterable[torch.Tensor]) -> torch.optim.Optimizer:
        return torch.optim.Adam(params, weight_decay=self.weight_decay, **self._torch_kwargs())

    def for_paddle(
        self, parameters: Iterable[paddle.Tensor], *, lr: PaddleRate | None = None, grad_clip: Any = None
    ) -> paddle.optimizer.Optimizer:
        return paddle.optimizer.Adam(
            weight_decay=_decay(self.weight_decay), **self._paddle_kwargs(parameters, lr, grad_clip)
        )


@dataclass(frozen=True)
class AdamW(_AdamSettings):
    """AdamW as ``torch.optim.AdamW``; Paddle's ``AdamW`` (decoupled decay ``w -= lr * wd * w`` in both).

    Every parameter decays, biases and normalization weights included, as in torch without
    param groups: Paddle gets ``apply_decay_param_fun=None`` and ``lr_ratio=None``. Epsilon as
    in :class:`Adam`. The default ``weight_decay=1e-2`` is both frameworks' default.
    """

    weight_decay: float = 1e-2

    def for_torch(self, params: Iterable[torch.Tensor]) -> torch.optim.Optimizer:
        return torch.optim.AdamW(params, weight_decay=self.weight_decay, **self._torch_kwargs())

    def for_paddle(
        self, parameters: Iterable[paddle.Tensor], *, lr: PaddleRate | None = None, grad_clip: Any = None
    ) -> paddle.optimizer.Optimizer:
        return paddle.optimizer.AdamW(
            weight_decay=float(self.weight_decay),
            apply_decay_param_fun=None,
            lr_ratio=None,
            **self._paddle_kwargs(parameters, lr, grad_clip),
        )


#: Any of the optimizer mappings above.
Optimizer = SGD | Adam | AdamW
