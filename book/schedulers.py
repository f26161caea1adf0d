"""Learning-rate schedules stated once in PyTorch's terms and built in both frameworks.

The two frameworks attach a schedule differently:

- **torch** builds the optimizer with a float ``lr``, then wraps the *optimizer* in a scheduler:
  ``sched = torch.optim.lr_scheduler.StepLR(opt, step_size, gamma)``; ``sched.step()`` writes the
  new rate into ``opt.param_groups``; ``sched.get_last_lr()`` is a list, one rate per group.
- **Paddle** builds the scheduler first, from the base rate, and hands the *scheduler* to the
  optimizer as its learning rate: ``sched = paddle.optimizer.lr.StepDecay(lr, step_size, gamma)``,
  ``opt = paddle.optimizer.Adam(learning_rate=sched, ...)``; ``sched.step()`` advances it and
  ``opt.get_lr()`` (or ``sched.last_lr``) is a float. An optimizer given a float instead keeps
  that rate whatever the scheduler does.

Paddle's three decays refuse a ``gamma`` that torch accepts: ``StepDecay`` and ``MultiStepDecay``
raise ``ValueError`` for ``gamma >= 1`` (0 and negative values pass), ``ExponentialDecay`` raises
``AssertionError`` outside ``(0, 1)``; the mappings raise :class:`ScheduleMappingError` for the
same values when made. Both are stepped by the caller, once per epoch for these schedules (after the epoch's
optimizer steps). Each class below is a frozen dataclass spelled like its torch scheduler;
``.for_torch(optimizer)`` and ``.for_paddle(lr)`` build the two, and the rates agree to float64
rounding (verified over 20 steps in the unit tests and by :func:`check_schedule`):

==========================================  ================================================
torch ``torch.optim.lr_scheduler``           Paddle ``paddle.optimizer.lr``
==========================================  ================================================
``StepLR(opt, step_size, gamma=0.1)``        ``StepDecay(lr, step_size, gamma=0.1)``
``MultiStepLR(opt, milestones, gamma=0.1)``  ``MultiStepDecay(lr, milestones, gamma=0.1)``
``ExponentialLR(opt, gamma)``                ``ExponentialDecay(lr, gamma)``
``CosineAnnealingLR(opt, T_max, eta_min=0)`` ``CosineAnnealingDecay(lr, T_max, eta_min=0)``
==========================================  ================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import paddle
import torch

from book.results import CheckResult, Comparison, Tolerance, max_abs_diff, report


class ScheduleMappingError(ValueError):
    """A torch schedule setting that Paddle's scheduler refuses; the message says which."""


def _decaying(schedule: object, gamma: float, paddle_name: str, *, positive: bool = False) -> None:
    """Refuse the ``gamma`` Paddle refuses: ``gamma >= 1``, and with ``positive`` also ``gamma <= 0``.

    StepDecay and MultiStepDecay raise ``ValueError`` for ``gamma >= 1`` only; ExponentialDecay
    asserts ``0 < gamma < 1``. torch takes any gamma.
    """
    if gamma >= 1.0 or (positive and gamma <= 0.0):
        allowed = "0 < gamma < 1" if positive else "gamma < 1"
        raise ScheduleMappingError(
            f"{schedule}: Paddle's {paddle_name} takes {allowed} only (torch takes any gamma, "
            f"a constant or growing rate included)"
        )


#: Both frameworks compute the rates in Python floats (float64): they agree to a few ulps.
FLOAT64 = Tolerance(rtol=1e-12, atol=0.0)


@dataclass(frozen=True)
class StepLR:
    """Multiply the rate by ``gamma`` every ``step_size`` scheduler steps (torch ``StepLR``, Paddle ``StepDecay``)."""

    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        _decaying(self, self.gamma, "StepDecay")

    def for_torch(self, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=self.step_size, gamma=self.gamma)

    def for_paddle(self, lr: float) -> paddle.optimizer.lr.LRScheduler:
        return paddle.optimizer.lr.StepDecay(learning_rate=lr, step_size=self.step_size, gamma=self.gamma)


@dataclass(frozen=True)
class MultiStepLR:
    """Multiply the rate by ``gamma`` at each milestone (torch ``MultiStepLR``, Paddle ``MultiStepDecay``)."""

    milestones: tuple[int, ...]
    gamma: float = 0.1

    def __post_init__(self) -> None:
        _decaying(self, self.gamma, "MultiStepDecay")

    def for_torch(self, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
        return torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=list(self.milestones), gamma=self.gamma)

    def for_paddle(self, lr: float) -> paddle.optimizer.lr.LRScheduler:
        return paddle.optimizer.lr.MultiStepDecay(learning_rate=lr, milestones=list(self.milestones), gamma=self.gamma)


@dataclass(frozen=True)
class ExponentialLR:
    """Multiply the rate by ``gamma`` at every scheduler step (torch ``ExponentialLR``, Paddle ``ExponentialDecay``)."""

    gamma: float

    def __post_init__(self) -> None:
        _decaying(self, self.gamma, "ExponentialDecay", positive=True)

    def for_torch(self, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=self.gamma)

    def for_paddle(self, lr: float) -> paddle.optimizer.lr.LRScheduler:
        return paddle.optimizer.lr.ExponentialDecay(learning_rate=lr, gamma=self.gamma)


@dataclass(frozen=True)
class CosineAnnealingLR:
    """Half a cosine from the base rate down to ``eta_min`` over ``T_max`` steps, then back up.

    torch ``CosineAnnealingLR`` and Paddle ``CosineAnnealingDecay`` use the same recursive form.
    """

    T_max: int  # noqa: N815  (torch's and Paddle's spelling)
    eta_min: float = 0.0

    def for_torch(self, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.T_max, eta_min=self.eta_min)

    def for_paddle(self, lr: float) -> paddle.optimizer.lr.LRScheduler:
        return paddle.optimizer.lr.CosineAnnealingDecay(learning_rate=lr, T_max=self.T_max, eta_min=self.eta_min)


#: Any of the schedule mappings above.
Schedule = StepLR | MultiStepLR | ExponentialLR | CosineAnnealingLR


def learning_rates(schedule: Schedule, lr: float, steps: int) -> tuple[list[float], list[float]]:
    """The rate before each of ``steps`` scheduler steps, read the way each framework's optimizer sees it.

    torch's is read from the optimizer's param group (``get_last_lr()[0]``), Paddle's from an
    optimizer built with the scheduler as its learning rate (``opt.get_lr()``).
    """
    t_param = torch.nn.Parameter(torch.zeros(1))
    t_opt = torch.optim.SGD([t_param], lr=lr)
    t_sched = schedule.for_torch(t_opt)
    p_sched = schedule.for_paddle(lr)
    p_param = paddle.create_parameter([1], "float32")
    p_opt = paddle.optimizer.SGD(learning_rate=p_sched, parameters=[p_param])
    t_rates, p_rates = [], []
    for _ in range(steps):
        t_rates.append(float(t_sched.get_last_lr()[0]))
        p_rates.append(float(p_opt.get_lr()))
        t_opt.step()  # torch warns when the scheduler steps before the optimizer
        t_sched.step()
        p_sched.step()
    return t_rates, p_rates


def compare_schedule(schedule: Schedule, lr: float, steps: int, tol: Tolerance = FLOAT64) -> CheckResult:
    """Compare the rates of ``steps`` scheduler steps (see :func:`check_schedule`); returns the result."""
    t_rates, p_rates = learning_rates(schedule, lr, steps)
    t, p = np.array(t_rates), np.array(p_rates)
    ok = bool(np.allclose(p, t, rtol=tol.rtol, atol=tol.atol))
    detail = "" if ok else f"max |diff| {max_abs_diff(t, p):.2e} (first at step {_first_apart(t, p, tol)})"
    return CheckResult(
        f"{schedule} from lr={lr:g}, {steps} scheduler steps",
        [],
        tol,
        [Comparison("learning rate", ok, detail)],
        steps=steps,
    )


def _first_apart(t: np.ndarray, p: np.ndarray, tol: Tolerance) -> int:
    return int(np.argmax(~np.isclose(p, t, rtol=tol.rtol, atol=tol.atol))) + 1


def check_schedule(schedule: Schedule, lr: float, steps: int, tol: Tolerance = FLOAT64) -> None:
    """Build the schedule in both frameworks and compare the learning rate before each of ``steps`` steps.

    Prints ``PASS  StepLR(step_size=2, gamma=0.5) from lr=0.01, 6 scheduler steps: learning rate
    agree at every step (...)``; raises :class:`book.results.EquivalenceError` on a mismatch.
    """
    report(compare_schedule(schedule, lr, steps, tol))
