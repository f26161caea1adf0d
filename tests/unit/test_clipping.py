"""book.clipping: torch's clip_grad_norm_/clip_grad_value_ and Paddle's two spellings of each."""

from __future__ import annotations

import numpy as np
import paddle
import pytest
import torch

from book.clipping import ClipGradNorm, ClipGradValue
from book.optimizers import SGD

_RNG = np.random.default_rng(0)
GRADS = [_RNG.standard_normal((4, 3)).astype(np.float32) * 3, _RNG.standard_normal(3).astype(np.float32) * 0.1]


def _grad(tensor: torch.Tensor | paddle.Tensor) -> np.ndarray:
    assert tensor.grad is not None
    return np.asarray(tensor.grad.numpy())


def _torch_params() -> list[torch.Tensor]:
    params: list[torch.Tensor] = [torch.nn.Parameter(torch.zeros(g.shape)) for g in GRADS]
    for p, g in zip(params, GRADS, strict=True):
        p.grad = torch.tensor(g)
    return params


def _paddle_params() -> list[paddle.Tensor]:
    params = [paddle.create_parameter(list(g.shape), "float32") for g in GRADS]
    for p, g in zip(params, GRADS, strict=True):
        p.set_value(np.zeros(g.shape, np.float32))
    for p, g in zip(params, GRADS, strict=True):
        (p * paddle.to_tensor(g)).sum().backward()  # the gradient of sum(p * g) is g
    return params


def _paddle_by_optimizer(clip: ClipGradNorm | ClipGradValue) -> list[np.ndarray]:
    """The gradients as the optimizer's grad_clip clips them, read back from one SGD step of rate 1."""
    params = _paddle_params()
    SGD(lr=1.0).for_paddle(params, grad_clip=clip.for_paddle()).step()
    return [-p.numpy() for p in params]  # zero weights minus the clipped gradient


@pytest.mark.parametrize("clip", [ClipGradNorm(1.0), ClipGradNorm(2.0, norm_type=1.0), ClipGradNorm(100.0)], ids=str)
def test_clip_grad_norm_agrees_in_both_frameworks(clip: ClipGradNorm) -> None:
    t_params, p_params = _torch_params(), _paddle_params()
    t_norm, p_norm = clip.clip_torch(t_params), clip.clip_paddle(p_params)
    assert t_norm == pytest.approx(p_norm, rel=1e-6)
    for t, p in zip(t_params, p_params, strict=True):
        np.testing.assert_allclose(_grad(p), _grad(t), rtol=1e-6, atol=1e-7)
    clipped = clip.max_norm < t_norm
    assert clipped == (not np.allclose(_grad(t_params[0]), GRADS[0]))


def test_clip_grad_by_global_norm_is_the_same_rule_as_torchs() -> None:
    t_params = _torch_params()
    ClipGradNorm(1.0).clip_torch(t_params)
    for t, p in zip(t_params, _paddle_by_optimizer(ClipGradNorm(1.0)), strict=True):
        np.testing.assert_allclose(p, _grad(t), rtol=1e-5, atol=1e-7)


def test_per_tensor_clipping_is_a_different_rule() -> None:
    t_params = _torch_params()
    ClipGradNorm(1.0).clip_torch(t_params)
    params = _paddle_params()
    SGD(lr=1.0).for_paddle(params, grad_clip=paddle.nn.ClipGradByNorm(1.0)).step()
    assert not np.allclose(-params[1].numpy(), _grad(t_params[1]), rtol=1e-3)


def test_clip_grad_value_agrees_both_ways() -> None:
    clip = ClipGradValue(0.5)
    t_params, p_params = _torch_params(), _paddle_params()
    clip.clip_torch(t_params)
    clip.clip_paddle(p_params)
    by_optimizer = _paddle_by_optimizer(clip)
    for t, p, q in zip(t_params, p_params, by_optimizer, strict=True):
        np.testing.assert_array_equal(_grad(p), _grad(t))
        np.testing.assert_allclose(q, _grad(t), rtol=1e-6)
    assert np.abs(_grad(t_params[0])).max() == 0.5


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_norm"):
        ClipGradNorm(0.0)
    with pytest.raises(ValueError, match="clip_value"):
        ClipGradValue(-1.0)
    with pytest.raises(ValueError, match="2-norm"):
        ClipGradNorm(1.0, norm_type=1.0).for_paddle()
