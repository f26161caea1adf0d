"""Weight transfer from a PyTorch layer to its Paddle counterpart.

Each supported torch layer type has a *rule*: a function that checks that the two layers
are configured alike and returns one :class:`Param` per parameter or buffer, naming it in
both frameworks and saying how its layout changes. :func:`copy_weights` applies the rule;
:mod:`book.equivalence` uses the same list to compare gradients.

Adding a layer type is one decorated function, for example (Linear stores its weight
transposed in Paddle)::

    @register(torch.nn.Linear, paddle.nn.Linear)
    def _linear(t, p):
        return [Param("weight", "weight", to_paddle=transpose), *bias_param(t, p)]

Buffers (BatchNorm's running statistics) are ``Param(..., buffer=True)``: copied, never
given a gradient. Rules for layers with many weights (RNNs) build the list in a loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import paddle
import torch


class TransferError(ValueError):
    """The two layers cannot hold the same weights; the message names the parameter."""


def same(array: np.ndarray) -> np.ndarray:
    """Layout converter for parameters stored identically in both frameworks."""
    return array


def transpose(array: np.ndarray) -> np.ndarray:
    """Layout converter for a 2-D weight that Paddle stores transposed (Linear)."""
    return array.T


@dataclass(frozen=True)
class Param:
    """One parameter (or buffer) under its torch name and its Paddle name."""

    torch_name: str
    paddle_name: str
    to_paddle: Callable[[np.ndarray], np.ndarray] = same
    buffer: bool = False


Rule = Callable[[Any, Any], list[Param]]
_RULES: dict[type, tuple[tuple[type, ...], Rule]] = {}


def register(torch_type: type, *paddle_types: type) -> Callable[[Rule], Rule]:
    """Register ``rule`` as the transfer rule for ``torch_type`` into any of ``paddle_types``."""

    def decorate(rule: Rule) -> Rule:
        _RULES[torch_type] = (paddle_types, rule)
        return rule

    return decorate


def params_of(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer) -> list[Param]:
    """The checked parameter list of a layer pair (raises :class:`TransferError` on a mismatch)."""
    entry = _RULES.get(type(torch_layer))
    if entry is None:
        known = ", ".join(sorted(t.__name__ for t in _RULES))
        raise TransferError(f"no transfer rule for torch.nn.{type(torch_layer).__name__} (rules exist for: {known})")
    paddle_types, rule = entry
    if not isinstance(paddle_layer, paddle_types):
        expected = " or ".join(f"paddle.nn.{t.__name__}" for t in paddle_types)
        raise TransferError(
            f"torch.nn.{type(torch_layer).__name__} transfers into {expected}, not {type(paddle_layer).__name__}"
        )
    return rule(torch_layer, paddle_layer)


def torch_tensors(layer: torch.nn.Module) -> dict[str, torch.Tensor]:
    """All parameters and buffers of a torch layer by name."""
    return {**dict(layer.named_parameters()), **dict(layer.named_buffers())}


def paddle_tensors(layer: paddle.nn.Layer) -> dict[str, paddle.Tensor]:
    """All parameters and buffers of a Paddle layer by name."""
    return {**dict(layer.named_parameters()), **dict(layer.named_buffers())}


def copy_weights(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer) -> list[Param]:
    """Copy every parameter and buffer of ``torch_layer`` into ``paddle_layer``, converting layouts.

    Checks the configuration, names, shapes and dtypes first and raises :class:`TransferError`
    naming the offending parameter; nothing is copied unless everything matches.
    Returns the parameter list, which :func:`book.equivalence.check_layers` reuses.
    """
    params = params_of(torch_layer, paddle_layer)
    source, target = torch_tensors(torch_layer), paddle_tensors(paddle_layer)
    arrays = []
    for p in params:
        if p.torch_name not in source:
            raise TransferError(f"{p.torch_name}: the torch layer has no such parameter")
        if p.paddle_name not in target:
            raise TransferError(f"{p.paddle_name}: the Paddle layer has no such parameter")
        array = np.ascontiguousarray(p.to_paddle(source[p.torch_name].detach().cpu().numpy()))
        expected = tuple(target[p.paddle_name].shape)
        if array.shape != expected:
            raise TransferError(
                f"{p.torch_name} -> {p.paddle_name}: torch gives shape {array.shape} in Paddle's layout, "
                f"the Paddle layer has {expected}"
            )
        paddle_dtype = str(target[p.paddle_name].dtype).replace("paddle.", "")
        if str(array.dtype) != paddle_dtype:
            raise TransferError(f"{p.torch_name} -> {p.paddle_name}: dtype {array.dtype} vs {paddle_dtype}")
        arrays.append(array)
    for p, array in zip(params, arrays):
        target[p.paddle_name].set_value(array)
    return params


def bias_param(torch_layer: Any, paddle_layer: Any, torch_name: str = "bias", paddle_name: str = "bias") -> list[Param]:
    """The bias entry, or none when neither layer has one; an error when only one has it."""
    t_has, p_has = getattr(torch_layer, torch_name) is not None, getattr(paddle_layer, paddle_name) is not None
    if t_has != p_has:
        t_says = "has one" if t_has else "has none (bias=False)"
        p_says = "has one" if p_has else "has none (bias_attr=False)"
        raise TransferError(f"{torch_name}: the torch layer {t_says}, the Paddle layer {p_says}")
    return [Param(torch_name, paddle_name)] if t_has else []


def require_equal(name: str, torch_value: Any, paddle_value: Any) -> None:
    """Raise :class:`TransferError` naming ``name`` when the two settings differ."""
    if torch_value != paddle_value:
        raise TransferError(f"{name}: torch has {torch_value!r}, Paddle has {paddle_value!r}")


# ---------------------------------------------------------------------------- convolutions


def padding_pairs(padding: Any, ndim: int) -> str | tuple[tuple[int, int], ...]:
    """Normalise a padding spec of either framework to 'same', 'valid' or ((before, after), ...) per spatial dim.

    Accepts an int, ``ndim`` ints, ``2 * ndim`` ints (Paddle's before/after form), or
    (before, after) pairs: one per spatial dim, or Paddle's ``ndim + 2`` in NC... order.
    """
    if isinstance(padding, str):
        # 'valid' means no padding in both frameworks; 'same' depends on the input size.
        return ((0, 0),) * ndim if padding.lower() == "valid" else padding.lower()
    if isinstance(padding, int):
        return ((padding, padding),) * ndim
    flat = list(padding)
    if flat and all(isinstance(x, (list, tuple)) and len(x) == 2 for x in flat):
        if len(flat) == ndim + 2:  # Paddle's pairs for every axis, batch and channel first
            flat = flat[2:]
        if len(flat) == ndim:
            return tuple((int(a), int(b)) for a, b in flat)
    if len(flat) == ndim:
        return tuple((int(x), int(x)) for x in flat)
    if len(flat) == 2 * ndim:
        return tuple((int(flat[2 * i]), int(flat[2 * i + 1])) for i in range(ndim))
    raise TransferError(f"padding: cannot read {padding!r} for {ndim} spatial dimension(s)")


def _as_tuple(value: Any, ndim: int) -> tuple[int, ...]:
    return (int(value),) * ndim if isinstance(value, int) else tuple(int(v) for v in value)


def _conv(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Conv and transposed conv, 1-D to 3-D: same weight layout in both frameworks."""
    ndim = len(torch_layer.kernel_size)
    if not paddle_layer._data_format.startswith("NC"):
        raise TransferError(
            f"data_format: the Paddle layer is {paddle_layer._data_format}; torch layers are channel-first, "
            "so build the Paddle layer with the default channel-first data_format"
        )
    require_equal("kernel_size", tuple(torch_layer.kernel_size), _as_tuple(paddle_layer._kernel_size, ndim))
    require_equal("stride", tuple(torch_layer.stride), _as_tuple(paddle_layer._stride, ndim))
    require_equal("dilation", tuple(torch_layer.dilation), _as_tuple(paddle_layer._dilation, ndim))
    require_equal("groups", torch_layer.groups, paddle_layer._groups)
    require_equal("padding_mode", torch_layer.padding_mode, paddle_layer._padding_mode)
    require_equal("padding", padding_pairs(torch_layer.padding, ndim), padding_pairs(paddle_layer._padding, ndim))
    if hasattr(torch_layer, "output_padding"):
        require_equal(
            "output_padding",
            tuple(torch_layer.output_padding),
            _as_tuple(getattr(paddle_layer, "output_padding", 0), ndim),
        )
    return [Param("weight", "weight"), *bias_param(torch_layer, paddle_layer)]


_CONV_PAIRS: Sequence[tuple[type, type]] = (
    (torch.nn.Conv1d, paddle.nn.Conv1D),
    (torch.nn.Conv2d, paddle.nn.Conv2D),
    (torch.nn.Conv3d, paddle.nn.Conv3D),
    (torch.nn.ConvTranspose1d, paddle.nn.Conv1DTranspose),
    (torch.nn.ConvTranspose2d, paddle.nn.Conv2DTranspose),
    (torch.nn.ConvTranspose3d, paddle.nn.Conv3DTranspose),
)
for _torch_type, _paddle_type in _CONV_PAIRS:
    register(_torch_type, _paddle_type)(_conv)


@register(torch.nn.PixelShuffle, paddle.nn.PixelShuffle)
def _pixel_shuffle(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """PixelShuffle has no weights; only the factor and the layout must agree."""
    require_equal("upscale_factor", torch_layer.upscale_factor, paddle_layer._upscale_factor)
    require_equal("data_format", "NCHW", paddle_layer._data_format)
    return []
