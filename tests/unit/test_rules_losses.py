"""book.transfer.rules.losses: every loss pairs, computes alike (int64 class targets too), and every mismatch."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch
from rule_checks import assert_mismatch_copies_nothing

from book.tensors import random_array, to_numpy
from book.transfer import Param, copy_weights, params_of, to_paddle_state_dict, to_torch_state_dict

pytestmark = pytest.mark.usefixtures("seeded")

LABELS = np.array([0, 2, 1, 2], dtype=np.int64)
WEIGHT = np.array([0.5, 1.0, 2.0], dtype=np.float32)


def _t(x: np.ndarray) -> torch.Tensor:
    return torch.tensor(x)


def _p(x: np.ndarray) -> paddle.Tensor:
    return paddle.to_tensor(x)


CLASS_LOSSES = {
    "cross entropy": lambda: (torch.nn.CrossEntropyLoss(), paddle.nn.CrossEntropyLoss()),
    "cross entropy axis 1": lambda: (torch.nn.CrossEntropyLoss(), paddle.nn.CrossEntropyLoss(axis=1)),
    "cross entropy sum": lambda: (
        torch.nn.CrossEntropyLoss(reduction="sum"),
        paddle.nn.CrossEntropyLoss(reduction="sum"),
    ),
    "cross entropy ignore_index": lambda: (
        torch.nn.CrossEntropyLoss(ignore_index=2),
        paddle.nn.CrossEntropyLoss(ignore_index=2),
    ),
    "cross entropy smoothing": lambda: (
        torch.nn.CrossEntropyLoss(label_smoothing=0.1),
        paddle.nn.CrossEntropyLoss(label_smoothing=0.1),
    ),
    "cross entropy weight": lambda: (
        torch.nn.CrossEntropyLoss(weight=_t(WEIGHT)),
        paddle.nn.CrossEntropyLoss(weight=_p(WEIGHT)),
    ),
    "nll": lambda: (torch.nn.NLLLoss(), paddle.nn.NLLLoss()),
    "nll weight": lambda: (torch.nn.NLLLoss(weight=_t(WEIGHT)), paddle.nn.NLLLoss(weight=_p(WEIGHT))),
}


@pytest.mark.parametrize("make", CLASS_LOSSES.values(), ids=CLASS_LOSSES.keys())
def test_class_losses_with_int64_targets_compute_alike(make: Any) -> None:
    t, p = make()
    assert copy_weights(t, p) == []
    logits = random_array(4, 3)
    if isinstance(t, torch.nn.NLLLoss):
        logits = to_numpy(torch.log_softmax(_t(logits), dim=1))
    np.testing.assert_allclose(
        to_numpy(p(_p(logits), _p(LABELS))), to_numpy(t(_t(logits), _t(LABELS))), rtol=1e-5, atol=1e-6
    )


def test_cross_entropy_over_extra_dimensions_needs_paddle_axis_1() -> None:
    t, p = torch.nn.CrossEntropyLoss(), paddle.nn.CrossEntropyLoss(axis=1)
    assert params_of(t, p) == []
    logits, labels = random_array(2, 3, 5), np.array([[0, 1, 2, 1, 0], [2, 2, 1, 0, 1]], dtype=np.int64)
    np.testing.assert_allclose(
        to_numpy(p(_p(logits), _p(labels[:, None, :]))), to_numpy(t(_t(logits), _t(labels))), rtol=1e-5
    )


VALUE_LOSSES = {
    "mse": (lambda: (torch.nn.MSELoss(), paddle.nn.MSELoss()), False),
    "mse sum": (lambda: (torch.nn.MSELoss(reduction="sum"), paddle.nn.MSELoss(reduction="sum")), False),
    "l1": (lambda: (torch.nn.L1Loss(), paddle.nn.L1Loss()), False),
    "l1 none": (lambda: (torch.nn.L1Loss(reduction="none"), paddle.nn.L1Loss(reduction="none")), False),
    "smooth l1": (lambda: (torch.nn.SmoothL1Loss(), paddle.nn.SmoothL1Loss()), False),
    "smooth l1 beta 0.5": (
        lambda: (torch.nn.SmoothL1Loss(beta=0.5), paddle.nn.SmoothL1Loss(delta=0.5, is_huber=False)),
        False,
    ),
    "huber delta 0.5": (lambda: (torch.nn.HuberLoss(delta=0.5), paddle.nn.HuberLoss(delta=0.5)), False),
    "kl div": (
        lambda: (
            torch.nn.KLDivLoss(reduction="batchmean"),
            paddle.nn.KLDivLoss(reduction="batchmean"),  # type: ignore[arg-type]  # Paddle's hint omits it
        ),
        True,
    ),
    "bce": (lambda: (torch.nn.BCELoss(), paddle.nn.BCELoss()), True),
    "bce weight": (lambda: (torch.nn.BCELoss(weight=_t(WEIGHT)), paddle.nn.BCELoss(weight=_p(WEIGHT))), True),
    "bce with logits": (lambda: (torch.nn.BCEWithLogitsLoss(), paddle.nn.BCEWithLogitsLoss()), False),
    "bce with logits pos_weight": (
        lambda: (torch.nn.BCEWithLogitsLoss(pos_weight=_t(WEIGHT)), paddle.nn.BCEWithLogitsLoss(pos_weight=_p(WEIGHT))),
        False,
    ),
}


@pytest.mark.parametrize(("make", "probabilities"), VALUE_LOSSES.values(), ids=VALUE_LOSSES.keys())
def test_value_losses_compute_alike(make: Any, probabilities: bool) -> None:
    t, p = make()
    copy_weights(t, p)
    x, y = random_array(4, 3), (random_array(4, 3, seed=5) > 0).astype(np.float32)
    if probabilities:
        x = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(to_numpy(p(_p(x), _p(y))), to_numpy(t(_t(x), _t(y))), rtol=1e-5, atol=1e-6)


def test_a_class_weight_is_a_torch_only_buffer_that_state_dicts_carry() -> None:
    t, p = torch.nn.CrossEntropyLoss(weight=_t(WEIGHT)), paddle.nn.CrossEntropyLoss(weight=_p(WEIGHT))
    assert params_of(t, p, with_torch_only=True) == [Param("weight", None, buffer=True)]
    assert params_of(t, p) == []
    assert to_paddle_state_dict(t.state_dict(), t, p) == {}
    back = to_torch_state_dict({}, t, p)
    assert t.weight is not None
    assert list(back) == ["weight"] and torch.equal(back["weight"], t.weight)


MISMATCHES = {
    "reduction": (
        lambda: torch.nn.CrossEntropyLoss(),
        lambda: paddle.nn.CrossEntropyLoss(reduction="sum"),
        r"^reduction: torch has 'mean', Paddle has 'sum'$",
    ),
    "ignore_index": (
        lambda: torch.nn.CrossEntropyLoss(ignore_index=1),
        lambda: paddle.nn.CrossEntropyLoss(),
        r"^ignore_index: torch has 1, Paddle has -100$",
    ),
    "label_smoothing": (
        lambda: torch.nn.CrossEntropyLoss(label_smoothing=0.1),
        lambda: paddle.nn.CrossEntropyLoss(),
        r"^label_smoothing: torch has 0.1, Paddle has 0.0$",
    ),
    "soft_label": (
        lambda: torch.nn.CrossEntropyLoss(),
        lambda: paddle.nn.CrossEntropyLoss(soft_label=True),
        r"^soft_label \(torch: class-index targets\): torch has False, Paddle has True$",
    ),
    "use_softmax": (
        lambda: torch.nn.CrossEntropyLoss(),
        lambda: paddle.nn.CrossEntropyLoss(use_softmax=False),
        r"^use_softmax \(torch always applies log-softmax\): torch has True, Paddle has False$",
    ),
    "axis": (
        lambda: torch.nn.CrossEntropyLoss(),
        lambda: paddle.nn.CrossEntropyLoss(axis=2),
        r"^axis: torch's class axis is 1, Paddle has 2; build Paddle's loss with axis=1",
    ),
    "weight only in torch": (
        lambda: torch.nn.CrossEntropyLoss(weight=_t(WEIGHT)),
        lambda: paddle.nn.CrossEntropyLoss(),
        r"^weight: the torch loss has one, the Paddle loss has none$",
    ),
    "weight values": (
        lambda: torch.nn.NLLLoss(weight=_t(WEIGHT)),
        lambda: paddle.nn.NLLLoss(weight=_p(WEIGHT * 2)),
        r"^weight: torch has \[0.5, 1.0, 2.0\], Paddle has \[1.0, 2.0, 4.0\]$",
    ),
    "nll reduction": (
        lambda: torch.nn.NLLLoss(),
        lambda: paddle.nn.NLLLoss(reduction="none"),
        r"^reduction: torch has 'mean', Paddle has 'none'$",
    ),
    "pos_weight": (
        lambda: torch.nn.BCEWithLogitsLoss(),
        lambda: paddle.nn.BCEWithLogitsLoss(pos_weight=_p(WEIGHT)),
        r"^pos_weight: the torch loss has none, the Paddle loss has one$",
    ),
    "mse reduction": (
        lambda: torch.nn.MSELoss(),
        lambda: paddle.nn.MSELoss(reduction="sum"),
        r"^reduction: torch has 'mean', Paddle has 'sum'$",
    ),
    "smooth l1 beta against huber delta": (
        lambda: torch.nn.SmoothL1Loss(beta=0.5),
        lambda: paddle.nn.SmoothL1Loss(delta=0.5),
        r"^beta \(Paddle: delta\): torch has 0.5, Paddle has 0.5 with is_huber=True",
    ),
    "smooth l1 beta": (
        lambda: torch.nn.SmoothL1Loss(beta=0.5),
        lambda: paddle.nn.SmoothL1Loss(delta=2.0, is_huber=False),
        r"^beta \(Paddle: delta, is_huber=False\): torch has 0.5, Paddle has 2.0$",
    ),
    "huber against smooth l1": (
        lambda: torch.nn.HuberLoss(delta=2.0),
        lambda: paddle.nn.SmoothL1Loss(delta=2.0, is_huber=False),
        r"^is_huber \(torch's HuberLoss is the Huber formula\): torch has True, Paddle has False$",
    ),
    "huber delta": (
        lambda: torch.nn.HuberLoss(delta=2.0),
        lambda: paddle.nn.HuberLoss(),
        r"^delta: torch has 2.0, Paddle has 1.0$",
    ),
    "kl log_target": (
        lambda: torch.nn.KLDivLoss(log_target=True),
        lambda: paddle.nn.KLDivLoss(),
        r"^log_target: torch has True, Paddle has False$",
    ),
    "margin": (
        lambda: torch.nn.MarginRankingLoss(margin=0.5),
        lambda: paddle.nn.MarginRankingLoss(),
        r"^margin: torch has 0.5, Paddle has 0.0$",
    ),
    "mse into l1": (
        lambda: torch.nn.MSELoss(),
        lambda: paddle.nn.L1Loss(),
        r"^torch.nn.MSELoss transfers into paddle.nn.MSELoss, not L1Loss$",
    ),
}


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(
    make_torch: Any, make_paddle: Any, message: str
) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)


def test_margin_ranking_computes_alike() -> None:
    t, p = torch.nn.MarginRankingLoss(margin=0.3), paddle.nn.MarginRankingLoss(margin=0.3)
    assert copy_weights(t, p) == []
    a, b, y = random_array(5), random_array(5, seed=1), np.array([1, -1, 1, 1, -1], dtype=np.float32)
    np.testing.assert_allclose(to_numpy(p(_p(a), _p(b), _p(y))), to_numpy(t(_t(a), _t(b), _t(y))), rtol=1e-5, atol=1e-6)
