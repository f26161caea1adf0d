"""book.edges: NaN and infinities compared as answers, stated differences required both ways."""

from __future__ import annotations

import paddle
import pytest
import torch
import torch.nn.functional as F

from book.edges import EDGES, INF, NAN, check_edges, compare_edges, edge_table, evaluate_edges, point_name, same_number
from book.results import EquivalenceError

pytestmark = pytest.mark.usefixtures("seeded")


def test_same_number_treats_nan_and_infinity_as_values() -> None:
    assert same_number(NAN, NAN)
    assert same_number(INF, INF)
    assert not same_number(INF, -INF)
    assert not same_number(NAN, 0.0)
    assert not same_number(1.0, NAN)
    assert not same_number(INF, 3e38)
    assert same_number(1.0, 1.0 + 1e-6)
    assert not same_number(1.0, 1.01)


def test_point_names() -> None:
    assert [point_name(v) for v in (0.0, -0.0, 6.0, 1e30, -INF, NAN)] == ["0", "-0", "6", "1e+30", "-inf", "nan"]


def test_evaluate_gives_values_and_derivatives() -> None:
    points = evaluate_edges(torch.tanh, paddle.tanh, [0.0, 100.0])
    assert [(p.torch_value, p.torch_grad) for p in points] == [(0.0, 1.0), (1.0, 0.0)]
    assert all(p.agrees for p in points)


def test_agreement_passes_and_names_the_points() -> None:
    passed, line = compare_edges(torch.tanh, paddle.tanh, EDGES, label="tanh")
    assert passed
    assert line == f"PASS  tanh at {len(EDGES)} edge points: value and grad agree (rtol=1e-04, atol=1e-05)"


def test_an_unstated_difference_fails_naming_the_point() -> None:
    # ReLU: torch propagates NaN, Paddle returns 0 there.
    passed, line = compare_edges(F.relu, paddle.nn.functional.relu, [1.0, NAN], label="relu")
    assert not passed
    expected = "FAIL  relu at 2 edge points: value and grad differ at nan (torch f=nan, df=1; Paddle f=0, df=0)"
    assert line.startswith(expected)


def test_a_stated_difference_passes_and_a_vanished_one_fails() -> None:
    passed, line = compare_edges(F.relu, paddle.nn.functional.relu, [1.0, NAN], differ=[NAN], label="relu")
    assert passed and "except at nan, as stated" in line
    passed, line = compare_edges(torch.tanh, paddle.tanh, [1.0, NAN], differ=[NAN], label="tanh")
    assert not passed and "agree at nan, stated to differ" in line


def test_zero_signs_are_distinct_points() -> None:
    # leaky_relu's derivative at 0 and at -0: torch the slope, Paddle 1.
    lr_t, lr_p = F.leaky_relu, paddle.nn.functional.leaky_relu
    assert compare_edges(lr_t, lr_p, [0.0, -0.0, 2.0], differ=[0.0, -0.0])[0]
    assert not compare_edges(lr_t, lr_p, [0.0, -0.0, 2.0], differ=[0.0])[0]


def test_check_edges_raises_and_rejects_unknown_points(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(EquivalenceError, match=r"^FAIL  relu"):
        check_edges(F.relu, paddle.nn.functional.relu, [NAN], label="relu")
    assert capsys.readouterr().out.startswith("FAIL  relu")
    with pytest.raises(ValueError, match="not evaluated"):
        compare_edges(torch.tanh, paddle.tanh, [1.0], differ=[2.0])


def test_edge_table_marks_differences() -> None:
    table = edge_table(F.relu, paddle.nn.functional.relu, [-0.0, NAN]).splitlines()
    assert table[0].split() == ["x", "torch", "f", "Paddle", "f", "torch", "df", "Paddle", "df"]
    assert table[1].split() == ["-0", "0", "0", "0", "0"]
    assert table[2].split() == ["nan", "nan", "0", "1", "0", "<-", "value", "and", "grad"]
    assert len(edge_table(F.relu, paddle.nn.functional.relu, [-0.0, NAN], only_differences=True).splitlines()) == 2
