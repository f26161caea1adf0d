"""book.curves: one column per function, values over derivatives, both frameworks drawn."""

from __future__ import annotations

import numpy as np
import paddle
import pytest
import torch
import torch.nn.functional as F

from book.curves import function_curves

pytestmark = pytest.mark.usefixtures("no_figures_left")


def test_two_rows_per_function_with_both_frameworks() -> None:
    fig = function_curves({"ReLU": (F.relu, paddle.nn.functional.relu), "tanh": (torch.tanh, paddle.tanh)})
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes] == ["ReLU", "tanh", "ReLU: derivative", "tanh: derivative"]
    relu_derivative = fig.axes[2].get_lines()
    torch_line, paddle_line = relu_derivative[0], relu_derivative[1]
    assert torch_line.get_label() == "PyTorch" and paddle_line.get_label() == "Paddle"
    xs = np.asarray(torch_line.get_xdata())
    np.testing.assert_array_equal(np.asarray(torch_line.get_ydata()), (xs > 0).astype(float))
    np.testing.assert_array_equal(np.asarray(paddle_line.get_ydata()), np.asarray(torch_line.get_ydata()))


def test_custom_grid_and_no_functions() -> None:
    fig = function_curves({"tanh": (torch.tanh, paddle.tanh)}, x=np.array([-1.0, 0.0, 1.0]))
    assert np.asarray(fig.axes[0].get_lines()[0].get_xdata()).tolist() == [-1.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="no functions"):
        function_curves({})
