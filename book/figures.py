"""Figures drawn with matplotlib for the chapters. Each function returns the Figure.

In a notebook, assign the result (``fig = conv_arithmetic(...)``) so that the inline
backend shows it once. Colours: PyTorch orange, Paddle blue, used alike in every chapter.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from numpy.typing import ArrayLike

from book.arithmetic import conv_output_size

TORCH_COLOR = "#ee4c2c"
PADDLE_COLOR = "#2932e1"
_PAD_COLOR = "#d9d9d9"
_CELL_EDGE = "#7f7f7f"
_WINDOW_COLOR = "#1b9e77"


def _grid(
    ax: Axes, rows: int, cols: int, x0: float = 0.0, y0: float = 0.0, face: str = "white", edge: str = _CELL_EDGE
) -> None:
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(Rectangle((x0 + c, y0 + rows - 1 - r), 1, 1, facecolor=face, edgecolor=edge, lw=0.8))


def conv_arithmetic(
    size: int = 5,
    kernel: int = 3,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    position: tuple[int, int] = (0, 0),
) -> Figure:
    """Draw a square input (padding shaded), the kernel's taps at one output ``position``, and the output grid.

    The output size in the title comes from :func:`book.arithmetic.conv_output_size`.
    """
    out = conv_output_size(size, kernel, stride, padding, dilation)
    if out < 1:
        raise ValueError(f"no output: size={size}, kernel={kernel}, padding={padding}, dilation={dilation}")
    row, col = position
    if not (0 <= row < out and 0 <= col < out):
        raise ValueError(f"position {position} is outside the {out}x{out} output")
    full = size + 2 * padding
    fig, (ax_in, ax_out) = plt.subplots(1, 2, figsize=(7.5, 3.6), gridspec_kw={"width_ratios": [full, max(out, 2)]})
    _grid(ax_in, full, full, face=_PAD_COLOR)
    _grid(ax_in, size, size, x0=padding, y0=padding)
    for i in range(kernel):
        for j in range(kernel):
            r, c = row * stride + i * dilation, col * stride + j * dilation
            ax_in.add_patch(
                Rectangle((c + 0.12, full - 1 - r + 0.12), 0.76, 0.76, facecolor=_WINDOW_COLOR, alpha=0.75, lw=0)
            )
    _grid(ax_out, out, out)
    ax_out.add_patch(Rectangle((col, out - 1 - row), 1, 1, facecolor=_WINDOW_COLOR, alpha=0.75, lw=0))
    for ax, n, title in (
        (ax_in, full, f"input {size}x{size}, padding {padding}"),
        (ax_out, out, f"output {out}x{out}"),
    ):
        ax.set_xlim(-0.2, max(n, 2) + 0.2)
        ax.set_ylim(-0.2, n + 0.2)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=10)
    fig.add_artist(
        FancyArrowPatch(
            (0.60, 0.5), (0.68, 0.5), transform=fig.transFigure, arrowstyle="-|>", mutation_scale=15, color="black"
        )
    )
    fig.suptitle(
        f"kernel {kernel}, stride {stride}, padding {padding}, dilation {dilation}:  "
        f"out = ⌊({size} + 2·{padding} − {dilation}·({kernel}−1) − 1) / {stride}⌋ + 1 = {out}",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def image_row(images: Mapping[str, ArrayLike], cmap: str = "gray", width: float = 3.0) -> Figure:
    """Show 2-D arrays side by side under their titles, each scaled to its own range."""
    if not images:
        raise ValueError("no images to show")
    for title, image in images.items():  # before drawing: an error must leave no half-drawn figure behind
        if np.asarray(image).ndim != 2:
            raise ValueError(f"{title}: expected a 2-D array, got shape {np.shape(image)}")
    fig, axes = plt.subplots(1, len(images), figsize=(width * len(images), width))
    for ax, (title, image) in zip(np.atleast_1d(axes), images.items(), strict=True):
        ax.imshow(image, cmap=cmap)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig
