"""Moving data between NumPy, torch and Paddle, and printing it deterministically.

Chapters never print a raw tensor: its repr names the device (``device='cuda:0'``,
``Place(gpu:0)``), which would make the stored output depend on the machine. They print
:func:`show` or :func:`rounded` instead, which go through NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Decimals that :func:`show` and :func:`rounded` keep.
DECIMALS = 4


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy of a torch tensor, a Paddle tensor, an array or a number (on the CPU, detached)."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch.Tensor
        return x.detach().cpu().numpy()
    if hasattr(x, "numpy"):  # paddle.Tensor
        return np.asarray(x.numpy())
    return np.asarray(x)


def random_array(*shape: int, seed: int = 0, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """A reproducible float32 array, uniform in [low, high): the same input for both frameworks."""
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(np.float32)


def rounded(x: Any, decimals: int = DECIMALS) -> np.ndarray:
    """``x`` as NumPy, rounded, with negative zeros turned into zeros (they differ across devices).

    Rounds in float64, so that values near the float32 limit (max pooling's fill value
    -3.4028e38) do not overflow to infinity, and returns the original dtype.
    """
    array = to_numpy(x)
    if np.issubdtype(array.dtype, np.floating):
        array = (np.round(array.astype(np.float64), decimals) + 0.0).astype(array.dtype)
    return array


def show(x: Any, decimals: int = DECIMALS, label: str | None = None) -> None:
    """Print ``x`` rounded, with its shape: the deterministic way to print a tensor on a page."""
    array = rounded(x, decimals)
    head = f"{label}: " if label else ""
    print(f"{head}shape {tuple(array.shape)}")
    print(np.array2string(array, precision=decimals, suppress_small=True, floatmode="maxprec", separator=" "))


def shape(x: Any) -> tuple[int, ...]:
    """The shape of a torch or Paddle tensor (or array) as a plain tuple of ints."""
    return tuple(int(d) for d in x.shape)
