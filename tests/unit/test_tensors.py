"""book.tensors: conversion to NumPy, rounding without negative zeros, and deterministic printing."""

from __future__ import annotations

import numpy as np
import paddle
import pytest
import torch

from book.tensors import DECIMALS, random_array, rounded, shape, show, to_numpy

pytestmark = pytest.mark.usefixtures("seeded")


def test_to_numpy_of_a_torch_tensor_that_needs_grad() -> None:
    t = torch.tensor([[1.0, 2.0]], requires_grad=True) * 2
    array = to_numpy(t)
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, [[2.0, 4.0]])


def test_to_numpy_of_a_paddle_tensor() -> None:
    p = paddle.to_tensor([1, 2, 3])
    array = to_numpy(p)
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.int64
    np.testing.assert_array_equal(array, [1, 2, 3])


def test_to_numpy_of_a_paddle_tensor_that_needs_grad() -> None:
    p = paddle.to_tensor([0.5], stop_gradient=False) * 2
    np.testing.assert_array_equal(to_numpy(p), [1.0])


def test_to_numpy_of_plain_values() -> None:
    np.testing.assert_array_equal(to_numpy([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))
    assert to_numpy(2.5).shape == ()
    a = np.ones(3)
    assert to_numpy(a) is a


def test_rounded_removes_negative_zeros() -> None:
    values = rounded(torch.tensor([-0.00001, -0.0, 1.23456, -2.5]))
    np.testing.assert_array_equal(values, np.array([0.0, 0.0, 1.2346, -2.5], dtype=np.float32))
    assert not np.signbit(values[:2]).any()


def test_rounded_does_not_overflow_near_the_float32_limit() -> None:
    # Max pooling fills an all-padding window with the lowest float32; rounding must keep it finite.
    with np.errstate(all="raise"):
        values = rounded(np.array([np.finfo(np.float32).min, 1.23456], dtype=np.float32))
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, np.array([np.finfo(np.float32).min, 1.2346], dtype=np.float32))


def test_rounded_keeps_integers() -> None:
    values = rounded(paddle.to_tensor([-3, 0, 7]))
    assert values.dtype == np.int64
    np.testing.assert_array_equal(values, [-3, 0, 7])


def test_rounded_takes_the_decimals() -> None:
    assert DECIMALS == 4
    np.testing.assert_array_equal(rounded(np.array([1.26, -0.04]), decimals=1), [1.3, 0.0])


def test_show_prints_the_shape_and_rounded_values(capsys: pytest.CaptureFixture[str]) -> None:
    show(np.array([[1.23456, -0.00001], [2, 3]], dtype=np.float32), label="x")
    show(torch.tensor([0.5, -1 / 3]))
    show(paddle.to_tensor([[1, 2], [3, 4]]))
    assert capsys.readouterr().out == (
        "x: shape (2, 2)\n"
        "[[1.2346 0.    ]\n"
        " [2.     3.    ]]\n"
        "shape (2,)\n"
        "[ 0.5    -0.3333]\n"
        "shape (2, 2)\n"
        "[[1 2]\n"
        " [3 4]]\n"
    )


def test_show_is_the_same_for_both_frameworks(capsys: pytest.CaptureFixture[str]) -> None:
    x = random_array(2, 3)
    show(torch.tensor(x))
    from_torch = capsys.readouterr().out
    show(paddle.to_tensor(x))
    assert capsys.readouterr().out == from_torch
    assert "device" not in from_torch and "Place" not in from_torch


def test_random_array_is_reproducible_float32() -> None:
    a = random_array(3, 4)
    assert a.dtype == np.float32
    assert a.shape == (3, 4)
    np.testing.assert_array_equal(a, random_array(3, 4))
    assert not np.array_equal(a, random_array(3, 4, seed=1))
    assert ((-1 <= a) & (a < 1)).all()


def test_random_array_range() -> None:
    a = random_array(1000, low=2.0, high=3.0)
    assert ((2 <= a) & (a < 3)).all()


def test_random_array_ignores_the_global_seed() -> None:
    np.random.seed(1)
    a = random_array(5)
    np.random.seed(2)
    np.testing.assert_array_equal(random_array(5), a)


def test_shape() -> None:
    assert shape(torch.zeros(2, 3)) == (2, 3)
    assert shape(paddle.zeros([4, 1, 2])) == (4, 1, 2)
    assert shape(np.zeros(())) == ()
    assert all(type(d) is int for d in shape(paddle.zeros([4, 1])))
