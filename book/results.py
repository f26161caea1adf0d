"""The verdict of a side-by-side check: tolerances, compared quantities and the one-line report.

Every check in :mod:`book.equivalence`, :mod:`book.training` and :mod:`book.stochastic`
collects :class:`Comparison` objects in a :class:`CheckResult` and prints its
:meth:`CheckResult.line`::

    PASS  Conv2d vs Conv2D: output (2, 8, 5, 5), grad input, grad weight, grad bias agree (rtol=1e-04, atol=1e-05)

A failing check prints a FAIL line and raises :class:`EquivalenceError` (see :func:`report`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    """Elementwise ``|paddle - torch| <= atol + rtol * |torch|`` (numpy.allclose)."""

    rtol: float = 1e-4
    atol: float = 1e-5

    def __str__(self) -> str:
        return f"rtol={_sci(self.rtol)}, atol={_sci(self.atol)}"


def _sci(value: float) -> str:
    """Shortest exact scientific form: 1e-04, 1.5e-04."""
    return np.format_float_scientific(value, trim="-", exp_digits=2)


#: The book's tolerance for float32 results, stated in the intro's conventions.
FLOAT32 = Tolerance()


class EquivalenceError(AssertionError):
    """The two frameworks disagree; the message says where and by how much."""


#: Kinds of compared quantity; a long PASS line counts parameters and buffers instead of naming them.
KINDS = ("output", "loss", "grad input", "grad param", "param", "buffer", "statistic")


@dataclass(frozen=True)
class Comparison:
    """One compared quantity: an output, a loss, a gradient, a parameter or a buffer."""

    what: str
    ok: bool
    detail: str = ""
    step: int | None = None  # the training step (1, 2, ...) of a multi-step check
    kind: str = ""  # one of KINDS, or "" (then the name is always spelled out)


#: More distinct names than this and the PASS line counts parameter gradients, parameters and buffers.
MAX_NAMES = 12


@dataclass
class CheckResult:
    """All comparisons of one check, and the line that reports them.

    A multi-step check (:func:`book.training.check_training`) also stores the loss of every
    step in each framework in ``losses``: ``(torch_losses, paddle_losses)``, for plotting.
    """

    label: str
    output_shapes: list[tuple[int, ...]]
    tolerance: Tolerance
    comparisons: list[Comparison] = field(default_factory=list)
    steps: int = 1
    skipped: tuple[str, ...] = ()
    losses: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))

    @property
    def passed(self) -> bool:
        return bool(self.comparisons) and all(c.ok for c in self.comparisons)

    def line(self) -> str:
        skipped = f"; not compared: {', '.join(self.skipped)}" if self.skipped else ""
        if self.passed:
            every = " at every step" if self.steps > 1 else ""
            return f"PASS  {self.label}: {', '.join(self._compared())} agree{every} ({self.tolerance}){skipped}"
        failed = "; ".join(
            f"{'' if c.step is None else f'step {c.step}, '}{c.what}: {c.detail}" for c in self.comparisons if not c.ok
        )
        return f"FAIL  {self.label}: {failed or 'nothing compared'} ({self.tolerance}){skipped}"

    def _compared(self) -> list[str]:
        """What was compared, each name once and in order (steps repeat them); counted when there are many."""
        named = [c for c in self.comparisons if not c.what.startswith("output")]
        names = list(dict.fromkeys(c.what for c in named))
        if len(names) > MAX_NAMES:
            names = []
            for kind in dict.fromkeys(c.kind for c in named):
                group = list(dict.fromkeys(c.what for c in named if c.kind == kind))
                if kind in ("grad param", "param", "buffer"):
                    noun = {"grad param": "parameter gradients", "param": "parameters", "buffer": "buffers"}[kind]
                    names.append(f"{len(group)} {noun}" if len(group) > 1 else group[0])
                else:
                    names += group
        if self.output_shapes:
            names.insert(0, "output " + ", ".join(str(s) for s in self.output_shapes))
        return names


def compare_arrays(
    what: str, torch_value: np.ndarray, paddle_value: np.ndarray, tol: Tolerance, kind: str = ""
) -> Comparison:
    """Compare two arrays: shapes first, integers exactly, floats (and complex) within ``tol``."""
    if torch_value.shape != paddle_value.shape:
        return Comparison(what, False, f"shape {torch_value.shape} vs {paddle_value.shape}", kind=kind)
    if not (np.issubdtype(torch_value.dtype, np.inexact) or np.issubdtype(paddle_value.dtype, np.inexact)):
        equal = np.array_equal(torch_value, paddle_value)
        return Comparison(what, bool(equal), "" if equal else "integer values differ", kind=kind)
    if np.allclose(paddle_value, torch_value, rtol=tol.rtol, atol=tol.atol):
        return Comparison(what, True, kind=kind)
    return Comparison(what, False, f"max |diff| {max_abs_diff(torch_value, paddle_value):.2e}", kind=kind)


def max_abs_diff(torch_value: np.ndarray, paddle_value: np.ndarray) -> float:
    """The largest elementwise ``|paddle - torch|``, computed in float64 (or complex128)."""
    wide = np.result_type(paddle_value, np.float64)
    return float(np.max(np.abs(paddle_value.astype(wide) - torch_value), initial=0.0))


def report(result: CheckResult) -> None:
    """Print the result's line; raise :class:`EquivalenceError` with the same line if it failed."""
    print(result.line())
    if not result.passed:
        raise EquivalenceError(result.line())
