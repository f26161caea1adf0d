"""Model pairs shared by the whole-model tests (checks, training, divergence): one definition, both frameworks."""

from __future__ import annotations

import numpy as np
import paddle
import torch

from book.tensors import random_array

#: The CNN's input: 6 images of 3 x 8 x 8, and 5 classes.
CNN_INPUT = (6, 3, 8, 8)
CLASSES = 5


def torch_cnn() -> torch.nn.Sequential:
    """conv, BatchNorm, ReLU, max pooling, flatten, linear."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1, bias=False),  # BatchNorm follows: a bias would get a zero gradient
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 4 * 4, CLASSES),
    )


def paddle_cnn() -> paddle.nn.Sequential:
    """The same CNN in Paddle."""
    return paddle.nn.Sequential(
        paddle.nn.Conv2D(3, 4, 3, padding=1, bias_attr=False),
        paddle.nn.BatchNorm2D(4),
        paddle.nn.ReLU(),
        paddle.nn.MaxPool2D(2),
        paddle.nn.Flatten(),
        paddle.nn.Linear(4 * 4 * 4, CLASSES),
    )


def cnn_batch(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Images and int64 class labels."""
    labels = np.random.default_rng(seed + 100).integers(0, CLASSES, CNN_INPUT[0]).astype(np.int64)
    return random_array(*CNN_INPUT, seed=seed), labels
