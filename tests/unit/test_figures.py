"""book.figures: the convolution-arithmetic figure and the row of images (drawn off screen, Agg)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from book.figures import conv_arithmetic, image_row

pytestmark = pytest.mark.usefixtures("no_figures_left")


def test_the_backend_is_agg() -> None:
    assert matplotlib.get_backend().lower() == "agg"


def test_conv_arithmetic_defaults() -> None:
    fig = conv_arithmetic()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    title = fig.get_suptitle()
    assert title.startswith("kernel 3, stride 1, padding 0, dilation 1:")
    assert title.endswith("= 3")
    assert [ax.get_title() for ax in fig.axes] == ["input 5x5, padding 0", "output 3x3"]


@pytest.mark.parametrize(
    ("args", "out"),
    [
        (dict(size=5, kernel=3, stride=2, padding=1, position=(2, 2)), 3),
        (dict(size=7, kernel=3, dilation=2, position=(2, 0)), 3),
        (dict(size=4, kernel=2, stride=2), 2),
        (dict(size=3, kernel=3), 1),
    ],
)
def test_conv_arithmetic_output_size_in_the_title(args: dict, out: int) -> None:
    fig = conv_arithmetic(**args)
    assert fig.get_suptitle().endswith(f"= {out}")
    assert fig.axes[1].get_title() == f"output {out}x{out}"
    fig.canvas.draw()  # renders without error


def test_conv_arithmetic_without_output_is_an_error() -> None:
    before = plt.get_fignums()
    with pytest.raises(ValueError, match="^no output: size=2, kernel=3, padding=0, dilation=1$"):
        conv_arithmetic(size=2, kernel=3)
    assert plt.get_fignums() == before


@pytest.mark.parametrize("position", [(3, 0), (0, 3), (-1, 0)])
def test_conv_arithmetic_position_outside_the_output_is_an_error(position: tuple[int, int]) -> None:
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=r"is outside the 3x3 output$"):
        conv_arithmetic(size=5, kernel=3, position=position)
    assert plt.get_fignums() == before


def test_image_row_with_one_image() -> None:
    fig = image_row({"input": np.eye(4)})
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["input"]


def test_image_row_with_three_images() -> None:
    images: dict[str, ArrayLike] = {"input": np.eye(4), "torch": np.ones((3, 3)), "paddle": [[0.0, 1.0], [1.0, 0.0]]}
    fig = image_row(images, cmap="viridis", width=2.0)
    assert [ax.get_title() for ax in fig.axes] == ["input", "torch", "paddle"]
    assert tuple(fig.get_size_inches()) == (6.0, 2.0)
    fig.canvas.draw()


def test_image_row_without_images_is_an_error() -> None:
    with pytest.raises(ValueError, match="^no images to show$"):
        image_row({})


def test_image_row_with_a_3d_array_is_an_error_and_draws_nothing() -> None:
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=r"^rgb: expected a 2-D array, got shape \(4, 4, 3\)$"):
        image_row({"gray": np.eye(4), "rgb": np.zeros((4, 4, 3))})
    assert plt.get_fignums() == before
