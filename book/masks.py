"""Dropout with the same random masks in both frameworks, so that training with dropout on can be compared.

torch and Paddle draw dropout masks from their own generators, so even with equal seeds a
model trained with dropout takes different steps in each framework from the first batch on.
:func:`share_dropout_masks` replaces every ``Dropout`` of a model pair by a twin that draws its
keep/drop mask from a NumPy generator instead, one per framework and both seeded alike::

    share_dropout_masks(t_model, p_model, seed=0)   # before training; both models change in place

Each forward pass in training mode then draws the next mask of the same NumPy stream in both
frameworks, in the same order, and scales it as torch does (kept values times ``1 / (1 - p)``,
one float32 array used by both). Evaluation mode is the identity, as for ``Dropout``. This is
the way to prove a port right with dropout on; the model itself is unchanged in meaning.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import torch

from book.transfer import pairs_of


def _scaled_mask(rng: np.random.Generator, shape: tuple[int, ...], p: float) -> np.ndarray:
    """Kept entries ``1 / (1 - p)``, dropped ones 0, drawn from ``rng`` (float32)."""
    if p >= 1.0:
        return np.zeros(shape, dtype=np.float32)
    keep = rng.random(shape) >= p
    return (keep / np.float32(1.0 - p)).astype(np.float32)


class TorchSharedDropout(torch.nn.Module):
    """``torch.nn.Dropout(p)`` whose masks come from a NumPy generator (see :func:`share_dropout_masks`)."""

    def __init__(self, p: float, rng: np.random.Generator) -> None:
        super().__init__()
        self.p, self.rng = float(p), rng

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        mask = torch.from_numpy(_scaled_mask(self.rng, tuple(x.shape), self.p)).to(x.device, x.dtype)
        return x * mask


class PaddleSharedDropout(paddle.nn.Layer):
    """``paddle.nn.Dropout(p)`` whose masks come from a NumPy generator (see :func:`share_dropout_masks`)."""

    def __init__(self, p: float, rng: np.random.Generator) -> None:
        super().__init__()
        self.p, self.rng = float(p), rng

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        if not self.training or self.p == 0.0:
            return x
        mask = paddle.to_tensor(_scaled_mask(self.rng, tuple(x.shape), self.p), dtype=x.dtype)
        return x * mask


def _replace(model: Any, name: str, new: Any) -> None:
    """Set the submodule at dotted ``name`` of ``model`` to ``new``."""
    *path, last = name.split(".")
    parent = model
    for part in path:
        parent = getattr(parent, part)
    setattr(parent, last, new)


def share_dropout_masks(torch_model: torch.nn.Module, paddle_model: paddle.nn.Layer, seed: int = 0) -> list[str]:
    """Replace every paired elementwise ``Dropout`` by twins drawing the same masks; returns their names.

    The pairs come from :func:`book.transfer.pairs_of`, whose rules have already checked that
    each pair has the same ``p`` and that Paddle scales in training (``upscale_in_train``).
    Both replacements share nothing: each framework has its own NumPy generator, seeded with
    ``seed``, so the masks agree as long as both models are called on the same shapes in the
    same order. Channel-wise dropout (``Dropout2d``) is left alone.
    """
    names = []
    for name, t_layer, p_layer in pairs_of(torch_model, paddle_model):
        if type(t_layer) is torch.nn.Dropout and type(p_layer) is paddle.nn.Dropout:
            if not name:
                raise ValueError("the model is a Dropout itself; share masks inside a model")
            _replace(torch_model, name, TorchSharedDropout(t_layer.p, np.random.default_rng(seed)))
            _replace(paddle_model, name, PaddleSharedDropout(p_layer.p, np.random.default_rng(seed)))
            names.append(name)
    return names
