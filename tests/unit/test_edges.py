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
    assert point_name(2.9999998) == "2.9999998"  # ":g" would call it 3


def test_evaluate_gives_values_and_derivatives() -> None:
    points = evaluate_edges(torch.tanh, paddle.tanh, [0.0, 100.0])
    assert [(p.torch_value, p.torch_grad) for p in points] == [(0.0, 1.0), (1.0, 0.0)]
    assert all(p.agrees for p in points)
    assert [p.length for p in evaluate_edges(torch.tanh, paddle.tanh, [0.0], length=64)] == [64]


def test_each_point_is_evaluated_alone_whatever_the_list_length() -> None:
    # torch's relu6 gradient at NaN comes from the scalar loop (1) or the vectorised one (0).
    alone = evaluate_edges(F.relu6, paddle.nn.functional.relu6, [NAN])[0]
    in_a_list = evaluate_edges(F.relu6, paddle.nn.functional.relu6, [1.0] * 15 + [NAN])[-1]
    filled = evaluate_edges(F.relu6, paddle.nn.functional.relu6, [NAN], length=64)[0]
    assert alone.torch_grad == in_a_list.torch_grad == 1.0
    assert filled.torch_grad == 0.0


def test_a_length_dependent_point_must_be_stated_as_such() -> None:
    r6_t, r6_p = F.relu6, paddle.nn.functional.relu6
    passed, line = compare_edges(r6_t, r6_p, [1.0, NAN], varies=[NAN], label="relu6")
    assert passed
    assert line.endswith("value and grad agree; the length decides at nan, as stated (rtol=1e-04, atol=1e-05)")
    passed, line = compare_edges(r6_t, r6_p, [1.0, NAN], differ=[NAN], label="relu6")
    assert not passed and "grad depends on the length at nan" in line and "stated to differ, they do not" in line
    passed, line = compare_edges(torch.tanh, paddle.tanh, [1.0, NAN], varies=[NAN])
    assert not passed and "stated to depend on the length, they do not" in line
    with pytest.raises(ValueError, match="both"):
        compare_edges(r6_t, r6_p, [NAN], differ=[NAN], varies=[NAN])


def test_agreement_passes_and_names_the_points() -> None:
    passed, line = compare_edges(torch.tanh, paddle.tanh, EDGES, label="tanh")
    assert passed
    assert line == (
        f"PASS  tanh at {len(EDGES)} edge points, lengths 1 and 64: value and grad agree (rtol=1e-04, atol=1e-05)"
    )


def test_an_unstated_difference_fails_naming_the_point() -> None:
    # ReLU: torch propagates NaN, Paddle returns 0 there.
    passed, line = compare_edges(F.relu, paddle.nn.functional.relu, [1.0, NAN], label="relu")
    assert not passed
    expected = (
        "FAIL  relu at 2 edge points, lengths 1 and 64: value and grad differ at nan "
        "(length 1: torch f=nan, df=1; Paddle f=0, df=0)"
    )
    assert line.startswith(expected)


def test_a_stated_difference_passes_and_a_vanished_one_fails() -> None:
    passed, line = compare_edges(F.relu, paddle.nn.functional.relu, [1.0, NAN], differ=[NAN], label="relu")
    assert passed and "except at nan, as stated" in line
    passed, line = compare_edges(torch.tanh, paddle.tanh, [1.0, NAN], differ=[NAN], label="tanh")
    assert not passed and "at nan, stated to differ, they do not" in line


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
    assert table[0].split() == ["x", "len", "torch", "f", "Paddle", "f", "torch", "df", "Paddle", "df"]
    assert table[1].split() == ["-0", "1", "0", "0", "0", "0"]
    assert table[2].split() == ["-0", "64", "0", "0", "0", "0"]
    assert table[3].split() == ["nan", "1", "nan", "0", "1", "0", "<-", "value", "and", "grad"]
    assert len(edge_table(F.relu, paddle.nn.functional.relu, [-0.0, NAN], only_differences=True).splitlines()) == 3
