"""Training curves of a model pair: record them, compare them step by step, find where they part.

A chapter trains a torch model and its Paddle port with its own training loops (the code a
reader ports) and records each step's loss and batch accuracy in a :class:`Curve`::

    curve = Curve()
    for x, y in batches:
        ...
        curve.record(loss.item(), (out.argmax(1) == y).float().mean().item())

then compares the two curves with :func:`check_curves` (prints a PASS or FAIL line) or
:func:`compare_curves` (returns the result), and asks :func:`first_apart` for the first step
where they differ. The figures are in :mod:`book.training_figures`.

The losses are compared within a :class:`book.results.Tolerance`; the batch accuracies exactly,
since one prediction that flips changes them by ``1 / batch_size``, far beyond any rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from book.results import FLOAT32, CheckResult, Comparison, Tolerance, max_abs_diff, report


@dataclass
class Curve:
    """The loss and the batch accuracy of every training step, in order."""

    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)

    def record(self, loss: float, accuracy: float) -> None:
        self.losses.append(float(loss))
        self.accuracies.append(float(accuracy))

    def __len__(self) -> int:
        return len(self.losses)


def loss_differences(torch_curve: Curve, paddle_curve: Curve, relative: bool = False) -> np.ndarray:
    """``|paddle loss - torch loss|`` at every step (float64), over the steps both curves have.

    ``relative=True`` divides by ``|torch loss|``: the quantity a ``rtol`` bounds.
    """
    n = min(len(torch_curve), len(paddle_curve))
    t_loss = np.array(torch_curve.losses[:n], np.float64)
    diff = np.abs(np.array(paddle_curve.losses[:n], np.float64) - t_loss)
    return diff / np.abs(t_loss) if relative else diff


def first_apart(torch_curve: Curve, paddle_curve: Curve, tol: Tolerance = FLOAT32) -> int | None:
    """The first step (1, 2, ...) whose loss differs beyond ``tol`` or whose accuracy differs; None if none."""
    n = min(len(torch_curve), len(paddle_curve))
    t_loss, p_loss = np.array(torch_curve.losses[:n]), np.array(paddle_curve.losses[:n])
    apart = ~np.isclose(p_loss, t_loss, rtol=tol.rtol, atol=tol.atol)
    apart |= np.array(torch_curve.accuracies[:n]) != np.array(paddle_curve.accuracies[:n])
    return int(np.argmax(apart)) + 1 if apart.any() else None


def compare_curves(
    torch_curve: Curve, paddle_curve: Curve, tol: Tolerance = FLOAT32, label: str = "training curves"
) -> CheckResult:
    """Compare two curves step by step (see :func:`check_curves`); returns the result."""
    if not len(torch_curve) or len(torch_curve) != len(paddle_curve):
        raise ValueError(f"{label}: curves of {len(torch_curve)} and {len(paddle_curve)} steps")
    step = first_apart(torch_curve, paddle_curve, tol)
    t_loss, p_loss = np.array(torch_curve.losses), np.array(paddle_curve.losses)
    loss_ok = bool(np.allclose(p_loss, t_loss, rtol=tol.rtol, atol=tol.atol))
    acc_ok = torch_curve.accuracies == paddle_curve.accuracies
    where = "" if step is None else f" (first apart at step {step})"
    comparisons = [
        Comparison("loss", loss_ok, "" if loss_ok else f"max |diff| {max_abs_diff(t_loss, p_loss):.2e}{where}"),
        Comparison("batch accuracy", acc_ok, "" if acc_ok else f"differs{where}"),
    ]
    return CheckResult(f"{label}, {len(torch_curve)} steps", [], tol, comparisons, steps=len(torch_curve))


def check_curves(
    torch_curve: Curve, paddle_curve: Curve, tol: Tolerance = FLOAT32, label: str = "training curves"
) -> None:
    """Compare the loss of every step within ``tol`` and the batch accuracy of every step exactly.

    Prints one line, ``PASS  CNN, 110 steps: loss, batch accuracy agree at every step (...)``,
    or a FAIL line naming the largest loss difference and the first step where the curves part,
    and then raises :class:`book.results.EquivalenceError`.
    """
    report(compare_curves(torch_curve, paddle_curve, tol, label))
