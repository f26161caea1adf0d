"""Weight transfer from a PyTorch layer to its Paddle counterpart.

Each supported torch layer type has a *rule*: a function that checks that the two layers
are configured alike and returns one :class:`Param` per parameter or buffer, naming it in
both frameworks and saying how its layout changes. :func:`copy_weights` applies the rule;
:mod:`book.equivalence` uses the same list to compare gradients.

Adding a layer type is one decorated function, for example (Linear stores its weight
transposed in Paddle)::

    @register(torch.nn.Linear, paddle.nn.Linear)
    def _linear(t, p):
        return [Param("weight", "weight", to_paddle=transpose), *optional_param(t, p)]

Buffers (BatchNorm's running statistics) are ``Param(..., buffer=True)``: copied, never
given a gradient. Rules for layers with many weights (RNNs) build the list in a loop.

Rules exist for convolutions (1-D to 3-D, transposed), PixelShuffle, pooling (max, average,
adaptive, unpooling; no weights, so the rule only checks the settings) and normalization
(BatchNorm, LayerNorm, GroupNorm, InstanceNorm).
"""

from __future__ import annotations

import math
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


def optional_param(
    torch_layer: Any,
    paddle_layer: Any,
    torch_name: str = "bias",
    paddle_name: str = "bias",
    *,
    torch_off: str | None = "bias=False",
    paddle_off: str = "bias_attr=False",
    to_paddle: Callable[[np.ndarray], np.ndarray] = same,
) -> list[Param]:
    """An optional parameter (by default the bias): its entry, or none when neither layer has it;
    an error when only one has it.

    ``torch_off`` and ``paddle_off`` name the argument that switches it off, for the message.
    """
    t_has, p_has = getattr(torch_layer, torch_name) is not None, getattr(paddle_layer, paddle_name) is not None
    if t_has != p_has:
        t_says = "has one" if t_has else "has none" + (f" ({torch_off})" if torch_off else "")
        p_says = "has one" if p_has else f"has none ({paddle_off})"
        raise TransferError(f"{torch_name}: the torch layer {t_says}, the Paddle layer {p_says}")
    return [Param(torch_name, paddle_name, to_paddle=to_paddle)] if t_has else []


def require_equal(name: str, torch_value: Any, paddle_value: Any) -> None:
    """Raise :class:`TransferError` naming ``name`` when the two settings differ."""
    if torch_value != paddle_value:
        raise TransferError(f"{name}: torch has {torch_value!r}, Paddle has {paddle_value!r}")


def _paddle_attr(layer: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` that ``layer`` has (Paddle's pooling layers spell their attributes differently)."""
    for name in names:
        if hasattr(layer, name):
            return getattr(layer, name)
    return default


def _require_channel_first(paddle_layer: Any) -> None:
    """Torch layers are channel-first; the Paddle layer must use its default NC... data_format."""
    data_format = _paddle_attr(paddle_layer, "_data_format", "data_format", default="NC")
    if not data_format.startswith("NC"):
        raise TransferError(
            f"data_format: the Paddle layer is {data_format}; torch layers are channel-first, "
            "so build the Paddle layer with the default channel-first data_format"
        )


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
    _require_channel_first(paddle_layer)
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
    return [Param("weight", "weight"), *optional_param(torch_layer, paddle_layer)]


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


# ---------------------------------------------------------------------------- pooling


def _window(torch_layer: Any, paddle_layer: Any, ndim: int) -> None:
    """Kernel, stride (None means the kernel size in both frameworks) and padding of a pooling window."""
    _require_channel_first(paddle_layer)
    kernel = _as_tuple(_paddle_attr(paddle_layer, "ksize", "kernel_size"), ndim)
    stride = _paddle_attr(paddle_layer, "stride")
    require_equal("kernel_size", _as_tuple(torch_layer.kernel_size, ndim), kernel)
    require_equal("stride", _as_tuple(torch_layer.stride, ndim), kernel if stride is None else _as_tuple(stride, ndim))
    require_equal("padding", padding_pairs(torch_layer.padding, ndim), padding_pairs(paddle_layer.padding, ndim))


def _max_pool(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """MaxPool 1-D to 3-D: no weights. Paddle has no dilation, and calls return_indices return_mask."""
    ndim = int(type(torch_layer).__name__[-2])
    if any(d != 1 for d in _as_tuple(torch_layer.dilation, ndim)):
        raise TransferError(f"dilation: torch has {torch_layer.dilation!r}; Paddle's max pooling has no dilation")
    _window(torch_layer, paddle_layer, ndim)
    require_equal("ceil_mode", torch_layer.ceil_mode, paddle_layer.ceil_mode)
    require_equal("return_indices (Paddle: return_mask)", torch_layer.return_indices, paddle_layer.return_mask)
    return []


def _avg_pool(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """AvgPool 1-D to 3-D: no weights. Paddle's ``exclusive`` is the negation of ``count_include_pad``.

    With a ``divisor_override`` torch divides the window sum by it and ignores
    ``count_include_pad``; Paddle rescales its mean, which gives the window sum only with
    ``exclusive=False``.
    """
    ndim = int(type(torch_layer).__name__[-2])
    _window(torch_layer, paddle_layer, ndim)
    require_equal("ceil_mode", torch_layer.ceil_mode, paddle_layer.ceil_mode)
    divisor = getattr(torch_layer, "divisor_override", None)
    require_equal("divisor_override (Paddle: divisor_override)", divisor, getattr(paddle_layer, "divisor", None))
    if divisor is not None:
        if paddle_layer.exclusive:
            raise TransferError(
                "exclusive: with a divisor_override, Paddle gives torch's result only with exclusive=False "
                "(torch ignores count_include_pad then)"
            )
        return []
    require_equal(
        "count_include_pad (Paddle: exclusive = not count_include_pad)",
        torch_layer.count_include_pad,
        not paddle_layer.exclusive,
    )
    return []


def _output_size(value: Any, ndim: int) -> tuple[int | None, ...]:
    """An adaptive pooling output_size as one entry per spatial dim (None keeps the input size)."""
    if value is None or isinstance(value, int):
        return (value,) * ndim
    return tuple(None if v is None else int(v) for v in value)


def _adaptive_pool(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """Adaptive average and max pooling: no weights; output_size (and for max, the indices flag) must agree."""
    ndim = int(type(torch_layer).__name__[-2])
    _require_channel_first(paddle_layer)
    paddle_size = _paddle_attr(paddle_layer, "_output_size", "output_size")
    require_equal("output_size", _output_size(torch_layer.output_size, ndim), _output_size(paddle_size, ndim))
    if hasattr(torch_layer, "return_indices"):
        paddle_mask = _paddle_attr(paddle_layer, "_return_mask", "return_mask")
        require_equal("return_indices (Paddle: return_mask)", torch_layer.return_indices, paddle_mask)
    return []


def _max_unpool(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """MaxUnpool: no weights; the window must agree. (torch takes output_size in forward, Paddle in __init__.)"""
    _window(torch_layer, paddle_layer, int(type(torch_layer).__name__[-2]))
    return []


for _n in (1, 2, 3):
    register(getattr(torch.nn, f"MaxPool{_n}d"), getattr(paddle.nn, f"MaxPool{_n}D"))(_max_pool)
    register(getattr(torch.nn, f"AvgPool{_n}d"), getattr(paddle.nn, f"AvgPool{_n}D"))(_avg_pool)
    register(getattr(torch.nn, f"AdaptiveAvgPool{_n}d"), getattr(paddle.nn, f"AdaptiveAvgPool{_n}D"))(_adaptive_pool)
    register(getattr(torch.nn, f"AdaptiveMaxPool{_n}d"), getattr(paddle.nn, f"AdaptiveMaxPool{_n}D"))(_adaptive_pool)
    register(getattr(torch.nn, f"MaxUnpool{_n}d"), getattr(paddle.nn, f"MaxUnPool{_n}D"))(_max_unpool)


# ---------------------------------------------------------------------------- normalization


def require_close(name: str, torch_value: float, paddle_value: float) -> None:
    """Like :func:`require_equal` for a float setting (eps), up to rounding."""
    if not math.isclose(torch_value, paddle_value, rel_tol=1e-6, abs_tol=1e-12):
        raise TransferError(f"{name}: torch has {torch_value!r}, Paddle has {paddle_value!r}")


def affine_params(torch_layer: Any, paddle_layer: Any, paddle_weight: str = "weight", to_paddle: Callable = same) -> list[Param]:
    """The scale and shift of a normalization layer: both, one, or none, present alike on both sides.

    torch switches them off with ``affine=False`` / ``elementwise_affine=False`` (LayerNorm also
    has ``bias=False``); Paddle with ``weight_attr=False`` / ``bias_attr=False``.
    """
    return [
        *optional_param(
            torch_layer, paddle_layer, "weight", paddle_weight,
            torch_off=None, paddle_off="weight_attr=False", to_paddle=to_paddle,
        ),
        *optional_param(torch_layer, paddle_layer, torch_off=None, to_paddle=to_paddle),
    ]


def _batch_norm(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """BatchNorm 1-D to 3-D: weight and bias, and the running statistics as buffers.

    torch's ``momentum`` m weights the new batch (running = (1-m)·running + m·batch); Paddle's
    weights the old value (running = m·running + (1-m)·batch), so torch 0.1 is Paddle 0.9.
    torch's ``track_running_stats=False`` (always batch statistics, no buffers) is Paddle's
    ``use_global_stats=False``.
    """
    _require_channel_first(paddle_layer)
    require_equal("num_features", torch_layer.num_features, paddle_layer._num_features)
    require_close("eps (Paddle: epsilon)", torch_layer.eps, paddle_layer._epsilon)
    params = affine_params(torch_layer, paddle_layer)
    use_global_stats = paddle_layer._use_global_stats
    if not torch_layer.track_running_stats:
        if use_global_stats is not False:
            raise TransferError(
                "track_running_stats: torch has False (always batch statistics); build the Paddle layer "
                f"with use_global_stats=False (it has {use_global_stats!r})"
            )
        return params
    if use_global_stats is not None:
        raise TransferError(
            f"use_global_stats: the Paddle layer has {use_global_stats!r}; torch's BatchNorm with running "
            "statistics matches Paddle's default use_global_stats=None (batch statistics in training, running ones in eval)"
        )
    if torch_layer.momentum is None:
        raise TransferError("momentum: torch has None (a cumulative average), which Paddle has no equivalent for")
    if not math.isclose(1 - torch_layer.momentum, paddle_layer._momentum, rel_tol=1e-6, abs_tol=1e-12):
        raise TransferError(
            f"momentum: torch {torch_layer.momentum!r} means Paddle momentum {1 - torch_layer.momentum:.6g} "
            f"(Paddle's momentum weights the old running value), the Paddle layer has {paddle_layer._momentum!r}"
        )
    return [*params, Param("running_mean", "_mean", buffer=True), Param("running_var", "_variance", buffer=True)]


for _n in (1, 2, 3):
    register(getattr(torch.nn, f"BatchNorm{_n}d"), getattr(paddle.nn, f"BatchNorm{_n}D"))(_batch_norm)


def flatten(array: np.ndarray) -> np.ndarray:
    """Layout converter for LayerNorm's weight and bias, which Paddle stores flattened."""
    return array.reshape(-1)


@register(torch.nn.LayerNorm, paddle.nn.LayerNorm)
def _layer_norm(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """LayerNorm: torch's weight has ``normalized_shape``; Paddle's is flattened to its product."""
    shape = paddle_layer._normalized_shape
    require_equal("normalized_shape", tuple(torch_layer.normalized_shape), _as_tuple(shape, 1) if isinstance(shape, int) else tuple(shape))
    require_close("eps (Paddle: epsilon)", torch_layer.eps, paddle_layer._epsilon)
    return affine_params(torch_layer, paddle_layer, to_paddle=flatten)


@register(torch.nn.GroupNorm, paddle.nn.GroupNorm)
def _group_norm(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """GroupNorm: same arguments in the same order; eps is called epsilon."""
    _require_channel_first(paddle_layer)
    require_equal("num_groups", torch_layer.num_groups, paddle_layer._num_groups)
    require_equal("num_channels", torch_layer.num_channels, paddle_layer._num_channels)
    require_close("eps (Paddle: epsilon)", torch_layer.eps, paddle_layer._epsilon)
    return affine_params(torch_layer, paddle_layer)


def _instance_norm(torch_layer: Any, paddle_layer: Any) -> list[Param]:
    """InstanceNorm: torch has no affine parameters by default, Paddle has them (its weight is ``scale``).

    Paddle's InstanceNorm keeps no running statistics, so torch's ``track_running_stats=True`` has no match.
    """
    _require_channel_first(paddle_layer)
    require_equal("num_features", torch_layer.num_features, paddle_layer._num_features)
    require_close("eps (Paddle: epsilon)", torch_layer.eps, paddle_layer._epsilon)
    if torch_layer.track_running_stats:
        raise TransferError("track_running_stats: torch has True; Paddle's InstanceNorm keeps no running statistics")
    try:
        return affine_params(torch_layer, paddle_layer, paddle_weight="scale")
    except TransferError as error:
        if torch_layer.affine:
            raise
        raise TransferError(
            f"{error}; torch's InstanceNorm has no affine parameters by default (affine=False), Paddle's has "
            "them: build it with weight_attr=False, bias_attr=False (or torch with affine=True)"
        ) from None


for _n in (1, 2, 3):
    register(getattr(torch.nn, f"InstanceNorm{_n}d"), getattr(paddle.nn, f"InstanceNorm{_n}D"))(_instance_norm)
