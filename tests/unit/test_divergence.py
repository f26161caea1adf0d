"""book.divergence: the first submodule whose output differs, named exactly (not its parent, not later layers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch
from model_pairs import CNN_INPUT, paddle_cnn, torch_cnn

from book.divergence import Divergence, first_divergence
from book.tensors import random_array
from book.transfer import copy_weights

pytestmark = pytest.mark.usefixtures("seeded")

X = random_array(*CNN_INPUT)


def _copied_pair(torch_model: Any, paddle_model: Any) -> tuple[Any, Any]:
    copy_weights(torch_model, paddle_model)
    torch_model.eval()
    paddle_model.eval()
    return torch_model, paddle_model


def test_models_that_agree_have_no_divergence(capsys: pytest.CaptureFixture[str]) -> None:
    assert first_divergence(*_copied_pair(torch_cnn(), paddle_cnn()), X) is None
    assert capsys.readouterr().out == "no divergence: 7 paired submodules agree (rtol=1e-04, atol=1e-05)\n"


@pytest.mark.parametrize(("index", "shape"), [(0, (6, 4, 8, 8)), (1, (6, 4, 8, 8)), (5, (6, 5))])
def test_a_changed_layer_is_named_exactly(
    index: int, shape: tuple[int, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    t, p = _copied_pair(torch_cnn(), paddle_cnn())
    weight = p[index].weight
    weight.set_value(weight.numpy() * 1.5)
    found = first_divergence(t, p, X)
    assert isinstance(found, Divergence)
    assert found.name == str(index)  # not "" (the Sequential around it), not a later layer
    assert found.torch_shapes == found.paddle_shapes == (shape,)
    assert found.max_diff > 1e-3
    line = capsys.readouterr().out
    assert line == f"{found.line()}\n"
    assert line.startswith(f"first divergence: {index} ({type(t[index]).__name__} vs {type(p[index]).__name__}), "
                           f"output {shape}: max |diff| ")


def test_a_nested_layer_is_named_by_its_dotted_path() -> None:
    t: Any = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Linear(4, 3)))
    p: Any = paddle.nn.Sequential(
        paddle.nn.Linear(4, 4), paddle.nn.Sequential(paddle.nn.Tanh(), paddle.nn.Linear(4, 3))
    )
    _copied_pair(t, p)
    p[1][1].bias.set_value(np.ones(3, np.float32))
    found = first_divergence(t, p, random_array(2, 4))
    assert found is not None and found.name == "1.1"
    assert found.max_diff == pytest.approx(float(np.max(np.abs(1 - t[1][1].bias.detach().numpy()))), rel=1e-5)


def test_a_difference_outside_any_submodule_is_the_whole_models() -> None:
    class TorchTwice(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = torch.nn.Linear(3, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(x) * 2

    class PaddleTwice(paddle.nn.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.linear = paddle.nn.Linear(3, 3)

        def forward(self, x: paddle.Tensor) -> paddle.Tensor:
            return self.linear(x) * 3  # the bug is in the model's own forward

    found = first_divergence(*_copied_pair(TorchTwice(), PaddleTwice()), random_array(2, 3))
    assert found is not None and found.name == ""
    assert found.line().startswith("first divergence: (the whole model) (TorchTwice vs PaddleTwice), output (2, 3)")


def test_a_shape_difference_is_reported() -> None:
    t, p = torch.nn.Sequential(torch.nn.Flatten()), paddle.nn.Sequential(paddle.nn.Flatten())
    found = first_divergence(t, p, random_array(2, 3, 4), paddle_call=lambda m, x: m(x.transpose([2, 0, 1])))
    assert found is not None and found.name == "0"
    assert found.detail == "shapes ((2, 12),) vs ((4, 6),)" and np.isnan(found.max_diff)


def test_the_hooks_are_removed() -> None:
    t, p = _copied_pair(torch_cnn(), paddle_cnn())
    first_divergence(t, p, X)
    assert all(not m._forward_hooks for m in t.modules())
    assert all(not layer._forward_post_hooks for layer in p.sublayers(include_self=True))
