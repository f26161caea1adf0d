"""book.equivalence: the PASS/FAIL line, and every kind of disagreement it must catch."""

from __future__ import annotations

from typing import Any

import numpy as np
import paddle
import pytest
import torch
from model_pairs import CNN_INPUT, paddle_cnn, torch_cnn

from book.equivalence import (
    FLOAT32,
    CheckResult,
    Comparison,
    EquivalenceError,
    Tolerance,
    check_functions,
    check_layers,
    check_reference,
    check_state,
    check_training,
    compare_functions,
    compare_layers,
    compare_state,
    compare_training,
)
from book.tensors import random_array, to_numpy
from book.transfer import Param, TransferError, copy_weights, register

pytestmark = pytest.mark.usefixtures("seeded")

TOL = "(rtol=1e-04, atol=1e-05)"
INTEGERS = np.array([[1.0, 2.0, -3.0], [0.0, 4.0, 5.0]], dtype=np.float32)


def _conv_pair() -> tuple[Any, Any]:
    return torch.nn.Conv2d(3, 8, 3), paddle.nn.Conv2D(3, 8, 3)


# ----------------------------------------------------------------------------- tolerance and result


def test_tolerance_str() -> None:
    assert FLOAT32 == Tolerance(rtol=1e-4, atol=1e-5)
    assert str(FLOAT32) == "rtol=1e-04, atol=1e-05"
    assert str(Tolerance(rtol=1e-6, atol=0)) == "rtol=1e-06, atol=0e+00"
    assert str(Tolerance(rtol=1.5e-4, atol=1e-5)) == "rtol=1.5e-04, atol=1e-05"


def test_a_result_with_nothing_compared_fails() -> None:
    result = CheckResult("a vs b", [], FLOAT32)
    assert not result.passed
    assert result.line() == f"FAIL  a vs b: nothing compared {TOL}"


def test_result_line_lists_outputs_and_gradients() -> None:
    result = CheckResult("a vs b", [(2, 3), (4,)], FLOAT32, [Comparison("output 0", True), Comparison("grad x", True)])
    assert result.passed
    assert result.line() == f"PASS  a vs b: output (2, 3), (4,), grad x agree {TOL}"
    result.comparisons.append(Comparison("grad y", False, "max |diff| 1.00e+00"))
    assert result.line() == f"FAIL  a vs b: grad y: max |diff| 1.00e+00 {TOL}"


# ----------------------------------------------------------------------------- layers


def test_check_layers_prints_one_pass_line(capsys: pytest.CaptureFixture[str]) -> None:
    check_layers(*_conv_pair(), random_array(2, 3, 7, 7))
    assert capsys.readouterr().out == (
        f"PASS  Conv2d vs Conv2D: output (2, 8, 5, 5), grad input, grad weight, grad bias agree {TOL}\n"
    )


def test_check_layers_copies_the_weights() -> None:
    t, p = _conv_pair()
    assert not np.array_equal(to_numpy(p.weight), t.weight.detach().numpy())
    compare_layers(t, p, random_array(1, 3, 5, 5))
    np.testing.assert_array_equal(to_numpy(p.weight), t.weight.detach().numpy())


def test_different_weights_fail_naming_the_output(capsys: pytest.CaptureFixture[str]) -> None:
    match = r"^FAIL  Conv2d vs Conv2D: output: max \|diff\| \d\.\d\de[+-]\d\d \(rtol"
    with pytest.raises(EquivalenceError, match=match):
        check_layers(*_conv_pair(), random_array(2, 3, 7, 7), copy=False)
    line = capsys.readouterr().out
    assert line.startswith("FAIL  Conv2d vs Conv2D: output: max |diff| ")
    assert line.endswith(f"{TOL}\n")


def test_equivalence_error_is_an_assertion_error() -> None:
    assert issubclass(EquivalenceError, AssertionError)


def test_check_layers_twice_does_not_accumulate_gradients(capsys: pytest.CaptureFixture[str]) -> None:
    t, p = _conv_pair()
    x = random_array(1, 3, 5, 5)
    check_layers(t, p, x)
    check_layers(t, p, x)
    assert capsys.readouterr().out.count("PASS  ") == 2


def test_check_layers_without_grad_and_with_a_label(capsys: pytest.CaptureFixture[str]) -> None:
    check_layers(*_conv_pair(), random_array(1, 3, 5, 5), grad=False, label="conv", input_names=["x"])
    assert capsys.readouterr().out == f"PASS  conv: output (1, 8, 3, 3) agree {TOL}\n"


def test_check_layers_names_the_input(capsys: pytest.CaptureFixture[str]) -> None:
    check_layers(torch.nn.PixelShuffle(2), paddle.nn.PixelShuffle(2), random_array(1, 8, 2, 2), input_names=["x"])
    assert capsys.readouterr().out == f"PASS  PixelShuffle vs PixelShuffle: output (1, 2, 4, 4), grad x agree {TOL}\n"


def test_a_configuration_mismatch_is_a_transfer_error_even_without_copying() -> None:
    with pytest.raises(TransferError, match="^stride: "):
        compare_layers(torch.nn.Conv1d(2, 2, 3), paddle.nn.Conv1D(2, 2, 3, stride=2), random_array(1, 2, 8), copy=False)


def test_compare_layers_returns_without_printing(capsys: pytest.CaptureFixture[str]) -> None:
    good = compare_layers(*_conv_pair(), random_array(1, 3, 5, 5))
    bad = compare_layers(*_conv_pair(), random_array(1, 3, 5, 5), copy=False)
    assert good.passed and not bad.passed
    assert [c.what for c in good.comparisons] == ["output", "grad input", "grad weight", "grad bias"]
    assert [c.what for c in bad.comparisons] == ["output"]  # gradients are not compared once outputs differ
    assert capsys.readouterr() == ("", "")


class TorchScale(torch.nn.Module):
    """y = a * weight + b: a layer with two inputs and one parameter."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.rand(3))

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a * self.weight + b


class PaddleScale(paddle.nn.Layer):
    """Paddle's y = a * weight + b; ``mode`` plants a gradient bug with the same forward."""

    def __init__(self, mode: str = "right") -> None:
        super().__init__()
        self.weight = self.create_parameter([3])
        self.mode = mode

    def forward(self, a: paddle.Tensor, b: paddle.Tensor) -> paddle.Tensor:
        w = self.weight
        if self.mode == "no weight grad":
            return a * w.detach() + b
        if self.mode == "double weight grad":  # adds zero, but doubles the weight's gradient
            return a * w + b + a * (w - w.detach())
        return a * w + b


@pytest.fixture
def scale_rule(rules: dict[type, Any]) -> None:
    register(TorchScale, PaddleScale)(lambda t, p: [Param("weight", "weight")])


def test_two_inputs_get_their_names(scale_rule: None, capsys: pytest.CaptureFixture[str]) -> None:
    x, y = random_array(2, 3, seed=1), random_array(2, 3, seed=2)
    check_layers(TorchScale(), PaddleScale(), x, y)
    check_layers(TorchScale(), PaddleScale(), x, y, input_names=["a", "b"])
    assert capsys.readouterr().out.splitlines() == [
        f"PASS  TorchScale vs PaddleScale: output (2, 3), grad input 0, grad input 1, grad weight agree {TOL}",
        f"PASS  TorchScale vs PaddleScale: output (2, 3), grad a, grad b, grad weight agree {TOL}",
    ]


def test_compare_layers_rejects_the_wrong_number_of_input_names(scale_rule: None) -> None:
    t, p = TorchScale(), PaddleScale()
    before = p.weight.numpy().copy()
    with pytest.raises(ValueError, match="^1 input names for 2 inputs$"):
        compare_layers(t, p, random_array(2, 3), random_array(2, 3), input_names=["a"])
    np.testing.assert_array_equal(p.weight.numpy(), before)


def test_a_wrong_parameter_gradient_fails(scale_rule: None) -> None:
    result = compare_layers(TorchScale(), PaddleScale("double weight grad"), random_array(2, 3), random_array(2, 3))
    assert [c.what for c in result.comparisons if not c.ok] == ["grad weight"]
    assert result.line().startswith("FAIL  TorchScale vs PaddleScale: grad weight: max |diff| ")


def test_a_missing_parameter_gradient_fails(scale_rule: None) -> None:
    result = compare_layers(TorchScale(), PaddleScale("no weight grad"), random_array(2, 3), random_array(2, 3))
    assert result.line() == (
        f"FAIL  TorchScale vs PaddleScale: grad weight: torch grad present, Paddle grad missing {TOL}"
    )


# ----------------------------------------------------------------------------- functions


def test_check_functions_pass_line(capsys: pytest.CaptureFixture[str]) -> None:
    check_functions(torch.nn.functional.relu, paddle.nn.functional.relu, random_array(2, 3), input_names=["x"])
    assert capsys.readouterr().out == f"PASS  relu vs relu: output (2, 3), grad x agree {TOL}\n"


def test_a_wrong_gradient_fails_even_when_outputs_agree(capsys: pytest.CaptureFixture[str]) -> None:
    # round(x) == x on integers, but round's gradient is zero and x's is one.
    with pytest.raises(EquivalenceError, match=r"grad x: max \|diff\|"):
        check_functions(torch.round, lambda x: x * 1.0, INTEGERS, input_names=["x"])
    assert capsys.readouterr().out.startswith("FAIL  round vs function: grad x: max |diff| ")


def test_grad_false_compares_outputs_only(capsys: pytest.CaptureFixture[str]) -> None:
    result = compare_functions(torch.round, lambda x: x * 1.0, INTEGERS, grad=False)
    assert result.passed
    assert [c.what for c in result.comparisons] == ["output"]
    assert result.line() == f"PASS  round vs function: output (2, 3) agree {TOL}"
    assert capsys.readouterr() == ("", "")


def test_tuple_outputs_are_compared_one_by_one() -> None:
    def both(a: Any, b: Any) -> tuple[Any, Any]:
        return a * b, a + b

    a, b = random_array(2, 3, seed=1), random_array(2, 3, seed=2)
    result = compare_functions(both, both, a, b, input_names=["a", "b"])
    assert result.line() == f"PASS  both vs both: output (2, 3), (2, 3), grad a, grad b agree {TOL}"
    wrong = compare_functions(both, lambda a, b: (a * b, a - b), random_array(2, 3, seed=1), random_array(2, 3, seed=2))
    assert [c.what for c in wrong.comparisons if not c.ok] == ["output 1"]


def test_integer_outputs_are_compared_exactly() -> None:
    x = random_array(4, 5)
    right = compare_functions(lambda a: a.argmax(1), lambda a: a.argmax(1), x)
    assert right.line() == f"PASS  function vs function: output (4,) agree {TOL}"
    wrong = compare_functions(lambda a: a.argmax(1), lambda a: a.argmax(1) + 1, x)
    assert wrong.line() == f"FAIL  function vs function: output: integer values differ {TOL}"


def test_integers_are_not_truncated_against_floats() -> None:
    x = random_array(2)
    result = compare_functions(lambda a: torch.tensor([1, 2]), lambda a: paddle.to_tensor([1.5, 2.0]), x)
    assert result.line() == f"FAIL  function vs function: output: max |diff| 5.00e-01 {TOL}"
    same = compare_functions(lambda a: torch.tensor([1, 2]), lambda a: paddle.to_tensor([1.0, 2.0]), x)
    assert same.passed


def test_complex_outputs_compare_both_parts() -> None:
    x = random_array(3)
    result = compare_functions(lambda a: torch.complex(a, a), lambda a: paddle.complex(a, a * 0), x, grad=False)
    assert not result.passed
    assert result.comparisons[0].detail.startswith("max |diff| ")
    assert compare_functions(lambda a: torch.complex(a, a), lambda a: paddle.complex(a, a), x, grad=False).passed


def test_integer_inputs_get_no_gradient() -> None:
    result = compare_functions(
        lambda x, i: torch.index_select(x, 1, i),
        lambda x, i: paddle.index_select(x, i, axis=1),
        random_array(2, 3),
        np.array([2, 0]),
        input_names=["x", "index"],
    )
    assert result.line() == f"PASS  function vs function: output (2, 2), grad x agree {TOL}"


def test_a_different_number_of_outputs_fails() -> None:
    result = compare_functions(lambda a: (a, a * 2), lambda a: a * 2, random_array(3))
    assert result.line() == f"FAIL  function vs function: output: 2 vs 1 outputs {TOL}"


def test_a_different_shape_fails() -> None:
    result = compare_functions(lambda a: a.reshape([3]), lambda a: a, random_array(1, 3))
    assert result.line() == f"FAIL  function vs function: output: shape (3,) vs (1, 3) {TOL}"


def test_the_tolerance_decides() -> None:
    x = random_array(3)
    assert not compare_functions(lambda a: a, lambda a: a + 1e-3, x).passed
    loose = compare_functions(lambda a: a, lambda a: a + 1e-3, x, tol=Tolerance(rtol=0, atol=1e-2))
    assert loose.line() == "PASS  function vs function: output (3,), grad input 0 agree (rtol=0e+00, atol=1e-02)"


def test_wrong_number_of_input_names_is_an_error() -> None:
    with pytest.raises(ValueError, match="^1 input names for 2 inputs$"):
        compare_functions(torch.add, paddle.add, random_array(2), random_array(2), input_names=["x"])
    with pytest.raises(ValueError, match="^2 input names for 1 inputs$"):
        check_functions(torch.neg, paddle.neg, random_array(2), input_names=["x", "y"])


def test_check_functions_raises_after_printing_fail(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(EquivalenceError) as error:
        check_functions(torch.neg, paddle.abs, random_array(4), label="neg vs abs")
    out = capsys.readouterr().out
    assert out == f"{error.value}\n"
    assert out.startswith("FAIL  neg vs abs: output: max |diff| ")


# ----------------------------------------------------------------------------- state: training steps and buffers

STEPS = [random_array(6, 3, 4, 4, seed=s) for s in range(3)]


def _batch_norm_pair(**paddle_options: Any) -> tuple[torch.nn.Module, paddle.nn.Layer]:
    return torch.nn.BatchNorm2d(3), paddle.nn.BatchNorm2D(3, **paddle_options)


def test_result_line_of_several_steps_names_each_quantity_once() -> None:
    result = CheckResult("a vs b, 2 training steps", [(2,)], FLOAT32, steps=2, skipped=("v",))
    result.comparisons += [Comparison("output", True, step=s) for s in (1, 2)]
    result.comparisons += [Comparison("w", True, step=s) for s in (1, 2)]
    assert result.line() == f"PASS  a vs b, 2 training steps: output (2,), w agree at every step {TOL}; not compared: v"
    result.comparisons.append(Comparison("w", False, "max |diff| 1.00e+00", step=2))
    assert result.line() == f"FAIL  a vs b, 2 training steps: step 2, w: max |diff| 1.00e+00 {TOL}; not compared: v"


def test_training_steps_of_layer_norm_pass_and_move_the_weights(capsys: pytest.CaptureFixture[str]) -> None:
    t, p = torch.nn.LayerNorm([4, 4]), paddle.nn.LayerNorm([4, 4])
    start = t.weight.detach().clone()
    check_training(t, p, *STEPS, lr=0.5)
    assert capsys.readouterr().out == (
        "PASS  LayerNorm vs LayerNorm, 3 training steps: output (6, 3, 4, 4), grad input, grad weight, grad bias, "
        f"weight, bias agree at every step {TOL}\n"
    )
    assert not torch.allclose(t.weight, start)  # the SGD steps changed the weights ...
    alike = t.weight.detach().numpy().reshape(-1)
    np.testing.assert_allclose(to_numpy(p.weight), alike, rtol=1e-4, atol=1e-5)  # ... alike
    assert t.training and p.training


def test_training_steps_follow_plain_sgd() -> None:
    t, p = torch.nn.GroupNorm(1, 3), paddle.nn.GroupNorm(1, 3)
    start = t.weight.detach().clone()
    result = compare_training(t, p, STEPS[0], lr=0.25)
    assert result.passed
    # Recompute the one step by hand: w1 = w0 - lr * grad, with the same fixed cotangent.
    t2 = torch.nn.GroupNorm(1, 3)
    with torch.no_grad():
        t2.weight.copy_(start)
    x = torch.tensor(STEPS[0])
    cotangent = torch.tensor(np.random.default_rng(0).standard_normal((6, 3, 4, 4)).astype(np.float32))
    t2(x).backward(cotangent)
    assert t2.weight.grad is not None
    torch.testing.assert_close(t.weight.detach(), start - 0.25 * t2.weight.grad)


def test_batch_norm_running_variance_differs_between_the_frameworks() -> None:
    t, p = _batch_norm_pair()
    result = compare_training(t, p, *STEPS)
    assert not result.passed
    failed = [c for c in result.comparisons if not c.ok]
    assert {c.what for c in failed} == {"running_var"}  # torch keeps the unbiased variance, Paddle the biased one
    assert [c.step for c in failed] == [1, 2, 3]
    first = "FAIL  BatchNorm2d vs BatchNorm2D, 3 training steps: step 1, running_var: max |diff| "
    assert result.line().startswith(first)
    with pytest.raises(EquivalenceError, match="running_var"):
        check_training(*_batch_norm_pair(), *STEPS)


def test_skip_leaves_a_buffer_out_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    t, p = _batch_norm_pair()
    check_training(t, p, *STEPS, skip=["running_var"])
    assert capsys.readouterr().out == (
        "PASS  BatchNorm2d vs BatchNorm2D, 3 training steps: output (6, 3, 4, 4), grad input, grad weight, grad bias, "
        f"weight, bias, running_mean agree at every step {TOL}; not compared: running_var\n"
    )
    with pytest.raises(ValueError, match=r"skip names \['num_batches_tracked'\]"):
        compare_training(t, p, *STEPS, skip=["num_batches_tracked"])


def test_check_state_after_moving_the_buffers(capsys: pytest.CaptureFixture[str]) -> None:
    t, p = _batch_norm_pair()
    compare_training(t, p, *STEPS)
    with pytest.raises(EquivalenceError, match=r"^FAIL  BatchNorm2d vs BatchNorm2D: running_var: max \|diff\| "):
        check_state(t, p)
    capsys.readouterr()
    copy_weights(t, p)
    check_state(t, p, label="after copy")
    assert capsys.readouterr().out == f"PASS  after copy: weight, bias, running_mean, running_var agree {TOL}\n"
    t.eval()
    p.eval()
    check_layers(t, p, STEPS[0], copy=False)
    out = capsys.readouterr().out
    assert out.startswith("PASS  BatchNorm2d vs BatchNorm2D: output (6, 3, 4, 4), grad input, grad weight")


def test_copy_false_keeps_paddles_own_weights() -> None:
    t, p = torch.nn.LayerNorm(4), paddle.nn.LayerNorm(4)
    assert p.weight is not None
    p.weight.set_value(np.full(4, 2.0, dtype=np.float32))
    result = compare_training(t, p, random_array(2, 4), copy=False)
    assert not result.passed and result.comparisons[0].what == "output" and not result.comparisons[0].ok
    assert len({c.step for c in result.comparisons}) == 1  # stops at the first failing step


def test_training_takes_a_tuple_for_several_inputs(scale_rule: None) -> None:
    batches = [(random_array(2, 3, seed=s), random_array(2, 3, seed=s + 10)) for s in range(2)]
    result = compare_training(TorchScale(), PaddleScale(), *batches)
    assert result.passed
    assert "grad input 0, grad input 1, grad weight, weight" in result.line()


def test_training_needs_a_batch() -> None:
    with pytest.raises(ValueError, match="at least one batch"):
        compare_training(*_batch_norm_pair())


def test_state_of_a_layer_without_weights_compares_nothing() -> None:
    result = compare_state(torch.nn.MaxPool2d(2), paddle.nn.MaxPool2D(2))
    assert not result.passed and "nothing compared" in result.line()


# ----------------------------------------------------------------------------- calling conventions


def test_nested_inputs_are_named_by_their_path() -> None:
    def add(x: Any, pair: Any) -> Any:
        return x + pair[0] * pair[1]

    x, a, b = (random_array(2, 3, seed=s) for s in range(3))
    assert compare_functions(add, add, x, (a, b)).line() == (
        f"PASS  add vs add: output (2, 3), grad input 0, grad input 1[0], grad input 1[1] agree {TOL}"
    )
    named = compare_functions(add, add, x, [a, b], input_names=["x", "pair"])
    assert "grad x, grad pair[0], grad pair[1]" in named.line()
    assert "grad x, grad a, grad b" in compare_functions(add, add, x, (a, b), input_names=["x", ("a", "b")]).line()
    with pytest.raises(ValueError, match=r"^input_names has no name for input\[1\]\[1\]$"):
        compare_functions(add, add, x, (a, b), input_names=["x", ("a",)])
    with pytest.raises(ValueError, match=r"^input_names nests deeper than input \[0\]$"):
        compare_functions(add, add, x, (a, b), input_names=[("x", "y"), "pair"])


def test_scalars_pass_through_and_masks_get_no_gradient() -> None:
    x, mask = random_array(2, 3), np.array([[True, False, True], [False, True, True]])
    result = compare_functions(
        lambda x, m, k: torch.where(m, x * k, x),
        lambda x, m, k: paddle.where(m, x * k, x),
        x,
        mask,
        2.5,
        input_names=["x", "mask", "k"],
    )
    assert result.line() == f"PASS  function vs function: output (2, 3), grad x agree {TOL}"


def test_nested_and_dict_outputs_compare_every_leaf() -> None:
    def parts(a: Any) -> Any:
        return {"double": a * 2, "more": (a.sum(), a.argmax(1))}

    def wrong(a: Any) -> Any:
        return {"double": a * 2, "more": (a.sum(), a.argmin(1))}

    x = random_array(3, 4)
    right = compare_functions(parts, parts, x)
    assert right.line() == f"PASS  parts vs parts: output (3, 4), (), (3,), grad input 0 agree {TOL}"
    wrong_result = compare_functions(parts, wrong, x)
    assert wrong_result.line() == f"FAIL  parts vs wrong: output more[1]: integer values differ {TOL}"
    renamed = compare_functions(parts, lambda a: {"twice": a * 2, "more": (a.sum(), a.argmax(1))}, x)
    assert renamed.line().startswith("FAIL  parts vs function: output: structure [('double',), ")


def test_each_framework_gets_its_own_call(scale_rule: None) -> None:
    x, y = random_array(2, 3, seed=1), random_array(2, 3, seed=2)
    result = compare_layers(
        TorchScale(), PaddleScale(), x, y, torch_call=lambda m, a, b: m(b, a), paddle_call=lambda m, a, b: m(a=b, b=a)
    )
    assert result.passed
    swapped = compare_layers(TorchScale(), PaddleScale(), x, y, torch_call=lambda m, a, b: m(b, a))
    assert not swapped.passed


# ----------------------------------------------------------------------------- whole models and other pairs


def test_a_small_cnn_checked_whole(capsys: pytest.CaptureFixture[str]) -> None:
    check_layers(torch_cnn(), paddle_cnn(), random_array(*CNN_INPUT), input_names=["images"])
    assert capsys.readouterr().out == (
        "PASS  Sequential vs Sequential: output (6, 5), grad images, grad 0.weight, grad 1.weight, grad 1.bias, "
        f"grad 5.weight, grad 5.bias agree {TOL}\n"
    )
    wrong_order = paddle_cnn()
    layers = wrong_order._sub_layers
    layers["2"], layers["3"] = layers["3"], layers["2"]
    with pytest.raises(TransferError, match="^2: "):
        compare_layers(torch_cnn(), wrong_order, random_array(*CNN_INPUT))


def test_an_lstm_with_initial_states(capsys: pytest.CaptureFixture[str]) -> None:
    # Paddle's LSTM is batch-first by default (time_major=False); torch's needs batch_first=True.
    t, p = torch.nn.LSTM(4, 6, num_layers=2, batch_first=True), paddle.nn.LSTM(4, 6, num_layers=2)
    x, h0, c0 = random_array(3, 5, 4), random_array(2, 3, 6, seed=1), random_array(2, 3, 6, seed=2)
    check_layers(
        t,
        p,
        x,
        (h0, c0),
        input_names=["x", ("h0", "c0")],
        torch_call=lambda m, x, states: m(x, states),
        paddle_call=lambda m, x, states: m(x, initial_states=states),
    )
    line = capsys.readouterr().out
    assert line.startswith(
        "PASS  LSTM vs LSTM: output (3, 5, 6), (2, 3, 6), (2, 3, 6), grad x, grad h0, grad c0, grad weight_ih_l0, "
    )
    assert "grad bias_hh_l1 agree" in line
    # Without the initial states Paddle starts from zeros, and the final states differ.
    unstated = compare_layers(t, p, x, (h0, c0), paddle_call=lambda m, x, states: m(x))
    assert [c.what for c in unstated.comparisons if not c.ok] == ["output 0", "output 1[0]", "output 1[1]"]
    with pytest.raises(TransferError, match="^batch_first"):
        compare_layers(torch.nn.LSTM(4, 6), paddle.nn.LSTM(4, 6), x)


def test_cross_entropy_with_int64_targets(capsys: pytest.CaptureFixture[str]) -> None:
    logits, target = random_array(6, 5), np.array([0, 4, 2, 2, 1, 3], dtype=np.int64)
    check_layers(
        torch.nn.CrossEntropyLoss(), paddle.nn.CrossEntropyLoss(), logits, target, input_names=["logits", "target"]
    )
    check_functions(
        torch.nn.functional.cross_entropy,
        paddle.nn.functional.cross_entropy,
        logits,
        target,
        input_names=["logits", "target"],
    )
    assert capsys.readouterr().out.splitlines() == [
        f"PASS  CrossEntropyLoss vs CrossEntropyLoss: output (), grad logits agree {TOL}",
        f"PASS  cross_entropy vs cross_entropy: output (), grad logits agree {TOL}",
    ]
    with pytest.raises(TransferError, match="^ignore_index"):
        compare_layers(torch.nn.CrossEntropyLoss(ignore_index=0), paddle.nn.CrossEntropyLoss(), logits, target)

    def off_by_one(a: Any, t: Any) -> Any:
        return paddle.nn.functional.cross_entropy(a, t - 1)

    shifted = compare_functions(torch.nn.functional.cross_entropy, off_by_one, logits, np.maximum(target, 1))
    assert not shifted.passed


def test_torch_only_buffers_are_not_compared(capsys: pytest.CaptureFixture[str]) -> None:
    t, p = _batch_norm_pair()
    check_state(t, p, label="fresh")  # num_batches_tracked has no Paddle counterpart
    assert capsys.readouterr().out == f"PASS  fresh: weight, bias, running_mean, running_var agree {TOL}\n"


def test_check_reference_passes_both_frameworks_against_numpy(capsys: pytest.CaptureFixture[str]) -> None:
    a, v = random_array(8), random_array(3, seed=1)
    expected = np.convolve(a, v, "valid")
    t_out = torch.nn.functional.conv1d(torch.tensor(a)[None, None], torch.tensor(v).flip(-1)[None, None])
    p_out = paddle.nn.functional.conv1d(
        paddle.to_tensor(a)[None, None], paddle.flip(paddle.to_tensor(v), [-1])[None, None]
    )
    check_reference("conv1d vs np.convolve", expected, torch=t_out.ravel(), paddle=p_out.flatten())
    assert (
        capsys.readouterr().out
        == "PASS  conv1d vs np.convolve: output (6,), torch, paddle agree (rtol=1e-04, atol=1e-05)\n"
    )


def test_check_reference_fails_when_both_frameworks_are_wrong_alike(capsys: pytest.CaptureFixture[str]) -> None:
    a, v = random_array(8), random_array(3, seed=1)
    t_out = torch.nn.functional.conv1d(torch.tensor(a)[None, None], torch.tensor(v)[None, None])  # no flip
    p_out = paddle.nn.functional.conv1d(paddle.to_tensor(a)[None, None], paddle.to_tensor(v)[None, None])
    with pytest.raises(EquivalenceError, match=r"^FAIL  no flip: torch: max \|diff\| .*; paddle: max \|diff\|"):
        check_reference("no flip", np.convolve(a, v, "valid"), torch=t_out.ravel(), paddle=p_out.flatten())
    assert capsys.readouterr().out.startswith("FAIL  no flip")


def _packed_lstm(m: Any, x: Any, lengths: Any) -> Any:
    """torch's way of skipping the padding: pack by length, run, pad again to the input's length."""
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, states = m(packed)
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, states


def test_a_packed_sequence_against_sequence_length(capsys: pytest.CaptureFixture[str]) -> None:
    x, lengths = random_array(3, 5, 4), np.array([5, 2, 3], dtype=np.int64)
    t, p = torch.nn.LSTM(4, 6, batch_first=True), paddle.nn.LSTM(4, 6)
    check_layers(
        t, p, x, lengths, input_names=["x", "lengths"],
        torch_call=_packed_lstm, paddle_call=lambda m, x, lengths: m(x, sequence_length=lengths),
    )
    assert capsys.readouterr().out.startswith("PASS  LSTM vs LSTM: output (3, 5, 6), (1, 3, 6), (1, 3, 6), grad x,")
    # Paddle told nothing of the lengths runs over the padding: outputs and final states differ
    result = compare_layers(
        t, p, x, lengths, input_names=["x", "lengths"],
        torch_call=_packed_lstm, paddle_call=lambda m, x, lengths: m(x),
    )
    assert not result.passed and "output 0" in result.line()
