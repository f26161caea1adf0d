"""book.training_curves and book.training_figures: per-step curves, their comparison and their figures."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from book.results import EquivalenceError, Tolerance
from book.training_curves import Curve, check_curves, compare_curves, first_apart, loss_differences
from book.training_figures import difference_curves, difference_grid, overlaid_curves

pytestmark = pytest.mark.usefixtures("no_figures_left")


def _curve(losses: list[float], accuracies: list[float] | None = None) -> Curve:
    curve = Curve()
    for loss, acc in zip(losses, accuracies or [0.5] * len(losses), strict=True):
        curve.record(loss, acc)
    return curve


T = _curve([2.0, 1.0, 0.5, 0.25])


def test_identical_curves_pass(capsys: pytest.CaptureFixture[str]) -> None:
    check_curves(T, _curve([2.0, 1.00005, 0.5, 0.25]), label="net")
    assert capsys.readouterr().out == (
        "PASS  net, 4 steps: loss, batch accuracy agree at every step (rtol=1e-04, atol=1e-05)\n"
    )


def test_a_loss_beyond_the_tolerance_fails_and_names_the_step(capsys: pytest.CaptureFixture[str]) -> None:
    late = _curve([2.0, 1.0, 0.5, 0.26])
    assert first_apart(T, late) == 4
    with pytest.raises(EquivalenceError):
        check_curves(T, late, label="net")
    assert capsys.readouterr().out == (
        "FAIL  net, 4 steps: loss: max |diff| 1.00e-02 (first apart at step 4) (rtol=1e-04, atol=1e-05)\n"
    )
    assert compare_curves(T, late, Tolerance(rtol=0.1)).passed


def test_accuracies_are_compared_exactly() -> None:
    other = _curve([2.0, 1.0, 0.5, 0.25], [0.5, 0.5, 0.5 + 1 / 64, 0.5])
    result = compare_curves(T, other, Tolerance(rtol=1.0))
    assert not result.passed and "batch accuracy: differs (first apart at step 3)" in result.line()
    assert first_apart(T, other) == 3
    assert first_apart(T, T) is None


def test_curves_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="4 and 3 steps"):
        compare_curves(T, _curve([2.0, 1.0, 0.5]))


def test_loss_differences_absolute_and_relative() -> None:
    other = _curve([2.0, 1.1, 0.5, 0.2])
    np.testing.assert_allclose(loss_differences(T, other), [0.0, 0.1, 0.0, 0.05], atol=1e-12)
    np.testing.assert_allclose(loss_differences(T, other, relative=True), [0.0, 0.1, 0.0, 0.2], atol=1e-12)


def test_the_figures_draw() -> None:
    other = _curve([2.0, 1.1, 0.5, 0.2])
    fig = overlaid_curves({"a": (T, other), "b": (T, T)}, steps_per_epoch=2)
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes[:2]] == ["a", "b"]
    fig = difference_curves({"a": (T, other)}, tol=Tolerance(), title="t")
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[0].lines) == 2
    fig = difference_grid({"a": (T, other), "b": (T, T)}, {"a": (T, T), "b": (T, T)}, Tolerance(), columns=3)
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["a", "b"]


def test_the_figures_refuse_nothing_to_draw() -> None:
    with pytest.raises(ValueError):
        overlaid_curves({})
    with pytest.raises(ValueError):
        difference_curves({})
    with pytest.raises(ValueError, match="no reference run for: a"):
        difference_grid({"a": (T, T)}, {}, Tolerance())
