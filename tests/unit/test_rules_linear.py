"""book.transfer.rules.linear: Linear (transposed weight), Identity, Flatten and the dropout family."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch
from rule_checks import assert_mismatch_copies_nothing

from book.tensors import random_array, to_numpy
from book.transfer import TRANSPOSE, Param, copy_weights
from book.transfer.rules.linear import ROW

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.mark.parametrize("bias", [True, False])
def test_linear_copies_its_weight_transposed_and_computes_alike(bias: bool) -> None:
    t, p = torch.nn.Linear(3, 5, bias=bias), paddle.nn.Linear(3, 5, bias_attr=None if bias else False)
    params = copy_weights(t, p)
    assert params == [Param("weight", "weight", TRANSPOSE), *([Param("bias", "bias")] if bias else [])]
    np.testing.assert_array_equal(p.weight.numpy(), t.weight.detach().numpy().T)
    x = random_array(4, 3)
    np.testing.assert_allclose(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_copies_its_bias_as_a_row_and_computes_alike(bias: bool) -> None:
    t, p = torch.nn.Bilinear(3, 4, 5, bias=bias), paddle.nn.Bilinear(3, 4, 5, bias_attr=None if bias else False)
    params = copy_weights(t, p)
    assert params == [Param("weight", "weight"), *([Param("bias", "bias", ROW)] if bias else [])]
    if bias:
        np.testing.assert_array_equal(p.bias.numpy(), t.bias.detach().numpy()[None, :])
    x1, x2 = random_array(6, 3, seed=1), random_array(6, 4, seed=2)
    p_out = p(paddle.to_tensor(x1), paddle.to_tensor(x2))
    np.testing.assert_allclose(to_numpy(p_out), to_numpy(t(torch.tensor(x1), torch.tensor(x2))), rtol=1e-5, atol=1e-5)


def test_bilinear_bias_on_one_side_only_is_refused() -> None:
    assert_mismatch_copies_nothing(torch.nn.Bilinear(3, 4, 5, bias=False), paddle.nn.Bilinear(3, 4, 5), "bias")


PAIRS = {
    "identity": lambda: (torch.nn.Identity(), paddle.nn.Identity()),
    "flatten": lambda: (torch.nn.Flatten(), paddle.nn.Flatten()),
    "flatten range": lambda: (torch.nn.Flatten(0, 2), paddle.nn.Flatten(0, 2)),
}


@pytest.mark.parametrize("make", PAIRS.values(), ids=PAIRS.keys())
def test_layers_without_weights_compute_alike(make: Any) -> None:
    t, p = make()
    assert copy_weights(t, p) == []
    x = random_array(2, 3, 4, 5)
    np.testing.assert_array_equal(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))))


DROPOUTS = {
    "dropout": (lambda: (torch.nn.Dropout(0.3), paddle.nn.Dropout(0.3)), (4, 6)),
    "dropout2d": (lambda: (torch.nn.Dropout2d(0.3), paddle.nn.Dropout2D(0.3)), (2, 3, 4, 4)),
    "dropout3d": (lambda: (torch.nn.Dropout3d(0.3), paddle.nn.Dropout3D(0.3)), (2, 3, 2, 2, 2)),
    "alpha dropout": (lambda: (torch.nn.AlphaDropout(0.3), paddle.nn.AlphaDropout(0.3)), (4, 6)),
}


@pytest.mark.parametrize(("make", "shape"), DROPOUTS.values(), ids=DROPOUTS.keys())
def test_dropout_pairs_and_is_the_identity_in_eval(make: Any, shape: tuple[int, ...]) -> None:
    t, p = make()
    assert copy_weights(t, p) == []
    t.eval(), p.eval()
    x = random_array(*shape)
    np.testing.assert_array_equal(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))))


MISMATCHES = {
    "linear sizes": (
        lambda: torch.nn.Linear(3, 5),
        lambda: paddle.nn.Linear(3, 4),
        r"^weight -> weight: torch gives shape \(3, 5\) in Paddle's layout, the Paddle layer has \(3, 4\)$",
    ),
    "linear bias": (
        lambda: torch.nn.Linear(3, 5, bias=False),
        lambda: paddle.nn.Linear(3, 5),
        r"^bias: the torch layer has none \(bias=False\), the Paddle layer has one$",
    ),
    "flatten start": (
        lambda: torch.nn.Flatten(),
        lambda: paddle.nn.Flatten(start_axis=0),
        r"^start_dim \(Paddle: start_axis\): torch has 1, Paddle has 0$",
    ),
    "flatten end": (
        lambda: torch.nn.Flatten(1, 2),
        lambda: paddle.nn.Flatten(),
        r"^end_dim \(Paddle: stop_axis\): torch has 2, Paddle has -1$",
    ),
    "dropout p": (lambda: torch.nn.Dropout(0.3), lambda: paddle.nn.Dropout(0.5), r"^p: torch has 0.3, Paddle has 0.5$"),
    "dropout mode": (
        lambda: torch.nn.Dropout(0.5),
        lambda: paddle.nn.Dropout(0.5, mode="downscale_in_infer"),
        r"^mode \(fixed in torch: scaled in training\): torch has 'upscale_in_train', Paddle has 'downscale_in_infer'$",
    ),
    "dropout axis": (
        lambda: torch.nn.Dropout(0.5),
        lambda: paddle.nn.Dropout(0.5, axis=1),
        r"^axis \(torch drops every element independently\): torch has None, Paddle has 1$",
    ),
    "dropout2d NHWC": (
        lambda: torch.nn.Dropout2d(0.5),
        lambda: paddle.nn.Dropout2D(0.5, data_format="NHWC"),
        r"^data_format \(torch is channel-first\): torch has 'NCHW', Paddle has 'NHWC'$",
    ),
    "dropout2d p": (
        lambda: torch.nn.Dropout2d(0.2),
        lambda: paddle.nn.Dropout2D(0.5),
        r"^p: torch has 0.2, Paddle has 0.5$",
    ),
    "alpha dropout p": (
        lambda: torch.nn.AlphaDropout(0.2),
        lambda: paddle.nn.AlphaDropout(0.5),
        r"^p: torch has 0.2, Paddle has 0.5$",
    ),
    "dropout into dropout2d": (
        lambda: torch.nn.Dropout(0.5),
        lambda: paddle.nn.Dropout2D(0.5),
        r"^torch.nn.Dropout transfers into paddle.nn.Dropout, not Dropout2D$",
    ),
}


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(
    make_torch: Any, make_paddle: Any, message: str
) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)


def test_compat_linear_keeps_torch_layout() -> None:
    import paddle.compat

    t, p = torch.nn.Linear(3, 5), paddle.compat.nn.Linear(3, 5)
    assert copy_weights(t, p) == [Param("weight", "weight"), Param("bias", "bias")]
    x = random_array(4, 3)
    np.testing.assert_allclose(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))), rtol=1e-5, atol=1e-6)


def test_unflatten_pairs_and_computes_alike() -> None:
    t, p = torch.nn.Unflatten(1, (2, 3)), paddle.nn.Unflatten(1, [2, 3])
    assert copy_weights(t, p) == []
    x = random_array(4, 6, 5)
    np.testing.assert_array_equal(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))))


@pytest.mark.parametrize(
    ("make_paddle", "padding_idx"),
    [(lambda: paddle.nn.Embedding(10, 4), None), (lambda: paddle.nn.Embedding(10, 4, padding_idx=-1), 9)],
)
def test_embedding_copies_its_table_and_looks_up_alike(make_paddle: Any, padding_idx: int | None) -> None:
    t, p = torch.nn.Embedding(10, 4, padding_idx=padding_idx), make_paddle()
    assert copy_weights(t, p) == [Param("weight", "weight")]
    ids = np.array([[1, 9, 1], [0, 3, 9]])
    np.testing.assert_array_equal(to_numpy(p(paddle.to_tensor(ids))), to_numpy(t(torch.tensor(ids))))


def test_dropout1d_pairs_with_paddle_dropout_over_the_first_two_axes() -> None:
    t, p = torch.nn.Dropout1d(0.3), paddle.nn.Dropout(0.3, axis=[0, 1])
    assert copy_weights(t, p) == []


EMBEDDING_MISMATCHES = {
    "padding_idx": (
        lambda: torch.nn.Embedding(10, 4, padding_idx=0),
        lambda: paddle.nn.Embedding(10, 4),
        "padding_idx",
    ),
    "max_norm": (lambda: torch.nn.Embedding(10, 4, max_norm=1.0), lambda: paddle.nn.Embedding(10, 4), "max_norm"),
    "norm_type": (
        lambda: torch.nn.Embedding(10, 4, max_norm=1.0, norm_type=1.0),
        lambda: paddle.nn.Embedding(10, 4, max_norm=1.0),
        "norm_type",
    ),
    "scale_grad_by_freq": (
        lambda: torch.nn.Embedding(10, 4, scale_grad_by_freq=True),
        lambda: paddle.nn.Embedding(10, 4),
        "scale_grad_by_freq",
    ),
    "sparse": (lambda: torch.nn.Embedding(10, 4), lambda: paddle.nn.Embedding(10, 4, sparse=True), "sparse"),
    "table size": (lambda: torch.nn.Embedding(10, 4), lambda: paddle.nn.Embedding(10, 5), "weight"),
    "unflatten shape": (lambda: torch.nn.Unflatten(1, (2, 3)), lambda: paddle.nn.Unflatten(1, [3, 2]), "unflattened"),
    "unflatten axis": (lambda: torch.nn.Unflatten(1, (2, 3)), lambda: paddle.nn.Unflatten(2, [2, 3]), "dim"),
    "dropout1d elementwise": (lambda: torch.nn.Dropout1d(0.3), lambda: paddle.nn.Dropout(0.3), "axis"),
    "dropout1d p": (lambda: torch.nn.Dropout1d(0.3), lambda: paddle.nn.Dropout(0.5, axis=[0, 1]), "^p: "),
    "feature alpha p": (
        lambda: torch.nn.FeatureAlphaDropout(0.3),
        lambda: paddle.nn.FeatureAlphaDropout(0.5),
        "^p: ",
    ),
}


@pytest.mark.parametrize(
    ("make_torch", "make_paddle", "message"), EMBEDDING_MISMATCHES.values(), ids=EMBEDDING_MISMATCHES.keys()
)
def test_new_rules_refuse_a_different_setting(make_torch: Any, make_paddle: Any, message: str) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)


def test_embedding_with_a_nonzero_padding_row_is_refused() -> None:
    t = torch.nn.Embedding(10, 4, padding_idx=2)
    with torch.no_grad():
        t.weight[2] = 1.0
    p = paddle.nn.Embedding(10, 4, padding_idx=2)
    ids = np.array([[2, 1]])
    assert not np.array_equal(to_numpy(t(torch.tensor(ids)))[0, 0], np.zeros(4))  # torch returns the row
    assert_mismatch_copies_nothing(t, p, r"^padding_idx: torch's row 2 is not zero")
    p.weight.set_value(t.weight.detach().numpy())
    np.testing.assert_array_equal(to_numpy(p(paddle.to_tensor(ids)))[0, 0], np.zeros(4))  # Paddle: zeros
