"""Shared checks of the rule tests (tests/unit/test_rules_*.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from book.tensors import to_numpy
from book.transfer import TransferError, copy_weights


def weights(layer: Any) -> dict[str, np.ndarray]:
    """Every parameter of a torch or Paddle layer as a NumPy copy, by name."""
    return {name: to_numpy(value).copy() for name, value in layer.named_parameters()}


def assert_mismatch_copies_nothing(t: Any, p: Any, message: str) -> None:
    """copy_weights(t, p) raises a TransferError matching ``message`` and leaves p's weights as they were."""
    before = weights(p)
    with pytest.raises(TransferError, match=message):
        copy_weights(t, p)
    after = weights(p)
    assert after.keys() == before.keys()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name])
