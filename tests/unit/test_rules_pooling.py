"""book.transfer.rules.pooling: no weights, settings checked, outputs alike, and every mismatch."""

from __future__ import annotations

from typing import Any

import paddle
import pytest
import torch
from rule_checks import assert_mismatch_copies_nothing

from book.equivalence import check_layers
from book.tensors import random_array
from book.transfer import copy_weights

pytestmark = pytest.mark.usefixtures("seeded")


POOL_PAIRS = {
    "max1d": (lambda: (torch.nn.MaxPool1d(3, 2, 1), paddle.nn.MaxPool1D(3, 2, 1)), (2, 3, 9)),
    "max2d stride default": (lambda: (torch.nn.MaxPool2d(2), paddle.nn.MaxPool2D(2)), (2, 3, 6, 6)),
    "max2d explicit stride = kernel": (lambda: (torch.nn.MaxPool2d(2), paddle.nn.MaxPool2D(2, stride=2)), (2, 3, 6, 6)),
    "max2d ceil": (
        lambda: (torch.nn.MaxPool2d(3, 2, ceil_mode=True), paddle.nn.MaxPool2D(3, 2, ceil_mode=True)),
        (1, 2, 8, 8),
    ),
    "max2d indices": (
        lambda: (torch.nn.MaxPool2d(2, return_indices=True), paddle.nn.MaxPool2D(2, return_mask=True)),
        (1, 2, 4, 4),
    ),
    "max3d": (lambda: (torch.nn.MaxPool3d(2), paddle.nn.MaxPool3D(2)), (1, 2, 4, 4, 4)),
    "avg1d": (lambda: (torch.nn.AvgPool1d(3, 2, 1), paddle.nn.AvgPool1D(3, 2, 1, exclusive=False)), (2, 3, 9)),
    "avg2d exclusive": (
        lambda: (torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False), paddle.nn.AvgPool2D(3, 2, 1)),
        (1, 2, 7, 7),
    ),
    "avg2d divisor": (
        lambda: (
            torch.nn.AvgPool2d(2, divisor_override=3),
            paddle.nn.AvgPool2D(2, exclusive=False, divisor_override=3),
        ),
        (1, 2, 4, 4),
    ),
    "avg2d divisor ignores count_include_pad": (
        lambda: (
            torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False, divisor_override=4),
            paddle.nn.AvgPool2D(3, 2, 1, exclusive=False, divisor_override=4),
        ),
        (1, 2, 5, 5),
    ),
    "avg3d": (lambda: (torch.nn.AvgPool3d(2), paddle.nn.AvgPool3D(2, exclusive=False)), (1, 2, 4, 4, 4)),
    "adaptive avg1d": (lambda: (torch.nn.AdaptiveAvgPool1d(4), paddle.nn.AdaptiveAvgPool1D(4)), (2, 3, 10)),
    "adaptive avg2d None": (
        lambda: (torch.nn.AdaptiveAvgPool2d((None, 3)), paddle.nn.AdaptiveAvgPool2D((None, 3))),  # type: ignore[arg-type]
        (1, 2, 5, 7),
    ),
    "adaptive avg3d": (lambda: (torch.nn.AdaptiveAvgPool3d(2), paddle.nn.AdaptiveAvgPool3D(2)), (1, 2, 5, 5, 5)),
    "adaptive max1d indices": (
        lambda: (torch.nn.AdaptiveMaxPool1d(3, return_indices=True), paddle.nn.AdaptiveMaxPool1D(3, return_mask=True)),
        (2, 3, 10),
    ),
    "adaptive max2d": (lambda: (torch.nn.AdaptiveMaxPool2d((2, 3)), paddle.nn.AdaptiveMaxPool2D((2, 3))), (1, 2, 5, 7)),
    "lp1d": (lambda: (torch.nn.LPPool1d(2, 3), paddle.nn.LPPool1D(2, 3)), (2, 3, 9)),
    "lp2d stride": (lambda: (torch.nn.LPPool2d(2, 3, stride=1), paddle.nn.LPPool2D(2, 3, stride=1)), (1, 2, 5, 5)),
    "lp2d stride default": (lambda: (torch.nn.LPPool2d(2, 2), paddle.nn.LPPool2D(2, 2)), (1, 2, 6, 6)),
}


@pytest.mark.parametrize(("make", "shape"), POOL_PAIRS.values(), ids=POOL_PAIRS.keys())
def test_pooling_layers_have_no_weights_and_compute_alike(
    make: Any, shape: tuple[int, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    t, p = make()
    assert copy_weights(t, p) == []
    check_layers(t, p, random_array(*shape))
    assert capsys.readouterr().out.startswith("PASS  ")


MISMATCHES = {
    "dilation": (
        lambda: torch.nn.MaxPool2d(3, dilation=2),
        lambda: paddle.nn.MaxPool2D(3),
        r"^dilation: .*Paddle's max pooling has no dilation$",
    ),
    "kernel": (
        lambda: torch.nn.MaxPool2d(3),
        lambda: paddle.nn.MaxPool2D(2),
        r"^kernel_size: torch has \(3, 3\), Paddle has \(2, 2\)$",
    ),
    "stride": (
        lambda: torch.nn.MaxPool1d(3, 1),
        lambda: paddle.nn.MaxPool1D(3),
        r"^stride: torch has \(1,\), Paddle has \(3,\)$",
    ),
    "padding": (lambda: torch.nn.AvgPool2d(3, padding=1), lambda: paddle.nn.AvgPool2D(3), r"^padding: "),
    "SAME": (lambda: torch.nn.MaxPool2d(3), lambda: paddle.nn.MaxPool2D(3, padding="SAME"), r"^padding: .*'same'$"),
    "ceil_mode": (
        lambda: torch.nn.MaxPool2d(3, ceil_mode=True),
        lambda: paddle.nn.MaxPool2D(3),
        r"^ceil_mode: torch has True, Paddle has False$",
    ),
    "return_indices": (
        lambda: torch.nn.MaxPool2d(2, return_indices=True),
        lambda: paddle.nn.MaxPool2D(2),
        r"^return_indices \(Paddle: return_mask\): torch has True, Paddle has False$",
    ),
    "count_include_pad defaults": (
        lambda: torch.nn.AvgPool2d(3, padding=1),
        lambda: paddle.nn.AvgPool2D(3, padding=1),
        r"^count_include_pad \(Paddle: exclusive = not count_include_pad\): torch has True, Paddle has False$",
    ),
    "divisor_override": (
        lambda: torch.nn.AvgPool2d(2, divisor_override=3),
        lambda: paddle.nn.AvgPool2D(2, exclusive=False),
        r"^divisor_override \(Paddle: divisor_override\): torch has 3, Paddle has None$",
    ),
    "divisor with exclusive": (
        lambda: torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False, divisor_override=4),
        lambda: paddle.nn.AvgPool2D(3, 2, 1, divisor_override=4),
        r"^exclusive: with a divisor_override, Paddle gives torch's result only with exclusive=False",
    ),
    "NHWC pooling": (
        lambda: torch.nn.MaxPool2d(2),
        lambda: paddle.nn.MaxPool2D(2, data_format="NHWC"),
        r"^data_format: .*NHWC",
    ),
    "output_size": (
        lambda: torch.nn.AdaptiveAvgPool2d((None, 3)),
        lambda: paddle.nn.AdaptiveAvgPool2D(3),
        r"^output_size: torch has \(None, 3\), Paddle has \(3, 3\)$",
    ),
    "adaptive return_indices": (
        lambda: torch.nn.AdaptiveMaxPool2d(2),
        lambda: paddle.nn.AdaptiveMaxPool2D(2, return_mask=True),
        r"^return_indices \(Paddle: return_mask\): torch has False, Paddle has True$",
    ),
    "unpool stride": (lambda: torch.nn.MaxUnpool2d(2), lambda: paddle.nn.MaxUnPool2D(2, stride=1), r"^stride: "),
    "lp norm_type": (lambda: torch.nn.LPPool1d(2, 3), lambda: paddle.nn.LPPool1D(3, 3), r"^norm_type: "),
    "lp stride": (lambda: torch.nn.LPPool2d(2, 2), lambda: paddle.nn.LPPool2D(2, 2, stride=1), r"^stride: "),
    "lp padding": (
        lambda: torch.nn.LPPool2d(2, 3),
        lambda: paddle.nn.LPPool2D(2, 3, padding=1),
        r"^padding \(torch's LPPool has none\): torch has \(\(0, 0\), \(0, 0\)\), Paddle has \(\(1, 1\), \(1, 1\)\)$",
    ),
    "max into avg": (
        lambda: torch.nn.MaxPool2d(2),
        lambda: paddle.nn.AvgPool2D(2),
        r"^torch.nn.MaxPool2d transfers into paddle.nn.MaxPool2D, not AvgPool2D$",
    ),
}


def test_max_unpool_rule_accepts_matching_windows() -> None:
    assert copy_weights(torch.nn.MaxUnpool2d(2), paddle.nn.MaxUnPool2D(2)) == []
    assert copy_weights(torch.nn.MaxUnpool1d(3, 2, 1), paddle.nn.MaxUnPool1D(3, 2, 1)) == []


@pytest.mark.parametrize(("make_torch", "make_paddle", "message"), MISMATCHES.values(), ids=MISMATCHES.keys())
def test_mismatch_is_an_error_naming_the_setting_and_copies_nothing(
    make_torch: Any, make_paddle: Any, message: str
) -> None:
    assert_mismatch_copies_nothing(make_torch(), make_paddle(), message)
