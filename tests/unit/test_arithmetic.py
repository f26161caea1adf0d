"""book.arithmetic: the output-size formulas, the settings grid and check_formula."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from book.arithmetic import (
    FormulaMismatch,
    adaptive_bins,
    check_formula,
    conv_output_size,
    conv_transpose_output_size,
    grid,
    pool_output_size,
    same_padding_output_size,
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (dict(size=5, kernel=3), 3),
        (dict(size=5, kernel=3, padding=1), 5),
        (dict(size=5, kernel=3, stride=2, padding=1), 3),
        (dict(size=4, kernel=3, stride=2), 1),  # the window does not fit a second time
        (dict(size=7, kernel=3, dilation=2), 3),  # a dilated 3-tap kernel spans 5
        (dict(size=6, kernel=2, stride=2), 3),
        (dict(size=2, kernel=3), 0),  # no output: the caller filters such settings
    ],
)
def test_conv_output_size(args: dict[str, int], expected: int) -> None:
    assert conv_output_size(**args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (dict(size=3, kernel=3), 5),
        (dict(size=3, kernel=3, stride=2), 7),
        (dict(size=3, kernel=3, stride=2, padding=1), 5),
        (dict(size=3, kernel=3, stride=2, padding=1, output_padding=1), 6),
        (dict(size=4, kernel=2, dilation=3), 7),
    ],
)
def test_conv_transpose_output_size(args: dict[str, int], expected: int) -> None:
    assert conv_transpose_output_size(**args) == expected


def test_transposed_conv_inverts_the_conv_size() -> None:
    for size in range(3, 12):
        out = conv_output_size(size, kernel=3, stride=2, padding=1)
        restored = conv_transpose_output_size(out, kernel=3, stride=2, padding=1, output_padding=(size + 1) % 2)
        assert restored == size


@pytest.mark.parametrize(("size", "stride", "expected"), [(5, 1, 5), (5, 2, 3), (6, 2, 3), (7, 3, 3), (1, 4, 1)])
def test_same_padding_output_size(size: int, stride: int, expected: int) -> None:
    assert same_padding_output_size(size, stride) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (dict(size=8, kernel=2), 4),  # stride defaults to the kernel
        (dict(size=9, kernel=2), 4),  # floor drops the last, partial window
        (dict(size=9, kernel=2, ceil_mode=True), 5),  # ceil keeps it
        (dict(size=9, kernel=3, stride=2, padding=1), 5),
        (dict(size=7, kernel=3, stride=2, dilation=2), 2),
        (dict(size=5, kernel=2, stride=2, padding=1), 3),
        # ceil would give 4 windows; the 4th would start at padded index 6, in the right padding
        (dict(size=5, kernel=2, stride=2, padding=1, ceil_mode=True), 3),
        (dict(size=5, kernel=2, stride=2, padding=1, ceil_mode=True, ceil_correction=False), 4),
        # a 4th window of kernel 1 would start after the input (no padding): dropped by the correction
        (dict(size=4, kernel=1, stride=2, ceil_mode=True), 2),
        (dict(size=4, kernel=1, stride=2, ceil_mode=True, ceil_correction=False), 3),
        # the correction only matters with ceil_mode
        (dict(size=5, kernel=2, stride=2, padding=1, ceil_correction=False), 3),
    ],
)
def test_pool_output_size(args: dict[str, Any], expected: int) -> None:
    assert pool_output_size(**args) == expected


def test_pool_output_size_floor_mode_is_the_conv_formula() -> None:
    for s in grid(size=range(1, 9), kernel=[1, 2, 3], stride=[1, 2, 3], padding=[0, 1], dilation=[1, 2]):
        assert pool_output_size(**s) == conv_output_size(**s)


def test_pool_output_size_ceil_mode_adds_at_most_one_window() -> None:
    for s in grid(size=range(1, 12), kernel=[1, 2, 3, 4], stride=[1, 2, 3], padding=[0, 1, 2]):
        if 2 * s["padding"] > s["kernel"] or pool_output_size(**s) < 1:
            continue
        floor = pool_output_size(**s)
        torch_rule = pool_output_size(**s, ceil_mode=True)
        paddle_rule = pool_output_size(**s, ceil_mode=True, ceil_correction=False)
        assert floor <= torch_rule <= paddle_rule <= floor + 1
        # PyTorch's last window starts inside the input or the left padding
        assert (torch_rule - 1) * s["stride"] < s["size"] + s["padding"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (dict(size=5, kernel=0), "kernel, stride and dilation must be at least 1, got 0, 0, 1"),
        (dict(size=5, kernel=2, stride=0), "kernel, stride and dilation must be at least 1, got 2, 0, 1"),
        (dict(size=5, kernel=2, dilation=0), "kernel, stride and dilation must be at least 1, got 2, 2, 0"),
        (dict(size=5, kernel=2, padding=-1), "padding must not be negative, got -1"),
    ],
)
def test_pool_output_size_rejects_bad_settings(args: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        pool_output_size(**args)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("size", "output_size", "expected"),
    [
        (8, 4, [(0, 2), (2, 4), (4, 6), (6, 8)]),  # divides: plain windows of 2, stride 2
        (10, 4, [(0, 3), (2, 5), (5, 8), (7, 10)]),  # overlapping windows
        (5, 3, [(0, 2), (1, 4), (3, 5)]),  # lengths 2, 3, 2
        (7, 1, [(0, 7)]),  # global pooling
        (3, 5, [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)]),  # more outputs than inputs
        (4, 4, [(0, 1), (1, 2), (2, 3), (3, 4)]),
    ],
)
def test_adaptive_bins(size: int, output_size: int, expected: list[tuple[int, int]]) -> None:
    assert adaptive_bins(size, output_size) == expected


def test_adaptive_bins_cover_the_input_in_order() -> None:
    for size in range(1, 15):
        for out in range(1, 15):
            bins = adaptive_bins(size, out)
            assert bins[0][0] == 0 and bins[-1][1] == size
            assert all(start < end for start, end in bins)
            assert all(a[0] <= b[0] and a[1] <= b[1] and b[0] <= a[1] for a, b in itertools.pairwise(bins))


@pytest.mark.parametrize(("size", "output_size"), [(0, 2), (4, 0), (-1, -1)])
def test_adaptive_bins_rejects_empty_sizes(size: int, output_size: int) -> None:
    with pytest.raises(ValueError, match=f"^size and output_size must be at least 1, got {size} and {output_size}$"):
        adaptive_bins(size, output_size)


def test_grid_order_and_content() -> None:
    assert grid(a=[1, 2], b="xy") == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    assert grid() == [{}]
    assert grid(a=[1], b=[]) == []


def test_check_formula_pass_line(capsys: pytest.CaptureFixture[str]) -> None:
    settings = grid(size=[4, 5], kernel=[1, 3])
    check_formula(conv_output_size, settings, torch=conv_output_size, paddle=lambda **s: conv_output_size(**s))
    assert capsys.readouterr().out == "formula agrees with torch and paddle on 4 settings: PASS\n"


def test_check_formula_skips_invalid_settings(capsys: pytest.CaptureFixture[str]) -> None:
    seen = []

    def impl(**s: Any) -> int:
        seen.append(s)
        return conv_output_size(**s)

    settings = grid(size=[2, 5], kernel=[3])
    check_formula(conv_output_size, settings, valid=lambda **s: conv_output_size(**s) >= 1, torch=impl)
    assert seen == [{"size": 5, "kernel": 3}]
    assert capsys.readouterr().out == "formula agrees with torch on 1 settings: PASS\n"


def test_check_formula_against_both_frameworks(devices: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import paddle
    import torch

    def torch_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
        x, w = torch.zeros(1, 1, size), torch.zeros(1, 1, kernel)
        return torch.nn.functional.conv1d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1]

    def paddle_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
        x, w = paddle.zeros([1, 1, size]), paddle.zeros([1, 1, kernel])
        return paddle.nn.functional.conv1d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1]

    # 32 settings, of which two (size 4, dilated 3-tap kernel of span 5, no padding) have no output
    settings = grid(size=[4, 7], kernel=[1, 3], stride=[1, 2], padding=[0, 1], dilation=[1, 2])
    check_formula(
        conv_output_size, settings, valid=lambda **s: conv_output_size(**s) >= 1, torch=torch_size, paddle=paddle_size
    )
    assert capsys.readouterr().out == "formula agrees with torch and paddle on 30 settings: PASS\n"


def test_check_formula_catches_a_wrong_implementation(capsys: pytest.CaptureFixture[str]) -> None:
    def rounds_up(size: int, kernel: int, stride: int) -> int:
        return -(-(size - kernel) // stride) + 1

    settings = grid(size=[4, 5], kernel=[3], stride=[2])
    with pytest.raises(FormulaMismatch) as error:
        check_formula(conv_output_size, settings, good=conv_output_size, bad=rounds_up)
    line = "formula disagrees with good and bad on 1 of 2 settings: FAIL"
    assert str(error.value) == f"{line}\nbad gives 2, formula 1 for {{'size': 4, 'kernel': 3, 'stride': 2}}"
    assert capsys.readouterr().out == f"{line}\n"


def test_check_formula_lists_at_most_five_disagreements() -> None:
    with pytest.raises(FormulaMismatch) as error:
        check_formula(lambda n: n, grid(n=range(8)), off=lambda n: n + 1)
    lines = str(error.value).splitlines()
    assert lines[0] == "formula disagrees with off on 8 of 8 settings: FAIL"
    assert len(lines) == 6


def test_check_formula_without_valid_settings_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(FormulaMismatch, match="^no valid settings to check$"):
        check_formula(conv_output_size, grid(size=[1], kernel=[3]), valid=lambda **s: False, torch=conv_output_size)
    with pytest.raises(FormulaMismatch, match="^no valid settings to check$"):
        check_formula(conv_output_size, [], torch=conv_output_size)
    assert capsys.readouterr().out == ""


def test_formula_mismatch_is_an_assertion_error() -> None:
    assert issubclass(FormulaMismatch, AssertionError)


def test_pool_output_size_against_both_frameworks(devices: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """PyTorch applies the ceil-mode correction, Paddle 3.3.1 does not; in floor mode they agree."""
    import paddle
    import torch

    def torch_size(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool) -> int:
        x = torch.zeros(1, 1, size)
        return torch.nn.functional.max_pool1d(x, kernel, stride, padding, ceil_mode=ceil_mode).shape[-1]

    def paddle_size(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool) -> int:
        x = paddle.zeros([1, 1, size])
        return paddle.nn.functional.max_pool1d(x, kernel, stride, padding, ceil_mode=ceil_mode).shape[-1]

    settings = grid(size=[4, 5, 7], kernel=[1, 2, 3], stride=[1, 2, 3], padding=[0, 1], ceil_mode=[False, True])

    def valid(**s: Any) -> bool:
        return 2 * s["padding"] <= s["kernel"] and pool_output_size(**s) >= 1

    check_formula(pool_output_size, settings, valid=valid, torch=torch_size)
    check_formula(lambda **s: pool_output_size(**s, ceil_correction=False), settings, valid=valid, paddle=paddle_size)
    with pytest.raises(FormulaMismatch):
        check_formula(pool_output_size, settings, valid=valid, paddle=paddle_size)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == out[1].replace("paddle", "torch")
    assert out[0].startswith("formula agrees with torch on ")
    assert out[2].startswith("formula disagrees with paddle on ")


def test_adaptive_bins_against_both_frameworks(devices: Any) -> None:
    """Adaptive average pooling of a one-hot input shows which windows contain each cell."""
    import numpy as np
    import paddle
    import torch

    for size in range(1, 9):
        for out in range(1, 10):
            eye = np.eye(size, dtype=np.float32)[:, None, :]  # (size, 1, size): cell j of sample j is 1
            expected = np.zeros((size, out), dtype=np.float32)
            for i, (start, end) in enumerate(adaptive_bins(size, out)):
                expected[start:end, i] = 1 / (end - start)
            t = torch.nn.functional.adaptive_avg_pool1d(torch.tensor(eye), out).numpy()[:, 0]
            p = paddle.nn.functional.adaptive_avg_pool1d(paddle.to_tensor(eye), out).numpy()[:, 0]
            np.testing.assert_allclose(t, expected, rtol=1e-6)
            np.testing.assert_allclose(p, expected, rtol=1e-6)


def test_check_formula_counts_a_setting_once_when_both_implementations_miss_it() -> None:
    with pytest.raises(FormulaMismatch) as error:
        check_formula(lambda n: n, grid(n=range(3)), torch=lambda n: n + 1, paddle=lambda n: n + 1)
    lines = str(error.value).splitlines()
    assert lines[0] == "formula disagrees with torch and paddle on 3 of 3 settings: FAIL"
    assert len(lines) == 6  # six disagreements, the first five listed
