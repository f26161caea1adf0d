"""book.training: optimizer steps side by side, with a loss, compared after every step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import paddle
import pytest
import torch
from model_pairs import cnn_batch, paddle_cnn, torch_cnn

from book.equivalence import EquivalenceError, check_training, compare_training
from book.optimizers import SGD, Adam, AdamW, OptimizerMappingError
from book.tensors import random_array, to_numpy
from book.transfer import TransferError

pytestmark = pytest.mark.usefixtures("seeded")

TOL = "(rtol=1e-04, atol=1e-05)"
CE = (torch.nn.CrossEntropyLoss(), paddle.nn.CrossEntropyLoss())
CNN_BATCHES = [cnn_batch(s) for s in range(3)]


def test_three_adam_steps_on_a_cnn_with_cross_entropy(capsys: pytest.CaptureFixture[str]) -> None:
    t: Any = torch_cnn()
    p: Any = paddle_cnn()
    start = t[5].weight.detach().clone()
    # 384 values per channel: torch's unbiased running variance is within the tolerance of Paddle's biased one.
    check_training(t, p, *CNN_BATCHES, optimizer=Adam(lr=0.01), loss=CE)
    assert capsys.readouterr().out == (
        "PASS  Sequential vs Sequential, 3 training steps with Adam(lr=0.01) and CrossEntropyLoss: output (6, 5), "
        f"loss, grad input, 5 parameter gradients, 5 parameters, 2 buffers agree at every step {TOL}\n"
    )
    assert not torch.allclose(t[5].weight, start)
    np.testing.assert_allclose(p[5].weight.numpy(), t[5].weight.detach().numpy().T, rtol=1e-4, atol=1e-5)


def test_the_losses_of_both_frameworks_come_back() -> None:
    result = compare_training(torch_cnn(), paddle_cnn(), *CNN_BATCHES, optimizer=Adam(lr=0.01), loss=CE)
    torch_losses, paddle_losses = result.losses
    assert len(torch_losses) == len(paddle_losses) == 3
    assert all(isinstance(v, float) for v in torch_losses + paddle_losses)
    np.testing.assert_allclose(paddle_losses, torch_losses, rtol=1e-5)
    # The first loss is the cross-entropy of the untrained model: about log(5) for 5 classes.
    assert abs(torch_losses[0] - np.log(5)) < 0.5


@pytest.mark.parametrize(
    "optimizer",
    [SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), Adam(lr=0.05, weight_decay=0.1, amsgrad=True),
     AdamW(lr=0.05, weight_decay=0.5)],
    ids=str,
)
def test_each_optimizer_on_a_linear_layer(optimizer: Any) -> None:
    batches = [random_array(4, 3, seed=s) for s in range(3)]
    result = compare_training(torch.nn.Linear(3, 2), paddle.nn.Linear(3, 2), *batches, optimizer=optimizer)
    assert result.passed, result.line()
    head = f"PASS  Linear vs Linear, 3 training steps with {optimizer}: output (4, 2), grad input"
    assert result.line().startswith(head)


@dataclass(frozen=True)
class AdamIntoAdamW(Adam):
    """A wrong mapping on purpose: torch's coupled Adam decay against Paddle's decoupled AdamW."""

    def for_paddle(self, parameters: Any, *, lr: Any = None, grad_clip: Any = None) -> paddle.optimizer.Optimizer:
        return AdamW(lr=self.lr, weight_decay=self.weight_decay).for_paddle(parameters, lr=lr, grad_clip=grad_clip)


def test_a_wrong_optimizer_mapping_fails_on_the_parameters() -> None:
    result = compare_training(torch.nn.Linear(3, 2), paddle.nn.Linear(3, 2), random_array(4, 3),
                              optimizer=AdamIntoAdamW(lr=0.1, weight_decay=0.5))
    assert [(c.step, c.what) for c in result.comparisons if not c.ok] == [(1, "weight"), (1, "bias")]


def test_unmapped_optimizer_settings_raise() -> None:
    with pytest.raises(OptimizerMappingError, match="Paddle's Momentum has no dampening"):
        compare_training(torch.nn.Linear(3, 2), paddle.nn.Linear(3, 2), random_array(4, 3),
                         optimizer=SGD(lr=0.1, momentum=0.9, dampening=0.5))


def test_lr_is_short_for_plain_sgd_and_excludes_an_optimizer() -> None:
    batches = [random_array(4, 3, seed=s) for s in range(2)]
    by_lr = compare_training(torch.nn.Linear(3, 2), paddle.nn.Linear(3, 2), *batches, lr=0.3)
    assert by_lr.line().startswith("PASS  Linear vs Linear, 2 training steps: output (4, 2), grad input,")
    with pytest.raises(ValueError, match="not both"):
        compare_training(torch.nn.Linear(3, 2), paddle.nn.Linear(3, 2), *batches, lr=0.3, optimizer=SGD(lr=0.3))


def test_without_a_loss_the_random_functional_is_drawn_anew_each_step() -> None:
    t, p = torch.nn.Linear(3, 2), paddle.nn.Linear(3, 2)
    w0, b0 = t.weight.detach().clone(), t.bias.detach().clone()
    x = random_array(4, 3)
    result = compare_training(t, p, x, x, lr=0.5)
    assert result.passed
    # Replay by hand: loss_k = sum(c_k * output), c_k the k-th draw of default_rng(0).
    rng = np.random.default_rng(0)
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    losses = []
    for _ in range(2):
        c = torch.tensor(rng.standard_normal((4, 2)).astype(np.float32))
        loss = ((torch.tensor(x) @ w.T + b) * c).sum()
        losses.append(float(loss.detach()))
        gw, gb = torch.autograd.grad(loss, [w, b])
        w, b = (w - 0.5 * gw).detach().requires_grad_(), (b - 0.5 * gb).detach().requires_grad_()
    torch.testing.assert_close(t.weight.detach(), w.detach())
    np.testing.assert_allclose(result.losses[0], losses, rtol=1e-6)  # the recorded losses are the functional's


def test_loss_functions_and_nested_outputs_of_an_lstm() -> None:
    t_lstm, p_lstm = torch.nn.LSTM(4, 6, batch_first=True), paddle.nn.LSTM(4, 6)
    batches = [((random_array(2, 5, 4, seed=s), (random_array(1, 2, 6, seed=s + 1), random_array(1, 2, 6, seed=s + 2))),
                random_array(2, 5, 6, seed=s + 3)) for s in range(3)]
    loss = (lambda out, y: torch.nn.functional.mse_loss(out[0], y),
            lambda out, y: paddle.nn.functional.mse_loss(out[0], y))
    result = compare_training(t_lstm, p_lstm, *batches, optimizer=Adam(lr=0.01), loss=loss,
                              input_names=["x", ("h0", "c0")], paddle_call=lambda m, x, s: m(x, initial_states=s))
    assert result.passed, result.line()
    assert "output (2, 5, 6), (1, 2, 6), (1, 2, 6), loss, grad x, grad h0, grad c0, grad weight_ih_l0" in result.line()
    assert "with Adam(lr=0.01) and <lambda>" in result.line()


def test_loss_settings_are_checked_by_the_transfer_rules() -> None:
    with pytest.raises(TransferError, match="^reduction: torch has 'sum', Paddle has 'mean'"):
        compare_training(torch_cnn(), paddle_cnn(), *CNN_BATCHES,
                         loss=(torch.nn.CrossEntropyLoss(reduction="sum"), paddle.nn.CrossEntropyLoss()))
    with pytest.raises(TypeError, match="two modules or two functions"):
        compare_training(torch_cnn(), paddle_cnn(), *CNN_BATCHES,
                         loss=(torch.nn.CrossEntropyLoss(), paddle.nn.functional.cross_entropy))


def test_a_batch_without_targets_is_refused_when_there_is_a_loss() -> None:
    with pytest.raises(ValueError, match=r"^batch 1: with a loss, each batch is a pair \(inputs, targets\)"):
        compare_training(torch_cnn(), paddle_cnn(), CNN_BATCHES[0][0], loss=CE)


def test_mismatched_submodules_are_a_transfer_error() -> None:
    paddle_model = paddle_cnn()
    del paddle_model._sub_layers["2"]
    with pytest.raises(TransferError, match="^2: the Paddle model has no submodule '2'"):
        compare_training(torch_cnn(), paddle_model, *CNN_BATCHES, loss=CE)


def test_a_failing_step_stops_the_training_and_raises(capsys: pytest.CaptureFixture[str]) -> None:
    match = r"^FAIL  Linear vs Linear, 2 training steps: step 1, output: max \|diff\|"
    with pytest.raises(EquivalenceError, match=match):
        check_training(torch.nn.Linear(3, 2), paddle.nn.Linear(3, 2), random_array(4, 3), random_array(4, 3),
                       copy=False)
    assert capsys.readouterr().out.startswith("FAIL  ")


def test_a_layer_without_trainable_parameters_trains_its_buffers(capsys: pytest.CaptureFixture[str]) -> None:
    t, p = torch.nn.BatchNorm1d(3, affine=False), paddle.nn.BatchNorm1D(3, weight_attr=False, bias_attr=False)
    batches = [random_array(64, 3, seed=s) * 2 + 1 for s in (1, 2)]
    check_training(t, p, *batches, optimizer=Adam(lr=0.1), skip=["running_var"])  # Paddle: biased variance
    line = capsys.readouterr().out
    assert line.startswith("PASS") and "running_mean" in line
    assert not np.allclose(to_numpy(t.running_mean), 0)


def test_gradient_clipping_in_both_frameworks(capsys: pytest.CaptureFixture[str]) -> None:
    from book.clipping import ClipGradNorm

    t: Any = torch_cnn()
    p: Any = paddle_cnn()
    check_training(t, p, *CNN_BATCHES, optimizer=SGD(lr=0.5), loss=CE, clip=ClipGradNorm(0.01))
    line = capsys.readouterr().out
    assert line.startswith("PASS  Sequential vs Sequential, 3 training steps with SGD(lr=0.5) and CrossEntropyLoss, "
                           "ClipGradNorm(max_norm=0.01, norm_type=2.0): ")
    # Clipping in torch alone must show in the parameters after the first step.
    t2: Any = torch_cnn()
    p2: Any = paddle_cnn()

    class TorchOnly(ClipGradNorm):
        def clip_paddle(self, parameters: Any) -> float:
            return 0.0

    result = compare_training(t2, p2, *CNN_BATCHES, optimizer=SGD(lr=0.5), loss=CE, clip=TorchOnly(0.01))
    assert not result.passed
    assert "step 1, " in result.line()
