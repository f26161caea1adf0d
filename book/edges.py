"""Elementwise functions at their edge values: zero, the kinks, huge magnitudes, infinities and NaN.

:func:`book.equivalence.check_functions` compares with ``numpy.allclose``, for which a NaN
never agrees with anything. At the edges NaN and infinity *are* the answers, and the two
frameworks do not always give the same one. :func:`compare_edges` evaluates an elementwise
function pair at given points, in float32, with the gradient of each output with respect to its
own input, and calls two results equal when both are NaN, both are the same infinity, or they are
close (:data:`book.results.FLOAT32`).

The CPU kernels of both frameworks run a vectorised loop over blocks of elements and a scalar loop
over the rest, and at NaN and infinity the two loops do not always agree: the answer for one point
can depend on the length of the tensor it sits in and on its position. So every point is evaluated
twice, on the CPU: alone, in a tensor of length 1 (the scalar loop), and filling a tensor of length
64 (the vectorised loop). A point *agrees* when both frameworks agree at both lengths, *differs*
when they differ at both, and *depends on the length* otherwise. Every point that differs must be
stated in ``differ`` and every point that depends on the length in ``varies``, and every stated
point must really do so, so a check fails both when a new difference appears and when a stated one
disappears::

    check_edges(F.leaky_relu, PF.leaky_relu, EDGES, differ=[0.0, NAN], label="leaky_relu")
    PASS  leaky_relu at 13 edge points, lengths 1 and 64: value and grad agree except at 0, nan, as stated (...)

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

#: The tensor lengths at which each point is evaluated: alone (the kernels' scalar loop) and filling a
#: tensor long enough for their vectorised loop (a multiple of every SIMD width in use).
LENGTHS = (1, 64)


@dataclass(frozen=True)
class EdgePoint:
    """One input point and what each framework returns there: value and derivative."""

    x: float
    length: int
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
    """A short name of an input point: 0, -0, 6, 1e+30, inf, -inf, nan; 2.9999998 where ``:g`` would round."""
    if np.isnan(x):
        return "nan"
    if x == 0:
        return "-0" if np.signbit(x) else "0"
    name = f"{x:g}"
    return name if np.float32(float(name)) == np.float32(x) else str(np.float32(x))


def evaluate_array(
    torch_fn: Callable[[Any], Any], paddle_fn: Callable[[Any], Any], x: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(torch f, Paddle f, torch df, Paddle df) on the float32 array ``x`` as one tensor, both on the CPU.

    The derivative is that of ``sum(f(x))``, f'(x) at every element of an elementwise function. At
    NaN and infinity an element's answer may depend on the array's length and its position in it
    (see the module's docstring); :func:`evaluate_edges` evaluates each point on its own.
    """
    x = np.asarray(x, dtype=np.float32)
    t_x = torch.tensor(x, device="cpu", requires_grad=True)
    t_y = torch_fn(t_x)
    t_y.sum().backward()
    with paddle_on_cpu():
        p_x = paddle.to_tensor(x, stop_gradient=False)
        p_y = paddle_fn(p_x)
        p_y.sum().backward()
        p_grad = p_x.grad
        p_values = p_y.numpy()
        p_grads = p_grad.numpy() if p_grad is not None else np.zeros_like(x)
    t_grads = t_x.grad.numpy() if t_x.grad is not None else np.zeros_like(x)
    return t_y.detach().numpy(), p_values, t_grads, p_grads


def evaluate_edges(
    torch_fn: Callable[[Any], Any],
    paddle_fn: Callable[[Any], Any],
    points: Sequence[float],
    tol: Tolerance = FLOAT32,
    length: int = 1,
) -> list[EdgePoint]:
    """Both elementwise functions at each point (float32, on the CPU), with d output / d input there.

    Each point is evaluated on its own, in a tensor of ``length`` copies of it; the gradient is that
    of ``sum(f(x))``, which for an elementwise function is f'(x) at every element.
    """
    results = []
    for value in np.asarray(points, dtype=np.float32):
        answers = evaluate_array(torch_fn, paddle_fn, np.full(length, value, dtype=np.float32))
        t_f, p_f, t_df, p_df = (float(a.reshape(-1)[0]) for a in answers)
        results.append(EdgePoint(float(value), length, t_f, p_f, t_df, p_df, tol))
    return results


def _cell(value: float) -> str:
    """A value in a 10-character column; zeros of either sign print as 0 (their sign varies by kernel)."""
    return f"{0.0 if value == 0 else value:10.4g}"


def _names(values: Sequence[float]) -> list[str]:
    return [point_name(v) for v in values]


def _what(r: EdgePoint) -> str:
    return " and ".join(w for w, ok in (("value", r.value_agrees), ("grad", r.grad_agrees)) if not ok)


def _describe(r: EdgePoint) -> str:
    return (
        f"length {r.length}: torch f={r.torch_value:.4g}, df={r.torch_grad:.4g}; "
        f"Paddle f={r.paddle_value:.4g}, df={r.paddle_grad:.4g}"
    )


def compare_edges(
    torch_fn: Callable[[Any], Any],
    paddle_fn: Callable[[Any], Any],
    points: Sequence[float] = EDGES,
    *,
    differ: Sequence[float] = (),
    varies: Sequence[float] = (),
    label: str = "function",
    tol: Tolerance = FLOAT32,
) -> tuple[bool, str]:
    """Evaluate at ``points`` at each of :data:`LENGTHS`; return (passed, the one-line verdict), see
    :func:`check_edges`."""
    stated = {"differ": set(_names(differ)), "varies": set(_names(varies))}
    unknown = (stated["differ"] | stated["varies"]) - set(_names(points))
    if unknown:
        raise ValueError(f"differ or varies names points that are not evaluated: {sorted(unknown)}")
    if stated["differ"] & stated["varies"]:
        raise ValueError(f"points stated both to differ and to vary: {sorted(stated['differ'] & stated['varies'])}")
    by_length = [evaluate_edges(torch_fn, paddle_fn, points, tol, n) for n in LENGTHS]
    found: dict[str, list[str]] = {"differ": [], "varies": []}
    rows: dict[str, list[EdgePoint]] = {}
    for at_lengths in zip(*by_length, strict=True):
        name = point_name(at_lengths[0].x)
        agreeing = [r.agrees for r in at_lengths]
        if all(agreeing):
            continue
        found["differ" if not any(agreeing) else "varies"].append(name)
        rows[name] = [r for r in at_lengths if not r.agrees]
    lengths = " and ".join(str(n) for n in LENGTHS)
    head = f"{label} at {len(points)} edge points, lengths {lengths}"
    if all(set(found[k]) == stated[k] for k in found):
        parts = []
        if found["differ"]:
            parts.append(f" except at {', '.join(found['differ'])}, as stated")
        if found["varies"]:
            parts.append(f"; the length decides at {', '.join(found['varies'])}, as stated")
        return True, f"PASS  {head}: value and grad agree{''.join(parts)} ({tol})"
    problems = []
    for kind, verb in (("differ", "differ"), ("varies", "depend on the length")):
        for name in found[kind]:
            if name not in stated[kind]:
                r = rows[name][0]
                what = _what(r)
                said = verb if " and " in what else verb.replace("differ", "differs").replace("depend ", "depends ")
                problems.append(f"{what} {said} at {name} ({_describe(r)})")
        for name in sorted(stated[kind] - set(found[kind])):
            problems.append(f"at {name}, stated to {verb}, they do not")
    return False, f"FAIL  {head}: {'; '.join(problems)} ({tol})"


def check_edges(
    torch_fn: Callable[[Any], Any],
    paddle_fn: Callable[[Any], Any],
    points: Sequence[float] = EDGES,
    **options: Any,
) -> None:
    """Both frameworks agree (value and derivative) at every point except exactly those in ``differ``.

    Each point is evaluated alone and filling a tensor of length 64 (:data:`LENGTHS`), on the CPU.
    Prints one PASS or FAIL line; raises :class:`book.results.EquivalenceError` on a failure.
    Options: ``differ`` (points where the frameworks differ at every length), ``varies`` (points
    where they agree at one length and differ at the other), ``label``, ``tol``.
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
    """A text table of x, the tensor length, each framework's value and derivative, and a mark where they differ.

    Each point gets one row per length of :data:`LENGTHS`, or, with ``only_differences``, one row
    per length at which the frameworks differ there.
    """
    rows = [f"{'x':>7} {'len':>3} {'torch f':>10} {'Paddle f':>10} {'torch df':>10} {'Paddle df':>10}"]
    by_length = [evaluate_edges(torch_fn, paddle_fn, points, length=n) for n in LENGTHS]
    for at_lengths in zip(*by_length, strict=True):
        for r in at_lengths:
            if only_differences and r.agrees:
                continue
            cells = [_cell(v) for v in (r.torch_value, r.paddle_value, r.torch_grad, r.paddle_grad)]
            mark = "" if r.agrees else "  <- " + _what(r)
            rows.append(f"{point_name(r.x):>7} {r.length:>3} {' '.join(cells)}{mark}")
    return "\n".join(rows)
