"""book.masks: dropout that draws the same masks in both frameworks."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch

from book.equivalence import check_layers, compare_layers
from book.masks import PaddleSharedDropout, TorchSharedDropout, share_dropout_masks
from book.transfer import TransferError

pytestmark = pytest.mark.usefixtures("seeded")

X = np.random.default_rng(0).standard_normal((16, 20)).astype(np.float32) + 5.0  # no zeros


def _pair(p: float = 0.5, paddle_p: float | None = None) -> tuple[Any, Any]:
    t = torch.nn.Sequential(torch.nn.Linear(20, 20), torch.nn.Dropout(p), torch.nn.Linear(20, 3))
    q = paddle.nn.Sequential(
        paddle.nn.Linear(20, 20), paddle.nn.Dropout(p if paddle_p is None else paddle_p), paddle.nn.Linear(20, 3)
    )
    return t, q


def test_native_dropout_masks_differ_and_shared_ones_agree(capsys: pytest.CaptureFixture[str]) -> None:
    t, p = _pair()
    assert not compare_layers(t, p, X).passed  # each framework's own masks
    assert share_dropout_masks(t, p, seed=3) == ["1"]
    assert isinstance(t[1], TorchSharedDropout) and isinstance(p[1], PaddleSharedDropout)
    for _ in range(3):  # every call draws the next mask of the same stream in both
        check_layers(t, p, X, copy=False)
    assert capsys.readouterr().out.count("PASS") == 3


def test_the_masks_drop_the_expected_share_and_scale_the_rest() -> None:
    layer = TorchSharedDropout(0.25, np.random.default_rng(0))
    out = layer(torch.ones(200, 100)).numpy()
    assert set(np.unique(out).tolist()) == {0.0, np.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.01
    layer.eval()
    x = torch.randn(3, 4)
    assert torch.equal(layer(x), x)
    p_layer = PaddleSharedDropout(0.25, np.random.default_rng(0))
    p_layer.eval()
    assert np.array_equal(p_layer(paddle.to_tensor(x.numpy())).numpy(), x.numpy())


def test_p_zero_and_p_one() -> None:
    x = torch.randn(4, 5)
    assert torch.equal(TorchSharedDropout(0.0, np.random.default_rng(0))(x), x)
    assert not TorchSharedDropout(1.0, np.random.default_rng(0))(x).any()


def test_a_different_p_is_refused_before_anything_changes() -> None:
    t, p = _pair(0.5, paddle_p=0.4)
    with pytest.raises(TransferError, match="p"):
        share_dropout_masks(t, p)
    assert type(t[1]) is torch.nn.Dropout


def test_a_bare_dropout_is_refused() -> None:
    with pytest.raises(ValueError, match="inside a model"):
        share_dropout_masks(torch.nn.Dropout(0.5), paddle.nn.Dropout(0.5))
