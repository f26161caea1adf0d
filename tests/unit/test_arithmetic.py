"""book.arithmetic: the output-size formulas, the settings grid and check_formula."""

from __future__ import annotations

from typing import Any

import pytest

from book.arithmetic import (
    FormulaMismatch,
    check_formula,
    conv_output_size,
    conv_transpose_output_size,
    grid,
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
