"""book.datasets: the bundled digits, split once, and epochs of batches in a fixed order."""

from __future__ import annotations

import numpy as np
import pytest

from book.datasets import Split, batches, digits


@pytest.fixture(scope="module")
def data() -> Split:
    return digits()


def _rows(images: np.ndarray) -> list[bytes]:
    return sorted(image.tobytes() for image in images.reshape(len(images), -1))


def test_digits_are_float32_images_in_0_1_with_int64_labels(data: Split) -> None:
    assert data.x_train.shape == (1437, 1, 8, 8) and data.x_test.shape == (360, 1, 8, 8)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.x_train.min() == 0.0 and data.x_train.max() == 1.0
    assert sorted(set(data.y_test.tolist())) == list(range(10))


def test_the_split_is_disjoint_complete_and_reproducible(data: Split) -> None:
    again, other = digits(), digits(seed=1)
    assert np.array_equal(again.x_test, data.x_test) and np.array_equal(again.y_train, data.y_train)
    assert not np.array_equal(other.y_test, data.y_test)
    from sklearn.datasets import load_digits  # type: ignore[import-untyped]

    every = (load_digits().images / 16.0).astype(np.float32)
    assert _rows(np.concatenate([data.x_train, data.x_test])) == _rows(every)  # each image once


def test_digits_refuses_an_impossible_test_size() -> None:
    with pytest.raises(ValueError, match="test_size"):
        digits(test_size=0)


def test_an_epoch_is_a_permutation_in_a_fixed_order() -> None:
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    y = np.arange(10, dtype=np.int64)
    first = batches(x, y, 3, epoch=0)
    assert [len(b[1]) for b in first] == [3, 3, 3]  # the last sample is dropped
    seen = np.concatenate([b[1] for b in first])
    assert len(set(seen.tolist())) == 9
    assert all(np.array_equal(bx[:, 0], by) for bx, by in first)  # inputs stay with their targets
    assert [b[1].tolist() for b in batches(x, y, 3, epoch=0)] == [b[1].tolist() for b in first]
    assert [b[1].tolist() for b in batches(x, y, 3, epoch=1)] != [b[1].tolist() for b in first]
    assert [b[1].tolist() for b in batches(x, y, 3, epoch=0, seed=1)] != [b[1].tolist() for b in first]


def test_unshuffled_and_incomplete_batches() -> None:
    x, y = np.zeros((5, 2), np.float32), np.arange(5)
    kept = batches(x, y, 2, shuffle=False, drop_last=False)
    assert [b[1].tolist() for b in kept] == [[0, 1], [2, 3], [4]]
    assert all(b[0].flags.c_contiguous for b in kept)


def test_batches_refuses_mismatched_arrays_and_a_bad_size() -> None:
    with pytest.raises(ValueError, match="targets"):
        batches(np.zeros((3, 1)), np.zeros(2), 1)
    with pytest.raises(ValueError, match="batch_size"):
        batches(np.zeros((3, 1)), np.zeros(3), 0)
