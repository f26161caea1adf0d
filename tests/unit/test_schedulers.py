"""book.schedulers: each torch schedule maps onto a Paddle scheduler giving the same rates."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest

from book.optimizers import SGD, Adam
from book.results import EquivalenceError
from book.schedulers import (
    CosineAnnealingLR,
    ExponentialLR,
    MultiStepLR,
    ScheduleMappingError,
    StepLR,
    check_schedule,
    compare_schedule,
    learning_rates,
)

SCHEDULES = [
    StepLR(step_size=2, gamma=0.5),
    StepLR(step_size=3),
    MultiStepLR(milestones=(2, 5, 6), gamma=0.3),
    ExponentialLR(gamma=0.9),
    CosineAnnealingLR(T_max=5),
    CosineAnnealingLR(T_max=4, eta_min=1e-4),  # 20 steps: down, up and down again
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=str)
def test_each_schedule_gives_the_same_rates(schedule: Any) -> None:
    t_rates, p_rates = learning_rates(schedule, 0.01, 20)
    assert t_rates[0] == p_rates[0] == 0.01
    np.testing.assert_allclose(p_rates, t_rates, rtol=1e-12, atol=0)
    assert len(set(np.round(t_rates, 12))) > 1  # the rate does change


def test_check_schedule_prints_a_pass_line(capsys: pytest.CaptureFixture[str]) -> None:
    check_schedule(StepLR(step_size=2, gamma=0.5), 0.1, 6)
    assert capsys.readouterr().out == (
        "PASS  StepLR(step_size=2, gamma=0.5) from lr=0.1, 6 scheduler steps: "
        "learning rate agree at every step (rtol=1e-12, atol=0e+00)\n"
    )


def test_a_wrong_mapping_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    # Paddle's StepDecay given torch's step size minus one: the check must see it.
    wrong = StepLR(step_size=3, gamma=0.5)
    monkeypatch.setattr(
        StepLR, "for_paddle", lambda self, lr: paddle.optimizer.lr.StepDecay(lr, self.step_size - 1, self.gamma)
    )
    result = compare_schedule(wrong, 0.1, 6)
    assert not result.passed
    assert "first at step 3" in result.line()
    with pytest.raises(EquivalenceError):
        check_schedule(wrong, 0.1, 6)


def test_a_paddle_optimizer_takes_the_scheduler_as_its_rate() -> None:
    param = paddle.create_parameter([1], "float32")
    sched = StepLR(step_size=1, gamma=0.5).for_paddle(0.2)
    opt = Adam(lr=0.2).for_paddle([param], lr=sched)
    sgd = SGD(lr=0.2, momentum=0.9).for_paddle([param], lr=sched)
    sched.step()
    assert opt.get_lr() == sgd.get_lr() == pytest.approx(0.1)
    assert SGD(lr=0.2).for_paddle([param]).get_lr() == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("make", "paddle_make"),
    [
        (lambda: StepLR(step_size=1, gamma=1.0), lambda: paddle.optimizer.lr.StepDecay(0.1, 1, 1.0)),
        (lambda: MultiStepLR(milestones=(1,), gamma=2.0), lambda: paddle.optimizer.lr.MultiStepDecay(0.1, [1], 2.0)),
        (lambda: ExponentialLR(gamma=1.0), lambda: paddle.optimizer.lr.ExponentialDecay(0.1, 1.0)),
    ],
    ids=["StepLR", "MultiStepLR", "ExponentialLR"],
)
def test_a_gamma_that_paddle_refuses_is_refused_when_made(make: Any, paddle_make: Any) -> None:
    with pytest.raises((ValueError, AssertionError)):
        paddle_make()  # Paddle 3.3.1 refuses it itself
    with pytest.raises(ScheduleMappingError, match="gamma < 1"):
        make()


def test_a_zero_or_negative_gamma_passes_where_paddle_takes_it() -> None:
    for gamma in (0.0, -0.5):
        paddle.optimizer.lr.StepDecay(0.1, 1, gamma)
        paddle.optimizer.lr.MultiStepDecay(0.1, [1], gamma)
        StepLR(step_size=1, gamma=gamma)
        MultiStepLR(milestones=(1,), gamma=gamma)
        with pytest.raises(AssertionError):
            paddle.optimizer.lr.ExponentialDecay(0.1, gamma)
        with pytest.raises(ScheduleMappingError, match="0 < gamma < 1"):
            ExponentialLR(gamma=gamma)
