"""book.transfer.rules.normalization: parameters and buffers of each layer, and every mismatch."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch
from rule_checks import assert_mismatch_copies_nothing

from book.tensors import to_numpy
from book.transfer import Param, copy_weights, params_of

pytestmark = pytest.mark.usefixtures("seeded")


def _names(params: list[Param]) -> list[tuple[str, str | None, bool]]:
    return [(q.torch_name, q.paddle_name, q.buffer) for q in params]


AFFINE = [("weight", "weight", False), ("bias", "bias", False)]
RUNNING = [("running_mean", "_mean", True), ("running_var", "_variance", True)]

NORM_PAIRS = {
    "batch1d": (lambda: (torch.nn.BatchNorm1d(3), paddle.nn.BatchNorm1D(3)), AFFINE + RUNNING),
    "batch2d": (lambda: (torch.nn.BatchNorm2d(3), paddle.nn.BatchNorm2D(3)), AFFINE + RUNNING),
    "batch3d momentum": (
        lambda: (torch.nn.BatchNorm3d(3, momentum=0.3), paddle.nn.BatchNorm3D(3, momentum=0.7)),
        AFFINE + RUNNING,
    ),
    "batch2d eps": (
        lambda: (torch.nn.BatchNorm2d(3, eps=1e-3), paddle.nn.BatchNorm2D(3, epsilon=1e-3)),
        AFFINE + RUNNING,
    ),
    "batch2d no affine": (
        lambda: (torch.nn.BatchNorm2d(3, affine=False), paddle.nn.BatchNorm2D(3, weight_attr=False, bias_attr=False)),
        RUNNING,
    ),
    "batch2d no running stats": (
        lambda: (torch.nn.BatchNorm2d(3, track_running_stats=False), paddle.nn.BatchNorm2D(3, use_global_stats=False)),
        AFFINE,
    ),
    "layer": (lambda: (torch.nn.LayerNorm([4, 5]), paddle.nn.LayerNorm([4, 5])), AFFINE),
    "layer int": (lambda: (torch.nn.LayerNorm(5), paddle.nn.LayerNorm(5)), AFFINE),
    "layer no bias": (lambda: (torch.nn.LayerNorm(5, bias=False), paddle.nn.LayerNorm(5, bias_attr=False)), AFFINE[:1]),
    "layer no affine": (
        lambda: (
            torch.nn.LayerNorm(5, elementwise_affine=False),
            paddle.nn.LayerNorm(5, weight_attr=False, bias_attr=False),
        ),
        [],
    ),
    "group": (lambda: (torch.nn.GroupNorm(2, 4), paddle.nn.GroupNorm(2, 4)), AFFINE),
    "group no affine": (
        lambda: (torch.nn.GroupNorm(2, 4, affine=False), paddle.nn.GroupNorm(2, 4, weight_attr=False, bias_attr=False)),
        [],
    ),
    "instance2d defaults matched": (
        lambda: (torch.nn.InstanceNorm2d(3), paddle.nn.InstanceNorm2D(3, weight_attr=False, bias_attr=False)),
        [],
    ),
    "instance1d affine": (
        lambda: (torch.nn.InstanceNorm1d(3, affine=True), paddle.nn.InstanceNorm1D(3)),
        [("weight", "scale", False), AFFINE[1]],
    ),
    "instance3d affine": (
        lambda: (torch.nn.InstanceNorm3d(3, affine=True), paddle.nn.InstanceNorm3D(3)),
        [("weight", "scale", False), AFFINE[1]],
    ),
}


@pytest.mark.parametrize(("make", "expected"), NORM_PAIRS.values(), ids=NORM_PAIRS.keys())
def test_normalization_rules_name_parameters_and_buffers(make: Any, expected: list[tuple[str, str, bool]]) -> None:
    t, p = make()
    with torch.no_grad():  # make every value distinct, so that a copy is visible
        for value in [*t.parameters(), *t.buffers()]:
            if value.is_floating_point():
                value.copy_(torch.rand_like(value) + 0.5)
    params = copy_weights(t, p)
    assert _names(params) == expected
    t_all, p_all = (
        dict(t.named_parameters()) | dict(t.named_buffers()),
        dict(p.named_parameters()) | dict(p.named_buffers()),
    )
    for q in params:
        np.testing.assert_array_equal(
            to_numpy(p_all[q.paddle_name]), to_numpy(t_all[q.torch_name]).reshape(p_all[q.paddle_name].shape)
        )


def test_layer_norm_weight_is_flattened_in_paddle() -> None:
    t, p = torch.nn.LayerNorm([4, 5]), paddle.nn.LayerNorm([4, 5])
    (weight, _) = copy_weights(t, p)
    assert t.weight is not None and p.weight is not None
    assert tuple(t.weight.shape) == (4, 5) and tuple(p.weight.shape) == (20,)
    assert weight.to_paddle(np.zeros((4, 5))).shape == (20,)


MISMATCHES = {
    "momentum not converted": (
        lambda: torch.nn.BatchNorm2d(3, momentum=0.1),
        lambda: paddle.nn.BatchNorm2D(3, momentum=0.1),
        r"^momentum: torch 0.1 means Paddle momentum 0.9 \(Paddle's momentum weights the old running value\), "
        r"the Paddle layer has 0.1$",
    ),
    "momentum None": (
        lambda: torch.nn.BatchNorm2d(3, momentum=None),
        lambda: paddle.nn.BatchNorm2D(3),
        r"^momentum: torch has None \(a cumulative average\)",
    ),
    "eps": (
        lambda: torch.nn.BatchNorm1d(3, eps=1e-3),
        lambda: paddle.nn.BatchNorm1D(3),
        r"^eps \(Paddle: epsilon\): torch has 0.001, Paddle has 1e-05$",
    ),
    "num_features": (
        lambda: torch.nn.BatchNorm2d(3),
        lambda: paddle.nn.BatchNorm2D(4),
        r"^num_features: torch has 3, Paddle has 4$",
    ),
    "affine only in paddle": (
        lambda: torch.nn.BatchNorm2d(3, affine=False),
        lambda: paddle.nn.BatchNorm2D(3),
        r"^weight: the torch layer has none, the Paddle layer has one$",
    ),
    "bias only in torch": (
        lambda: torch.nn.BatchNorm2d(3),
        lambda: paddle.nn.BatchNorm2D(3, bias_attr=False),
        r"^bias: the torch layer has one, the Paddle layer has none \(bias_attr=False\)$",
    ),
    "track_running_stats": (
        lambda: torch.nn.BatchNorm2d(3, track_running_stats=False),
        lambda: paddle.nn.BatchNorm2D(3),
        r"^track_running_stats: torch has False .*use_global_stats=False \(it has None\)$",
    ),
    "use_global_stats": (
        lambda: torch.nn.BatchNorm2d(3),
        lambda: paddle.nn.BatchNorm2D(3, use_global_stats=True),
        r"^use_global_stats: the Paddle layer has True",
    ),
    "batch NHWC": (
        lambda: torch.nn.BatchNorm2d(3),
        lambda: paddle.nn.BatchNorm2D(3, data_format="NHWC"),
        r"^data_format: .*NHWC",
    ),
    "normalized_shape": (
        lambda: torch.nn.LayerNorm([4, 5]),
        lambda: paddle.nn.LayerNorm(5),
        r"^normalized_shape: torch has \(4, 5\), Paddle has \(5,\)$",
    ),
    "groups": (
        lambda: torch.nn.GroupNorm(2, 4),
        lambda: paddle.nn.GroupNorm(4, 4),
        r"^num_groups: torch has 2, Paddle has 4$",
    ),
    "instance defaults": (
        lambda: torch.nn.InstanceNorm2d(3),
        lambda: paddle.nn.InstanceNorm2D(3),
        r"^weight: the torch layer has none, the Paddle layer has one; torch's InstanceNorm has no affine parameters "
        r"by default \(affine=False\), Paddle's has them: build it with weight_attr=False, bias_attr=False",
    ),
    "instance running stats": (
        lambda: torch.nn.InstanceNorm2d(3, track_running_stats=True),
        lambda: paddle.nn.InstanceNorm2D(3, weight_attr=False, bias_attr=False),
        r"^track_running_stats: torch has True; Paddle's InstanceNorm keeps no running statistics$",
    ),
    "instance affine only in torch": (
        lambda: torch.nn.InstanceNorm2d(3, affine=True),
        lambda: paddle.nn.InstanceNorm2D(3, weight_attr=False, bias_attr=False),
        r"^weight: the torch layer has one, the Paddle layer has none \(weight_attr=False\)$",
    ),
}


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(
    make_torch: Any, make_paddle: Any, message: str
) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)


def test_batch_norm_step_counter_is_a_torch_only_buffer() -> None:
    t, p = torch.nn.BatchNorm2d(3), paddle.nn.BatchNorm2D(3)
    everything = params_of(t, p, with_torch_only=True)
    assert everything[-1] == Param("num_batches_tracked", None, buffer=True)
    assert everything[:-1] == params_of(t, p) == copy_weights(t, p)
    no_stats = torch.nn.BatchNorm2d(3, track_running_stats=False), paddle.nn.BatchNorm2D(3, use_global_stats=False)
    assert [q.torch_name for q in params_of(*no_stats, with_torch_only=True)] == ["weight", "bias"]
