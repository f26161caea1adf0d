"""Elementwise functions at their edge values: zero, the kinks, huge magnitudes, infinities and NaN.

:func:`book.equivalence.check_functions` compares with ``numpy.allclose``, for which a NaN
never agrees with anything. At the edges NaN and infinity *are* the answers, and the two
frameworks do not always give the same one. :func:`compare_edges` evaluates an elementwise
function pair at given points, in float32, with the gradient of each output with respect to its
own input, and calls two results equal when both are NaN, both are the same infinity, or they are
close (:data:`book.results.FLOAT32`). Every point where the frameworks differ must be stated in
``differ``, and every stated point must really differ, so a check fails both when a new
difference appears and when a stated one disappears::

    check_edges(F.leaky_relu, PF.leaky_relu, EDGES, differ=[0.0, NAN], label="leaky_relu")
    PASS  leaky_relu at 13 edge points: value and grad agree except at 0, nan, as stated (rtol=1e-04, atol=1e-05)

:func:`edge_table` prints both frameworks' values and gradients side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import paddle
import torch

from book.environment import paddle_on_cpu
from book.results import FLOAT32, EquivalenceError, Tolerance

NAN = float("nan")
INF = float("inf")

#: Edge values for every activation: zero of both signs, moderate and large magnitudes of both signs,
#: magnitudes at which ``exp`` overflows in float32 (above 88.7), the largest float32, and inf/NaN.
EDGES = (0.0, -0.0, 1.0, -1.0, 30.0, -30.0, 100.0, -100.0, 1e30, -1e30, INF, -INF, NAN)


@dataclass(frozen=True)
class EdgePoint:
    """One input point and what each framework returns there: value and derivative."""

    x: float
    torch_value: float
    paddle_value: float
    torch_grad: float
    paddle_grad: float
    tol: Tolerance = FLOAT32

    @property
    def value_agrees(self) -> bool:
        return same_number(self.torch_value, self.paddle_value, self.tol)

    @property
    def grad_agrees(self) -> bool:
        return same_number(self.torch_grad, self.paddle_grad, self.tol)

    @property
    def agrees(self) -> bool:
        return self.value_agrees and self.grad_agrees


def same_number(a: float, b: float, tol: Tolerance = FLOAT32) -> bool:
    """Both NaN, the same infinity, or finite and within ``tol`` of each other (``b`` against ``a``)."""
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    if np.isinf(a) or np.isinf(b):
        return a == b
    return bool(abs(b - a) <= tol.atol + tol.rtol * abs(a))


def point_name(x: float) -> str:
    """A short name of an input point: 0, -0, 6, 1e+30, inf, -inf, nan."""
    if np.isnan(x):
        return "nan"
    if x == 0:
        return "-0" if np.signbit(x) else "0"
    return f"{x:g}"


def evaluate_edges(
    torch_fn: Callable[[Any], Any],
    paddle_fn: Callable[[Any], Any],
    points: Sequence[float],
    tol: Tolerance = FLOAT32,
) -> list[EdgePoint]:
    """Run both elementwise functions on ``points`` (float32, on the CPU), with d output / d input at each.

    The gradient is that of ``sum(f(x))``, which for an elementwise function is f'(x) at every point.
    """
    x = np.asarray(points, dtype=np.float32)
    t_x = torch.tensor(x, requires_grad=True)
    t_y = torch_fn(t_x)
    t_y.sum().backward()
    with paddle_on_cpu():
        p_x = paddle.to_tensor(x, stop_gradient=False)
        p_y = paddle_fn(p_x)
        p_y.sum().backward()
        p_grad = p_x.grad
        p_values = p_y.numpy()
        p_grads = p_grad.numpy() if p_grad is not None else np.zeros_like(x)
    t_values = t_y.detach().numpy()
    t_grads = t_x.grad.numpy() if t_x.grad is not None else np.zeros_like(x)
    return [
        EdgePoint(float(x[i]), float(t_values[i]), float(p_values[i]), float(t_grads[i]), float(p_grads[i]), tol)
        for i in range(len(x))
    ]


def _cell(value: float) -> str:
    """A value in a 10-character column; zeros of either sign print as 0 (their sign varies by kernel)."""
    return f"{0.0 if value == 0 else value:10.4g}"


def _names(values: Sequence[float]) -> list[str]:
    return [point_name(v) for v in values]


def compare_edges(
    torch_fn: Callable[[Any], Any],
    paddle_fn: Callable[[Any], Any],
    points: Sequence[float] = EDGES,
    *,
    differ: Sequence[float] = (),
    label: str = "function",
    tol: Tolerance = FLOAT32,
) -> tuple[bool, str]:
    """Evaluate at ``points``; return (passed, the one-line verdict), see :func:`check_edges`."""
    stated = set(_names(differ))
    unknown = stated - set(_names(points))
    if unknown:
        raise ValueError(f"differ names points that are not evaluated: {sorted(unknown)}")
    results = evaluate_edges(torch_fn, paddle_fn, points, tol)
    found = {point_name(r.x) for r in results if not r.agrees}
    head = f"{label} at {len(results)} edge points"
    if found == stated:
        differing = ", ".join(_names([r.x for r in results if not r.agrees]))
        exception = f" except at {differing}, as stated" if found else ""
        return True, f"PASS  {head}: value and grad agree{exception} ({tol})"
    problems = []
    for r in results:
        name = point_name(r.x)
        if name in found - stated:
            what = [w for w, ok in (("value", r.value_agrees), ("grad", r.grad_agrees)) if not ok]
            verb = "differ" if len(what) > 1 else "differs"
            problems.append(
                f"{' and '.join(what)} {verb} at {name} (torch f={r.torch_value:.4g}, df={r.torch_grad:.4g}; "
                f"Paddle f={r.paddle_value:.4g}, df={r.paddle_grad:.4g})"
            )
        elif name in stated - found:
            problems.append(f"agree at {name}, stated to differ")
    return False, f"FAIL  {head}: {'; '.join(problems)} ({tol})"


def check_edges(
    torch_fn: Callable[[Any], Any],
    paddle_fn: Callable[[Any], Any],
    points: Sequence[float] = EDGES,
    **options: Any,
) -> None:
    """Both frameworks agree (value and derivative) at every point except exactly those in ``differ``.

    Prints one PASS or FAIL line; raises :class:`book.results.EquivalenceError` on a failure.
    Options: ``differ`` (points where the frameworks are stated to differ), ``label``, ``tol``.
    """
    passed, line = compare_edges(torch_fn, paddle_fn, points, **options)
    print(line)
    if not passed:
        raise EquivalenceError(line)


def edge_table(
    torch_fn: Callable[[Any], Any],
    paddle_fn: Callable[[Any], Any],
    points: Sequence[float] = EDGES,
    only_differences: bool = False,
) -> str:
    """A text table of x, each framework's value and derivative, and a mark where they differ."""
    rows = [f"{'x':>7} {'torch f':>10} {'Paddle f':>10} {'torch df':>10} {'Paddle df':>10}"]
    for r in evaluate_edges(torch_fn, paddle_fn, points):
        if only_differences and r.agrees:
            continue
        cells = [_cell(v) for v in (r.torch_value, r.paddle_value, r.torch_grad, r.paddle_grad)]
        mark = (
            ""
            if r.agrees
            else "  <- " + " and ".join(w for w, ok in (("value", r.value_agrees), ("grad", r.grad_agrees)) if not ok)
        )
        rows.append(f"{point_name(r.x):>7} {' '.join(cells)}{mark}")
    return "\n".join(rows)
