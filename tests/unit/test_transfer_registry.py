"""book.transfer.registry: layouts, Param, registering and looking up rules, settings-only rules, the shared helpers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import paddle
import pytest
import torch

from book.equivalence import check_layers
from book.tensors import random_array, to_numpy
from book.transfer import (
    FLATTEN,
    SAME,
    TRANSPOSE,
    Param,
    Setting,
    TransferError,
    copy_weights,
    flatten,
    optional_param,
    padding_pairs,
    paddle_tensors,
    params_of,
    register,
    register_settings,
    require_equal,
    rule_for,
    same,
    torch_tensors,
    transpose,
)

pytestmark = pytest.mark.usefixtures("seeded")


def test_transfer_error_is_a_value_error() -> None:
    assert issubclass(TransferError, ValueError)


# ----------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("padding", "ndim", "expected"),
    [
        ("same", 2, "same"),
        ("SAME", 2, "same"),
        ("VALID", 1, ((0, 0),)),
        ("valid", 2, ((0, 0), (0, 0))),
        (0, 2, ((0, 0), (0, 0))),
        (2, 3, ((2, 2), (2, 2), (2, 2))),
        ((1, 2), 2, ((1, 1), (2, 2))),
        ([3], 1, ((3, 3),)),
        ([1, 2], 1, ((1, 2),)),
        ([1, 2, 3, 4], 2, ((1, 2), (3, 4))),
        ([1, 2, 3, 4, 5, 6], 3, ((1, 2), (3, 4), (5, 6))),
        ([[0, 0], [0, 0], [1, 2], [3, 4]], 2, ((1, 2), (3, 4))),
        (((0, 0), (0, 0), (5, 6)), 1, ((5, 6),)),
        ([[1, 1], [2, 2]], 2, ((1, 1), (2, 2))),
    ],
)
def test_padding_pairs_reads_every_form(padding: Any, ndim: int, expected: Any) -> None:
    assert padding_pairs(padding, ndim) == expected


@pytest.mark.parametrize(("padding", "ndim"), [((1, 2, 3), 2), ([1, 2, 3], 1), ([], 2), ([[1, 1], [2, 2], [3, 3]], 2)])
def test_padding_pairs_rejects_other_forms(padding: Any, ndim: int) -> None:
    with pytest.raises(TransferError, match=r"^padding: cannot read .* for \d spatial dimension\(s\)$"):
        padding_pairs(padding, ndim)


def test_require_equal() -> None:
    require_equal("stride", (1, 1), (1, 1))
    with pytest.raises(TransferError, match=r"^stride: torch has \(1, 1\), Paddle has \(2, 2\)$"):
        require_equal("stride", (1, 1), (2, 2))


def test_optional_param() -> None:
    with_bias, without = SimpleNamespace(bias=1, beta=1), SimpleNamespace(bias=None, beta=None)
    assert optional_param(with_bias, with_bias) == [Param("bias", "bias")]
    assert optional_param(without, without) == []
    assert optional_param(with_bias, with_bias, "bias", "beta") == [Param("bias", "beta")]
    with pytest.raises(TransferError, match="^bias: the torch layer has one"):
        optional_param(with_bias, without)
    with pytest.raises(TransferError, match="^beta: the torch layer has none"):
        optional_param(without, with_bias, "beta", "beta")


def test_layout_converters() -> None:
    a = np.arange(6).reshape(2, 3)
    assert same(a) is a
    np.testing.assert_array_equal(transpose(a), a.T)
    assert Param("w", "w").to_paddle is same and Param("w", "w").buffer is False
    assert Param("w", "w").layout is SAME and SAME(a) is a and TRANSPOSE(a).shape == (3, 2)
    for layout in (SAME, TRANSPOSE, FLATTEN):
        np.testing.assert_array_equal(layout.to_torch(layout.to_paddle(a), a.shape), a)
    np.testing.assert_array_equal(flatten(a), FLATTEN(a))
    assert FLATTEN(a).shape == (6,)


# ----------------------------------------------------------------------------- new rules


def test_the_linear_rule_transposes_the_weight(rules: dict[type, Any], capsys: pytest.CaptureFixture[str]) -> None:
    import paddle.compat

    # Paddle's own Linear, and paddle.compat's, which keeps torch's layout (rules/linear.py)
    assert rules[torch.nn.Linear] == ((paddle.nn.Linear, paddle.compat.nn.Linear), rules[torch.nn.Linear].rule)
    assert params_of(torch.nn.Linear(3, 5), paddle.nn.Linear(3, 5)) == [
        Param("weight", "weight", TRANSPOSE),
        Param("bias", "bias"),
    ]
    t, p = torch.nn.Linear(3, 5), paddle.nn.Linear(3, 5)
    assert tuple(p.weight.shape) == (3, 5)
    copy_weights(t, p)
    np.testing.assert_array_equal(p.weight.numpy(), t.weight.detach().numpy().T)
    np.testing.assert_array_equal(p.bias.numpy(), t.bias.detach().numpy())
    # The gradient of the weight is compared in torch's layout transposed, like the weight.
    check_layers(t, p, random_array(2, 3))
    assert capsys.readouterr().out == (
        "PASS  Linear vs Linear: output (2, 5), grad input, grad weight, grad bias agree (rtol=1e-04, atol=1e-05)\n"
    )


def test_a_second_rule_for_a_type_is_refused(rules: dict[type, Any]) -> None:
    before = rules[torch.nn.Linear]
    with pytest.raises(ValueError, match=r"^torch.nn.Linear already has a transfer rule"):
        register(torch.nn.Linear, paddle.nn.Linear)(lambda t, p: [])
    assert rules[torch.nn.Linear] is before


def test_without_a_transpose_linear_shapes_clash(rules: dict[type, Any]) -> None:
    del rules[torch.nn.Linear]
    register(torch.nn.Linear, paddle.nn.Linear)(lambda t, p: [Param("weight", "weight"), *optional_param(t, p)])
    with pytest.raises(TransferError, match=r"^weight -> weight: torch gives shape \(5, 3\) .* has \(3, 5\)$"):
        copy_weights(torch.nn.Linear(3, 5), paddle.nn.Linear(3, 5))


def test_a_rule_may_accept_several_paddle_types(rules: dict[type, Any]) -> None:
    del rules[torch.nn.Identity]
    register(torch.nn.Identity, paddle.nn.Identity, paddle.nn.Flatten)(lambda t, p: [])
    assert params_of(torch.nn.Identity(), paddle.nn.Flatten()) == []
    with pytest.raises(
        TransferError, match=r"^torch.nn.Identity transfers into paddle.nn.Identity or paddle.nn.Flatten, not ReLU$"
    ):
        params_of(torch.nn.Identity(), paddle.nn.ReLU())


class TorchScaleShift(torch.nn.Module):
    """y = x * scale + shift, with ``shift`` a buffer (no gradient), like BatchNorm's statistics."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.rand(3))
        self.register_buffer("shift", torch.rand(3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale + torch_tensors(self)["shift"]


class PaddleScaleShift(paddle.nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.gain = self.create_parameter([3])
        self.register_buffer("offset", paddle.zeros([3]))

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return x * self.gain + self.offset


def test_a_buffer_param_is_copied_but_gets_no_gradient(
    rules: dict[type, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    register(TorchScaleShift, PaddleScaleShift)(
        lambda t, p: [Param("scale", "gain"), Param("shift", "offset", buffer=True)]
    )
    t, p = TorchScaleShift(), PaddleScaleShift()
    copy_weights(t, p)
    np.testing.assert_array_equal(p.gain.numpy(), t.scale.detach().numpy())
    np.testing.assert_array_equal(to_numpy(paddle_tensors(p)["offset"]), to_numpy(torch_tensors(t)["shift"]))
    check_layers(t, p, random_array(2, 3))
    assert capsys.readouterr().out == (
        "PASS  TorchScaleShift vs PaddleScaleShift: output (2, 3), grad input, grad scale agree "
        "(rtol=1e-04, atol=1e-05)\n"
    )


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (Param("missing", "gain"), "^missing: the torch layer has no such parameter$"),
        (Param("scale", "missing"), "^missing: the Paddle layer has no such parameter$"),
    ],
)
def test_a_rule_naming_a_missing_parameter_is_an_error(rules: dict[type, Any], param: Param, message: str) -> None:
    register(TorchScaleShift, PaddleScaleShift)(lambda t, p: [param])
    with pytest.raises(TransferError, match=message):
        copy_weights(TorchScaleShift(), PaddleScaleShift())


# ----------------------------------------------------------------------------- lookup along the class hierarchy


class WideConv(torch.nn.Conv2d):
    """A user subclass of a layer with a rule."""


def test_a_subclass_gets_the_rule_of_its_nearest_base() -> None:
    assert rule_for(WideConv(2, 4, 3)) is rule_for(torch.nn.Conv2d(2, 4, 3))
    t, p = WideConv(2, 4, 3), paddle.nn.Conv2D(2, 4, 3)
    assert [q.torch_name for q in copy_weights(t, p)] == ["weight", "bias"]
    np.testing.assert_array_equal(p.weight.numpy(), t.weight.detach().numpy())
    # ReLU6 is a Hardtanh in torch; its own rule comes first in the class hierarchy.
    assert rule_for(torch.nn.ReLU6()) is not rule_for(torch.nn.Hardtanh())
    assert rule_for(torch.nn.ChannelShuffle(2)) is None


def test_the_rule_of_a_subclass_wins(rules: dict[type, Any]) -> None:
    register(WideConv, paddle.nn.Conv2D)(lambda t, p: [Param("weight", "weight")])
    assert [q.torch_name for q in params_of(WideConv(2, 4, 3), paddle.nn.Conv2D(2, 4, 3))] == ["weight"]
    assert [q.torch_name for q in params_of(torch.nn.Conv2d(2, 4, 3), paddle.nn.Conv2D(2, 4, 3))] == ["weight", "bias"]


def test_rules_from_the_rules_fixture_vanish_after_the_test(rules: dict[type, Any]) -> None:
    assert WideConv not in rules


# ----------------------------------------------------------------------------- settings-only rules


class TorchGate(torch.nn.Module):
    def __init__(self, slope: float = 0.5, mode: str = "soft") -> None:
        super().__init__()
        self.slope, self.mode = slope, mode


class PaddleGate(paddle.nn.Layer):
    def __init__(self, slope: float = 0.5, hard: bool = False) -> None:
        super().__init__()
        self._slope, self._hard = slope, hard


def test_register_settings_compares_each_setting(rules: dict[type, Any]) -> None:
    rule = register_settings(
        TorchGate, PaddleGate, slope="_slope", mode=Setting("_hard", convert=lambda hard: "hard" if hard else "soft")
    )
    assert rules[TorchGate] == ((PaddleGate,), rule)
    assert copy_weights(TorchGate(), PaddleGate()) == []
    assert params_of(TorchGate(0.5 + 1e-9), PaddleGate(0.5)) == []  # floats up to rounding
    with pytest.raises(TransferError, match=r"^slope: torch has 0.5, Paddle has 0.25$"):
        params_of(TorchGate(), PaddleGate(0.25))
    with pytest.raises(TransferError, match=r"^mode \(Paddle: hard\): torch has 'soft', Paddle has 'hard'$"):
        params_of(TorchGate(), PaddleGate(hard=True))
    with pytest.raises(TransferError, match=r"^TorchGate transfers into paddle.nn.PaddleGate, not ReLU$"):
        params_of(TorchGate(), paddle.nn.ReLU())


def test_register_settings_with_a_fixed_or_absent_paddle_value(rules: dict[type, Any]) -> None:
    register_settings(TorchGate, PaddleGate, slope=Setting(None, default=0.5), mode=Setting("_missing", default="soft"))
    assert params_of(TorchGate(), PaddleGate()) == []
    with pytest.raises(TransferError, match=r"^slope \(fixed in Paddle\): torch has 2.0, Paddle has 0.5$"):
        params_of(TorchGate(2.0), PaddleGate())
    del rules[TorchGate]
    register_settings(TorchGate, PaddleGate, mode="_missing")
    with pytest.raises(TransferError, match=r"^mode: the Paddle layer has no attribute '_missing'$"):
        params_of(TorchGate(), PaddleGate())


def test_register_needs_a_paddle_type() -> None:
    with pytest.raises(ValueError, match="needs at least one Paddle type"):
        register(TorchGate)
