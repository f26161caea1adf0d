"""book.optimizers: each torch optimizer setting maps onto a Paddle optimizer that takes the same steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import paddle
import pytest
import torch

from book.optimizers import SGD, Adam, AdamW, OptimizerMappingError

pytestmark = pytest.mark.usefixtures("seeded")

_RNG = np.random.default_rng(0)
W0 = _RNG.standard_normal((5, 4)).astype(np.float32)
B0 = _RNG.standard_normal(4).astype(np.float32)
# Six gradients of very different sizes, so that amsgrad's running maximum and epsilon both matter.
GRADS = [(_RNG.standard_normal((5, 4)).astype(np.float32) * s, _RNG.standard_normal(4).astype(np.float32))
         for s in (1, 0.01, 3, 1e-3, 1, 2)]


def _steps(make_torch: Callable[[list[Any]], Any], make_paddle: Callable[[list[Any]], Any]) -> float:
    """Max |torch - Paddle| over a weight and a bias during six steps with the same gradients."""
    tw, tb = torch.nn.Parameter(torch.tensor(W0)), torch.nn.Parameter(torch.tensor(B0))
    pw, pb = paddle.create_parameter([5, 4], "float32"), paddle.create_parameter([4], "float32")
    pw.set_value(W0)
    pb.set_value(B0)
    t_opt, p_opt = make_torch([tw, tb]), make_paddle([pw, pb])
    worst = 0.0
    for g, gb in GRADS:
        t_opt.zero_grad()
        ((tw * torch.tensor(g)).sum() + (tb * torch.tensor(gb)).sum()).backward()
        t_opt.step()
        p_opt.clear_grad()
        ((pw * paddle.to_tensor(g)).sum() + (pb * paddle.to_tensor(gb)).sum()).backward()
        p_opt.step()
        worst = max(worst, float(np.abs(tw.detach().numpy() - pw.numpy()).max()),
                    float(np.abs(tb.detach().numpy() - pb.numpy()).max()))
    assert not np.allclose(tw.detach().numpy(), W0)  # the steps moved the weights
    return worst


MAPPINGS = [
    SGD(lr=0.1),
    SGD(lr=0.1, weight_decay=0.1),
    SGD(lr=0.1, momentum=0.9),
    SGD(lr=0.1, momentum=0.9, weight_decay=0.05),
    SGD(lr=0.1, momentum=0.9, nesterov=True),
    SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05),
    SGD(lr=0.1, dampening=0.5),  # torch ignores dampening without momentum
    Adam(lr=0.01),
    Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-3),
    Adam(lr=0.01, eps=0.1),  # a large epsilon: where it sits matters
    Adam(lr=0.01, weight_decay=0.1),
    Adam(lr=0.01, betas=(0.9, 0.5), amsgrad=True),  # a small beta2: the running maximum matters
    AdamW(lr=0.01),
    AdamW(lr=0.01, weight_decay=0.5, eps=0.1),
    AdamW(lr=0.01, betas=(0.9, 0.5), weight_decay=0.3, amsgrad=True),
]


@pytest.mark.parametrize("optimizer", MAPPINGS, ids=str)
def test_each_mapping_takes_the_same_steps(optimizer: SGD | Adam | AdamW) -> None:
    assert _steps(optimizer.for_torch, optimizer.for_paddle) < 1e-6


@pytest.mark.parametrize(
    ("torch_side", "paddle_side"),
    [
        # Coupled L2 (torch Adam's weight_decay) is not AdamW's decoupled decay.
        (Adam(lr=0.01, weight_decay=0.5), AdamW(lr=0.01, weight_decay=0.5)),
        # Epsilon inside the bias correction would be eps / sqrt(1 - beta2^t), not eps.
        (Adam(lr=0.01, eps=0.1), Adam(lr=0.01, eps=0.1 / np.sqrt(1 - 0.999))),
        (Adam(lr=0.01, betas=(0.9, 0.5), amsgrad=True), Adam(lr=0.01, betas=(0.9, 0.5))),
        (SGD(lr=0.1, momentum=0.9, nesterov=True), SGD(lr=0.1, momentum=0.9)),
    ],
    ids=["coupled vs decoupled decay", "epsilon placement", "amsgrad", "nesterov"],
)
def test_the_verification_can_tell_the_settings_apart(torch_side: Any, paddle_side: Any) -> None:
    assert _steps(torch_side.for_torch, paddle_side.for_paddle) > 1e-3


def test_momentum_uses_paddles_momentum_optimizer() -> None:
    params = [paddle.create_parameter([2], "float32")]
    assert type(SGD(lr=0.1).for_paddle(params)) is paddle.optimizer.SGD
    assert type(SGD(lr=0.1, momentum=0.9, nesterov=True).for_paddle(params)) is paddle.optimizer.Momentum
    assert type(AdamW().for_paddle(params)) is paddle.optimizer.AdamW


def test_dampening_with_momentum_has_no_paddle_counterpart() -> None:
    with pytest.raises(OptimizerMappingError, match=r"^SGD\(lr=0.1, momentum=0.9, dampening=0.1\): Paddle's Momentum "
                       r"has no dampening; it accumulates v = momentum \* v \+ grad"):
        SGD(lr=0.1, momentum=0.9, dampening=0.1)
    assert issubclass(OptimizerMappingError, ValueError)


def test_torchs_own_rules_are_kept() -> None:
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        SGD(lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="must not be negative"):
        SGD(lr=-1.0)
    with pytest.raises(ValueError, match=r"betas must lie in \[0, 1\)"):
        Adam(betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="must not be negative"):
        AdamW(weight_decay=-0.1)


def test_str_names_the_settings_that_differ_from_the_defaults() -> None:
    assert str(SGD(lr=0.1)) == "SGD(lr=0.1)"
    assert str(SGD(lr=0.1, momentum=0.9, nesterov=True)) == "SGD(lr=0.1, momentum=0.9, nesterov=True)"
    assert str(Adam()) == "Adam()"
    assert str(AdamW(lr=0.01, betas=(0.9, 0.5))) == "AdamW(lr=0.01, betas=(0.9, 0.5))"


@pytest.mark.parametrize("optimizer", [SGD(lr=0.1), SGD(lr=0.1, momentum=0.9), Adam(lr=0.1), AdamW(lr=0.1)], ids=str)
def test_a_scheduler_and_a_clip_reach_the_paddle_optimizer(optimizer: SGD | Adam | AdamW) -> None:
    param = paddle.create_parameter([2], "float32")
    sched = paddle.optimizer.lr.StepDecay(0.1, step_size=1, gamma=0.5)
    clip = paddle.nn.ClipGradByGlobalNorm(1.0)
    built = optimizer.for_paddle([param], lr=sched, grad_clip=clip)
    sched.step()
    assert built.get_lr() == pytest.approx(0.05)
    assert built._grad_clip is clip
    assert optimizer.for_paddle([param]).get_lr() == pytest.approx(0.1)
