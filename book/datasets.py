"""Data that an installed package ships, split and batched once in NumPy for both frameworks.

Two frameworks trained side by side must see the same numbers in the same order. Each
framework's own loader (``torch.utils.data.DataLoader``, ``paddle.io.DataLoader``) shuffles
with its own generator, so the order is made here instead, from one NumPy generator, and both
frameworks consume the very same arrays::

    data = digits()                                   # scikit-learn's bundled 8x8 digits
    epochs = [batches(data.x_train, data.y_train, 64, epoch=e) for e in range(3)]

Nothing is downloaded: ``sklearn.datasets.load_digits`` reads a file inside the package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Batch = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Split:
    """Inputs (float32) and class labels (int64) for training and for held-out testing."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def digits(test_size: int = 360, seed: int = 0) -> Split:
    """scikit-learn's 1797 8x8 digits as ``(N, 1, 8, 8)`` float32 in [0, 1] and int64 labels 0-9.

    ``test_size`` images, drawn by a NumPy generator seeded with ``seed``, are held out; the
    rest, in their original order, are the training set.
    """
    from sklearn.datasets import load_digits  # type: ignore[import-untyped]  # only this function needs it

    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)[:, None, :, :]
    labels = data.target.astype(np.int64)
    if not 0 < test_size < len(labels):
        raise ValueError(f"test_size must lie between 1 and {len(labels) - 1}, not {test_size}")
    order = np.random.default_rng(seed).permutation(len(labels))
    test, train = np.sort(order[:test_size]), np.sort(order[test_size:])
    return Split(images[train], labels[train], images[test], labels[test])


def batches(
    inputs: np.ndarray,
    targets: np.ndarray,
    batch_size: int,
    *,
    epoch: int = 0,
    seed: int = 0,
    shuffle: bool = True,
    drop_last: bool = True,
) -> list[Batch]:
    """One epoch of ``(inputs, targets)`` batches in a fixed order.

    The order of epoch ``e`` is a permutation drawn from ``numpy.random.default_rng([seed, e])``:
    the same for every call with the same arguments, different from epoch to epoch. With
    ``drop_last`` the incomplete last batch is left out (a batch of one sample cannot be
    batch-normalized in training mode). The arrays are contiguous copies, safe to hand to
    ``torch.from_numpy`` and ``paddle.to_tensor``.
    """
    if len(inputs) != len(targets):
        raise ValueError(f"{len(inputs)} inputs but {len(targets)} targets")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, not {batch_size}")
    order = np.random.default_rng([seed, epoch]).permutation(len(inputs)) if shuffle else np.arange(len(inputs))
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    chunks = [order[i : i + batch_size] for i in range(0, stop, batch_size)]
    return [(np.ascontiguousarray(inputs[c]), np.ascontiguousarray(targets[c])) for c in chunks]
