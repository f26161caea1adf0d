"""Curves of elementwise functions and their derivatives, PyTorch and Paddle overlaid.

:func:`function_curves` draws one column per function: its values on top, its derivative (from
each framework's autograd on the CPU, via :func:`book.edges.evaluate_array`) below. PyTorch is a wide
orange line, Paddle a thin dashed blue line on top of it, so where they coincide one sees both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from book.edges import evaluate_array
from book.figures import PADDLE_COLOR, TORCH_COLOR

FunctionPair = tuple[Callable[[Any], Any], Callable[[Any], Any]]


def function_curves(
    pairs: Mapping[str, FunctionPair],
    x: np.ndarray | None = None,
    width: float = 2.4,
) -> Figure:
    """Values (top row) and derivatives (bottom row) of each named (torch_fn, paddle_fn) pair on ``x``."""
    if not pairs:
        raise ValueError("no functions to draw")
    grid = np.linspace(-6.0, 6.0, 481) if x is None else np.asarray(x, dtype=np.float32)
    fig, axes = plt.subplots(2, len(pairs), figsize=(width * len(pairs), 2 * width * 0.85), squeeze=False)
    for column, (name, (torch_fn, paddle_fn)) in enumerate(pairs.items()):
        torch_f, paddle_f, torch_df, paddle_df = evaluate_array(torch_fn, paddle_fn, grid)
        rows = (("value", torch_f, paddle_f), ("derivative", torch_df, paddle_df))
        for row, (what, torch_values, paddle_values) in enumerate(rows):
            ax = axes[row, column]
            ax.plot(grid, torch_values, color=TORCH_COLOR, lw=3.5, alpha=0.6, label="PyTorch")
            ax.plot(grid, paddle_values, color=PADDLE_COLOR, lw=1.2, ls="--", label="Paddle")
            ax.axhline(0, color="#999999", lw=0.5)
            ax.axvline(0, color="#999999", lw=0.5)
            ax.set_title(f"{name}: {what}" if row else name, fontsize=9)
            ax.tick_params(labelsize=8)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
