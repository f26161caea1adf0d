"""book.transfer.pairing and copying: whole models paired by name and order, copied, and every pairing error."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import paddle
import pytest
import torch
from rule_checks import assert_mismatch_copies_nothing
from rule_checks import weights as _weights

from book.tensors import random_array, to_numpy
from book.transfer import (
    TRANSPOSE,
    Param,
    TransferError,
    copy_weights,
    paddle_tensors,
    pairs_of,
    params_of,
    torch_tensors,
)

pytestmark = pytest.mark.usefixtures("seeded")


# ----------------------------------------------------------------------------- single layers (moved)


def test_a_late_error_copies_nothing() -> None:
    # The weight matches; only the bias (checked second) has the wrong dtype.
    t, p = torch.nn.Conv2d(2, 4, 3), paddle.nn.Conv2D(2, 4, 3)
    assert t.bias is not None
    t.bias = torch.nn.Parameter(t.bias.detach().double())
    before = _weights(p)
    with pytest.raises(TransferError, match=r"^bias -> bias: dtype float64 vs float32$"):
        copy_weights(t, p)
    np.testing.assert_array_equal(_weights(p)["weight"], before["weight"])
    assert not np.array_equal(_weights(p)["weight"], _weights(t)["weight"])


def test_params_of_checks_without_copying() -> None:
    t, p = torch.nn.Conv1d(2, 4, 3), paddle.nn.Conv1D(2, 4, 3)
    before = _weights(p)
    assert [q.torch_name for q in params_of(t, p)] == ["weight", "bias"]
    np.testing.assert_array_equal(_weights(p)["weight"], before["weight"])
    with pytest.raises(TransferError, match="^stride: "):
        params_of(t, paddle.nn.Conv1D(2, 4, 3, stride=2))


# ----------------------------------------------------------------------------- a small CNN, whole


class TorchCNN(torch.nn.Module):
    def __init__(self, classes: int = 5) -> None:
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(), torch.nn.MaxPool2d(2)
        )
        self.flatten = torch.nn.Flatten()
        self.classifier = torch.nn.Linear(8 * 4 * 4, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.flatten(self.features(x)))


class PaddleCNN(paddle.nn.Layer):
    def __init__(self, classes: int = 5, head: str = "classifier", activation: type = paddle.nn.ReLU) -> None:
        super().__init__()
        self.features = paddle.nn.Sequential(
            paddle.nn.Conv2D(3, 8, 3, padding=1), paddle.nn.BatchNorm2D(8), activation(), paddle.nn.MaxPool2D(2)
        )
        self.flatten = paddle.nn.Flatten()
        setattr(self, head, paddle.nn.Linear(8 * 4 * 4, classes))
        self.head_name = head

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return getattr(self, self.head_name)(self.flatten(self.features(x)))


def _randomise_statistics(model: torch.nn.Module) -> None:
    with torch.no_grad():
        for buffer in model.buffers():
            if buffer.is_floating_point():
                buffer.copy_(torch.rand_like(buffer) + 0.5)


def test_a_small_cnn_pairs_whole_and_computes_alike_after_copying() -> None:
    t, p = TorchCNN(), PaddleCNN()
    _randomise_statistics(t)
    params = copy_weights(t, p)
    assert [(q.torch_name, q.paddle_name, q.buffer) for q in params] == [
        ("features.0.weight", "features.0.weight", False),
        ("features.0.bias", "features.0.bias", False),
        ("features.1.weight", "features.1.weight", False),
        ("features.1.bias", "features.1.bias", False),
        ("features.1.running_mean", "features.1._mean", True),
        ("features.1.running_var", "features.1._variance", True),
        ("classifier.weight", "classifier.weight", False),
        ("classifier.bias", "classifier.bias", False),
    ]
    assert params[-2].layout is TRANSPOSE
    np.testing.assert_array_equal(p.classifier.weight.numpy(), t.classifier.weight.detach().numpy().T)
    np.testing.assert_array_equal(
        to_numpy(paddle_tensors(p)["features.1._variance"]), to_numpy(torch_tensors(t)["features.1.running_var"])
    )
    x = random_array(4, 3, 8, 8)
    for train in (False, True):
        t.train(train), p.train(train)
        np.testing.assert_allclose(
            to_numpy(p(paddle.to_tensor(x))),
            to_numpy(t(torch.tensor(x))),
            rtol=1e-4,
            atol=1e-5,
            err_msg=f"train={train}",
        )


def test_pairs_of_lists_every_paired_submodule_in_torch_order() -> None:
    t, p = TorchCNN(), PaddleCNN()
    pairs = pairs_of(t, p)
    assert [name for name, _, _ in pairs] == [
        "",
        "features",
        "features.0",
        "features.1",
        "features.2",
        "features.3",
        "flatten",
        "classifier",
    ]
    assert pairs[0][1] is t and pairs[0][2] is p
    assert pairs[-1][1] is t.classifier and pairs[-1][2] is p.classifier


def test_torch_only_buffers_are_left_out_unless_asked_for() -> None:
    t, p = TorchCNN(), PaddleCNN()
    everything = params_of(t, p, with_torch_only=True)
    assert [q.torch_name for q in everything if q.paddle_name is None] == ["features.1.num_batches_tracked"]
    assert [q for q in everything if q.paddle_name is not None] == params_of(t, p)


# ----------------------------------------------------------------------------- containers


def test_sequential_from_an_ordered_dict_pairs_by_its_names() -> None:
    t = torch.nn.Sequential(
        OrderedDict([("hidden", torch.nn.Linear(3, 4)), ("act", torch.nn.Tanh()), ("out", torch.nn.Linear(4, 2))])
    )
    p = paddle.nn.Sequential(
        ("hidden", paddle.nn.Linear(3, 4)), ("act", paddle.nn.Tanh()), ("out", paddle.nn.Linear(4, 2))
    )
    names = [q.torch_name for q in copy_weights(t, p)]
    assert names == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    x = random_array(5, 3)
    np.testing.assert_allclose(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))), rtol=1e-5, atol=1e-6)
    swapped = paddle.nn.Sequential(
        ("act", paddle.nn.Tanh()), ("hidden", paddle.nn.Linear(3, 4)), ("out", paddle.nn.Linear(4, 2))
    )
    with pytest.raises(
        TransferError,
        match=r"^hidden: submodules in a different order: "
        r"torch has \(hidden, act, out\), Paddle has \(act, hidden, out\)$",
    ):
        params_of(t, swapped)


def test_module_list_and_module_dict_pair_with_layer_list_and_layer_dict() -> None:
    t = torch.nn.ModuleDict(
        {"blocks": torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 3)]), "norm": torch.nn.LayerNorm(3)}
    )
    p = paddle.nn.LayerDict(
        {
            "blocks": paddle.nn.LayerList([paddle.nn.Linear(2, 2), paddle.nn.Linear(2, 3)]),
            "norm": paddle.nn.LayerNorm(3),
        }
    )
    assert [q.torch_name for q in copy_weights(t, p)] == [
        "blocks.0.weight",
        "blocks.0.bias",
        "blocks.1.weight",
        "blocks.1.bias",
        "norm.weight",
        "norm.bias",
    ]
    np.testing.assert_array_equal(
        to_numpy(paddle_tensors(p)["blocks.1.weight"]), to_numpy(torch_tensors(t)["blocks.1.weight"]).T
    )
    with pytest.raises(
        TransferError, match=r"^blocks: torch.nn.ModuleList pairs with paddle.nn.LayerList, not Sequential$"
    ):
        params_of(
            t,
            paddle.nn.LayerDict(
                {"blocks": paddle.nn.Sequential(paddle.nn.Linear(2, 2)), "norm": paddle.nn.LayerNorm(3)}
            ),
        )
    with pytest.raises(TransferError, match=r"^torch.nn.ModuleDict pairs with paddle.nn.LayerDict, not LayerList$"):
        params_of(t, paddle.nn.LayerList())


def test_parameter_list_and_dict_pair_their_parameters_by_name_inside_nested_containers() -> None:
    t = torch.nn.ModuleList(
        [torch.nn.ParameterList([torch.nn.Parameter(torch.rand(2)), torch.nn.Parameter(torch.rand(2, 3))])]
    )
    t.append(torch.nn.ParameterDict({"gain": torch.nn.Parameter(torch.rand(3))}))
    p = paddle.nn.LayerList(
        [
            paddle.nn.ParameterList(
                [paddle.create_parameter([2], "float32"), paddle.create_parameter([2, 3], "float32")]
            ),
            paddle.nn.ParameterDict({"gain": paddle.create_parameter([3], "float32")}),
        ]
    )
    assert [q.torch_name for q in copy_weights(t, p)] == ["0.0", "0.1", "1.gain"]
    np.testing.assert_array_equal(to_numpy(paddle_tensors(p)["0.1"]), to_numpy(torch_tensors(t)["0.1"]))
    with pytest.raises(TransferError, match=r"^1: torch.nn.ParameterDict pairs with paddle.nn.ParameterDict, not"):
        params_of(t, paddle.nn.LayerList([p[0], paddle.nn.ParameterList([paddle.create_parameter([3], "float32")])]))


class TorchScaled(torch.nn.Module):
    """A user-defined model with its own parameter and buffer next to a child layer."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.rand(3))
        self.register_buffer("shift", torch.rand(3))
        self.body = torch.nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) * self.scale + self.shift


class PaddleScaled(paddle.nn.Layer):
    def __init__(self, scale: str = "scale") -> None:
        super().__init__()
        setattr(self, scale, self.create_parameter([3]))
        self.register_buffer("shift", paddle.zeros([3]))
        self.body = paddle.nn.Linear(3, 3)
        self.scale_name = scale

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self.body(x) * getattr(self, self.scale_name) + self.shift


def test_a_user_defined_model_pairs_its_own_parameters_and_buffers_by_name() -> None:
    t, p = TorchScaled(), PaddleScaled()
    assert params_of(t, p) == [
        Param("scale", "scale"),
        Param("shift", "shift", buffer=True),
        Param("body.weight", "body.weight", TRANSPOSE),
        Param("body.bias", "body.bias"),
    ]
    copy_weights(t, p)
    x = random_array(2, 3)
    np.testing.assert_allclose(to_numpy(p(paddle.to_tensor(x))), to_numpy(t(torch.tensor(x))), rtol=1e-5, atol=1e-6)
    with pytest.raises(TransferError, match=r"^scale: the Paddle model has no parameter 'scale' \(it has: gain\)$"):
        params_of(t, PaddleScaled("gain"))


# ----------------------------------------------------------------------------- pairing errors name the dotted path

PAIRING_ERRORS = {
    "missing child": (
        lambda: PaddleCNN(head="head"),
        r"^classifier: the Paddle model has no submodule 'classifier' \(it has: features, flatten, head\)$",
    ),
    "extra child": (
        lambda: _with(PaddleCNN(), lambda p: p.features.add_sublayer("4", paddle.nn.ReLU())),
        r"^features.4: the torch model has no submodule '4' \(it has: 0, 1, 2, 3\)$",
    ),
    "different order": (
        lambda: _reordered(PaddleCNN()),
        r"^features: submodules in a different order: torch has \(features, flatten, classifier\), "
        r"Paddle has \(flatten, features, classifier\)$",
    ),
    "wrong Paddle type": (
        lambda: PaddleCNN(activation=paddle.nn.Tanh),
        r"^features.2: torch.nn.ReLU transfers into paddle.nn.ReLU, not Tanh$",
    ),
    "setting of a submodule": (
        lambda: _with(PaddleCNN(), lambda p: setattr(p.features, "3", paddle.nn.MaxPool2D(3))),
        r"^features.3: kernel_size: torch has \(2, 2\), Paddle has \(3, 3\)$",
    ),
    "shape of a submodule's weight": (
        lambda: PaddleCNN(classes=6),
        r"^classifier.weight -> classifier.weight: torch gives shape \(128, 5\) in Paddle's layout, "
        r"the Paddle layer has \(128, 6\)$",
    ),
}


def _with(model: Any, change: Any) -> Any:
    change(model)
    return model


def _reordered(model: PaddleCNN) -> PaddleCNN:
    features = model._sub_layers.pop("features")
    model._sub_layers["features"] = features  # now flatten, classifier, features
    model._sub_layers["classifier"] = model._sub_layers.pop("classifier")
    return model


@pytest.mark.parametrize(("make_paddle", "message"), PAIRING_ERRORS.values(), ids=PAIRING_ERRORS.keys())
def test_a_pairing_error_names_the_first_mismatched_submodule_and_copies_nothing(
    make_paddle: Any, message: str
) -> None:
    assert_mismatch_copies_nothing(TorchCNN(), make_paddle(), message)


def test_a_built_in_layer_without_a_rule_is_an_error_naming_its_path() -> None:
    t = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sequential(torch.nn.Tanh(), torch.nn.ChannelShuffle(2)))
    p = paddle.nn.Sequential(
        paddle.nn.Linear(2, 3), paddle.nn.Sequential(paddle.nn.Tanh(), paddle.nn.ChannelShuffle(2))
    )
    with pytest.raises(TransferError, match=r"^1.1: no transfer rule for torch.nn.ChannelShuffle$"):
        params_of(t, p)
    with pytest.raises(
        TransferError, match=r"^no transfer rule for torch.nn.ChannelShuffle \(rules exist for: .*Conv2d, .*\)$"
    ):
        params_of(torch.nn.ChannelShuffle(2), paddle.nn.ChannelShuffle(2))
    with pytest.raises(TransferError, match=r"^no transfer rule for torch.nn.Module"):
        params_of(torch.nn.Module(), paddle.nn.Layer())
