"""book.stochastic: dropout checked statistically, and a check that fails when the rate or the scaling is wrong."""

from __future__ import annotations

import math

import numpy as np
import paddle
import pytest
import torch

from book.equivalence import EquivalenceError
from book.stochastic import check_dropout, compare_dropout, keep_rate_halfwidth, units_needed
from book.tensors import random_array
from book.transfer import TransferError

pytestmark = pytest.mark.usefixtures("seeded")

X = random_array(100, 200, low=0.5, high=1.5)  # 20000 elements, no zeros
IMAGES = random_array(64, 64, 3, 3, low=0.5, high=1.5)  # 4096 channels


def _failed(result: object) -> list[str]:
    return [c.what for c in result.comparisons if not c.ok]  # type: ignore[attr-defined]


def test_dropout_passes_and_says_what_holds(capsys: pytest.CaptureFixture[str]) -> None:
    check_dropout(torch.nn.Dropout(0.3), paddle.nn.Dropout(0.3), X)
    line = capsys.readouterr().out
    assert line.startswith(
        "PASS  Dropout vs Dropout, p=0.3: eval identity, keep rate within 0.7 ± 0.016 (z=5, n=20000 elements), "
        "masks differ across samples, kept values x/(1-p), grad input = mask/(1-p) agree"
    )
    assert line.endswith("(rtol=1e-06, atol=0e+00)\n") and line.count("\n") == 1


def test_the_tolerance_is_z_binomial_standard_errors() -> None:
    assert keep_rate_halfwidth(0.3, 20000, 5.0) == pytest.approx(5 * math.sqrt(0.3 * 0.7 / 20000))
    assert units_needed(0.5, 5.0, 0.05) == 2500
    assert keep_rate_halfwidth(0.5, units_needed(0.5, 5.0, 0.05), 5.0) <= 0.05


def test_a_wrong_rate_fails() -> None:
    # settings=False skips the transfer rule (which refuses p=0.3 vs 0.5 at once): the statistics must catch it.
    result = compare_dropout(torch.nn.Dropout(0.3), paddle.nn.Dropout(0.5), X, settings=False)
    assert "keep rate" in _failed(result)
    assert "keep rate: Paddle 0.4" in result.line() and "outside 0.7 ± 0.016" in result.line()
    with pytest.raises(TransferError, match="^p: torch has 0.3, Paddle has 0.5"):
        compare_dropout(torch.nn.Dropout(0.3), paddle.nn.Dropout(0.5), X)


def test_a_slightly_wrong_rate_on_a_large_input_fails() -> None:
    big = random_array(400, 500, low=0.5, high=1.5)  # 200000 elements pin the rate to ±0.005
    assert "keep rate" in _failed(compare_dropout(torch.nn.Dropout(0.3), paddle.nn.Dropout(0.32), big, settings=False))


def test_scaling_at_inference_fails_in_eval_and_in_training() -> None:
    paddle_layer = paddle.nn.Dropout(0.3, mode="downscale_in_infer")
    result = compare_dropout(torch.nn.Dropout(0.3), paddle_layer, X, settings=False)
    assert _failed(result) == ["eval identity", "kept values x/(1-p)", "grad input = mask/(1-p)"]
    assert "Paddle scales kept values by 1, not 1.42857" in result.line()
    with pytest.raises(EquivalenceError, match="^FAIL  Dropout vs Dropout, p=0.3: eval identity: Paddle changes x"):
        check_dropout(torch.nn.Dropout(0.3), paddle_layer, X, settings=False)
    with pytest.raises(TransferError, match="^mode"):
        compare_dropout(torch.nn.Dropout(0.3), paddle_layer, X)


def test_whole_channel_dropout(capsys: pytest.CaptureFixture[str]) -> None:
    check_dropout(torch.nn.Dropout2d(0.4), paddle.nn.Dropout2D(0.4), IMAGES)
    line = capsys.readouterr().out
    assert "within 0.6 ± 0.038 (z=5, n=4096 channels), whole channels, masks differ across samples, kept" in line
    # Paddle's Dropout with axis=[0, 1] draws one mask entry per (sample, channel) too.
    assert compare_dropout(torch.nn.Dropout2d(0.4), paddle.nn.Dropout(0.4, axis=[0, 1]), IMAGES, settings=False).passed


def test_elementwise_masks_fail_the_whole_channel_check() -> None:
    result = compare_dropout(torch.nn.Dropout2d(0.4), paddle.nn.Dropout(0.4), IMAGES, settings=False)
    assert _failed(result) == ["keep rate", "whole channels"]
    assert "whole channels: Paddle keeps part of " in result.line()


def test_a_too_small_sample_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^too small a sample: 100 elements pin the keep rate only to ±0.229 at z=5; "
                       r"±0.05 needs at least 2100 elements$"):
        compare_dropout(torch.nn.Dropout(0.3), paddle.nn.Dropout(0.3), X[:2, :50])
    with pytest.raises(ValueError, match="640 channels"):
        compare_dropout(torch.nn.Dropout2d(0.4), paddle.nn.Dropout2D(0.4), IMAGES[:10])
    # A wider tolerance can be asked for, and the line states it.
    small = compare_dropout(torch.nn.Dropout(0.3), paddle.nn.Dropout(0.3), X[:2, :50], max_halfwidth=0.25)
    assert "0.7 ± 0.23 (z=5, n=100 elements)" in small.line()


def test_inputs_with_zeros_are_refused() -> None:
    with pytest.raises(ValueError, match="without zeros"):
        compare_dropout(torch.nn.Dropout(0.3), paddle.nn.Dropout(0.3), np.zeros((100, 100), np.float32))


def test_p_zero_keeps_everything_exactly() -> None:
    assert compare_dropout(torch.nn.Dropout(0.0), paddle.nn.Dropout(0.0), X).passed


def test_one_mask_shared_by_all_samples_fails() -> None:
    # Paddle's Dropout(axis=1) draws one mask entry per channel and applies it to every sample,
    # as PF.dropout1d does. The keep rate rests on 64 draws then and may well pass; this may not.
    result = compare_dropout(torch.nn.Dropout2d(0.4), paddle.nn.Dropout(0.4, axis=1), IMAGES, settings=False)
    assert "masks differ across samples" in _failed(result)
    assert "Paddle draws one mask for all 64 samples" in result.line()
    # torch's side passes: each sample draws its own.
    assert "torch draws" not in result.line()


def test_pass_line_is_the_same_whatever_the_draw(capsys: pytest.CaptureFixture[str]) -> None:
    for seed in (0, 1):
        torch.manual_seed(seed)
        paddle.seed(seed)
        check_dropout(torch.nn.Dropout(0.3), paddle.nn.Dropout(0.3), X)
    first, second = capsys.readouterr().out.splitlines()
    assert first == second
