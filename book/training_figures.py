"""Figures of training curves side by side (:mod:`book.training_curves`). Each function returns the Figure.

PyTorch orange, Paddle blue, as everywhere in the book (:mod:`book.figures`). The difference
figures plot the *relative* loss difference ``|Paddle - PyTorch| / |PyTorch|`` per step on a
log scale, the quantity that a tolerance's ``rtol`` bounds; the allowed band of a
:class:`book.results.Tolerance` is then ``rtol + atol / |PyTorch loss|`` at each step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from book.figures import PADDLE_COLOR, TORCH_COLOR
from book.results import Tolerance
from book.training_curves import Curve, loss_differences

#: Plotted in place of an exact zero difference on a log axis.
_FLOOR = 1e-9
_REFERENCE_COLOR = "#9a9a9a"


def overlaid_curves(pairs: Mapping[str, tuple[Curve, Curve]], steps_per_epoch: int | None = None) -> Figure:
    """One column per model: the loss (top) and batch accuracy (bottom) of both frameworks, overlaid.

    PyTorch is drawn as a wide pale line and Paddle as a thin dark one on top, so that two
    curves that coincide still show as two. Dotted verticals mark epochs when given.
    """
    if not pairs:
        raise ValueError("no curves to draw")
    fig, axes = plt.subplots(2, len(pairs), figsize=(4.6 * len(pairs), 5.0), squeeze=False, sharex="col")
    for col, (title, (t_curve, p_curve)) in enumerate(pairs.items()):
        for row, (name, values) in enumerate(
            (("loss", (t_curve.losses, p_curve.losses)), ("batch accuracy", (t_curve.accuracies, p_curve.accuracies)))
        ):
            ax = axes[row, col]
            steps = np.arange(1, len(values[0]) + 1)
            ax.plot(steps, values[0], color=TORCH_COLOR, lw=4, alpha=0.45, label="PyTorch")
            ax.plot(np.arange(1, len(values[1]) + 1), values[1], color=PADDLE_COLOR, lw=1, label="Paddle")
            if steps_per_epoch:
                for edge in range(steps_per_epoch, len(steps), steps_per_epoch):
                    ax.axvline(edge + 0.5, color="#999999", lw=0.6, ls=":")
            ax.set_ylabel(name)
            if row == 0:
                ax.set_title(title, fontsize=10)
                ax.legend(frameon=False, fontsize=8)
            else:
                ax.set_xlabel("training step")
    fig.tight_layout()
    return fig


def _relative(t_curve: Curve, p_curve: Curve) -> np.ndarray:
    return np.maximum(loss_differences(t_curve, p_curve, relative=True), _FLOOR)


def _allowed(ax: Axes, t_curve: Curve, tol: Tolerance) -> None:
    allowed = tol.rtol + tol.atol / np.abs(np.array(t_curve.losses, np.float64))
    ax.semilogy(np.arange(1, len(allowed) + 1), allowed, color="black", lw=0.8, ls="--", label=f"allowed ({tol})")


def _log_axis(ax: Axes) -> None:
    ax.set_ylim(_FLOOR / 2, 30)
    ax.set_xlabel("training step")


def difference_curves(runs: Mapping[str, tuple[Curve, Curve]], tol: Tolerance | None = None, title: str = "") -> Figure:
    """The relative loss difference per step, one line per run, on one log axis.

    A difference of exactly 0 is drawn at 1e-9, the bottom of the axis. With ``tol`` the
    band allowed for the first run is drawn dashed.
    """
    if not runs:
        raise ValueError("no runs to draw")
    fig, ax = plt.subplots(figsize=(8.0, 3.6))
    for k, (label, (t_curve, p_curve)) in enumerate(runs.items()):
        diff = _relative(t_curve, p_curve)
        ax.semilogy(np.arange(1, len(diff) + 1), diff, color=plt.get_cmap("tab10")(k % 10), lw=1.2, label=label)
    if tol is not None:
        _allowed(ax, next(iter(runs.values()))[0], tol)
    _log_axis(ax)
    ax.set_ylabel("|relative loss difference|")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def difference_grid(
    runs: Mapping[str, tuple[Curve, Curve]],
    references: Mapping[str, tuple[Curve, Curve]],
    tol: Tolerance,
    columns: int = 3,
) -> Figure:
    """One small panel per run: its relative loss difference per step, over its reference run's in grey.

    ``references`` holds the reference pair of each run, under the run's name. Each panel
    also draws the band ``tol`` allows, dashed.
    """
    if not runs:
        raise ValueError("no runs to draw")
    missing = [name for name in runs if name not in references]
    if missing:
        raise ValueError(f"no reference run for: {', '.join(missing)}")
    rows = math.ceil(len(runs) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.3 * columns, 2.5 * rows), squeeze=False, sharey=True)
    for ax, (name, (t_curve, p_curve)) in zip(axes.flat, runs.items(), strict=False):
        t_ref, p_ref = references[name]
        reference, wrong = _relative(t_ref, p_ref), _relative(t_curve, p_curve)
        ax.semilogy(np.arange(1, len(reference) + 1), reference, color=_REFERENCE_COLOR, lw=1.0, label="reference")
        ax.semilogy(np.arange(1, len(wrong) + 1), wrong, color=PADDLE_COLOR, lw=1.2, label="this factor wrong")
        _allowed(ax, t_curve, tol)
        _log_axis(ax)
        ax.set_title(name, fontsize=9)
    for ax in axes.flat[len(runs) :]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("relative difference")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
