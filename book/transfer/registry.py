"""The transfer machinery, without any rule: layouts, parameters, the rule table and the helpers rules share.

A *rule* is ``rule(torch_layer, paddle_layer) -> list[Param]``: it checks that the two layers are
configured alike (raising :class:`TransferError` that names the setting) and lists their parameters
and buffers under *local* names. :func:`register` files it under a torch type; :func:`rule_for`
finds it again along the torch layer's class hierarchy. The rules themselves live in
:mod:`book.transfer.rules`, one module per layer family.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np


class TransferError(ValueError):
    """The two layers (or models, or state dicts) cannot hold the same weights; the message says where."""


# ---------------------------------------------------------------------------- layouts


def same(array: np.ndarray) -> np.ndarray:
    """Layout converter for parameters stored identically in both frameworks."""
    return array


def transpose(array: np.ndarray) -> np.ndarray:
    """Layout converter for a 2-D weight that Paddle stores transposed (Linear)."""
    return array.T


def flatten(array: np.ndarray) -> np.ndarray:
    """Layout converter for LayerNorm's weight and bias, which Paddle stores flattened."""
    return array.reshape(-1)


@dataclass(frozen=True)
class Layout:
    """How a parameter's array changes from torch to Paddle (``to_paddle``) and back (``to_torch``).

    ``to_torch`` gets the torch shape too, so that a flattened weight can be restored.
    Calling a layout converts to Paddle's layout.
    """

    name: str
    to_paddle: Callable[[np.ndarray], np.ndarray]
    to_torch: Callable[[np.ndarray, tuple[int, ...]], np.ndarray]

    def __call__(self, array: np.ndarray) -> np.ndarray:
        return self.to_paddle(array)


SAME = Layout("same", same, lambda array, shape: array)
TRANSPOSE = Layout("transpose", transpose, lambda array, shape: array.T)
FLATTEN = Layout("flatten", flatten, lambda array, shape: array.reshape(shape))


# ---------------------------------------------------------------------------- parameters and rules


@dataclass(frozen=True)
class Param:
    """One parameter (or buffer) under its torch name and its Paddle name, and how its layout changes.

    ``paddle_name=None`` marks a torch-only buffer with no Paddle counterpart (BatchNorm's
    ``num_batches_tracked``): it is never copied to Paddle, and a state dict converted back to torch
    takes it from the torch template model. :func:`book.transfer.params_of` leaves such entries out
    unless asked for them, so every entry it returns by default exists in both frameworks.
    """

    torch_name: str
    paddle_name: str | None
    layout: Layout = field(default=SAME)
    buffer: bool = False

    @property
    def to_paddle(self) -> Callable[[np.ndarray], np.ndarray]:
        """The torch-to-Paddle converter of the layout (what :mod:`book.equivalence` applies to gradients)."""
        return self.layout.to_paddle

    def prefixed(self, prefix: str) -> Param:
        """The same entry with ``prefix`` (a dotted submodule path, or ``""``) in front of both names."""
        if not prefix:
            return self
        paddle_name = None if self.paddle_name is None else f"{prefix}.{self.paddle_name}"
        return Param(f"{prefix}.{self.torch_name}", paddle_name, self.layout, self.buffer)


Rule = Callable[[Any, Any], list[Param]]


class Entry(NamedTuple):
    """A rule and the Paddle types it accepts (compares equal to the plain ``(paddle_types, rule)`` tuple)."""

    paddle_types: tuple[type, ...]
    rule: Rule


_RULES: dict[type, Entry] = {}


def register(torch_type: type, *paddle_types: type) -> Callable[[Rule], Rule]:
    """Register ``rule`` as the transfer rule for ``torch_type`` into any of ``paddle_types``.

    A torch type has one rule: registering it again raises :class:`ValueError`.
    """
    if not paddle_types:
        raise ValueError(f"register({torch_type.__name__}) needs at least one Paddle type")

    def decorate(rule: Rule) -> Rule:
        if torch_type in _RULES:
            raise ValueError(
                f"torch.nn.{torch_type.__name__} already has a transfer rule ({_RULES[torch_type].rule!r})"
            )
        _RULES[torch_type] = Entry(tuple(paddle_types), rule)
        return rule

    return decorate


def rule_for(torch_layer: Any) -> Entry | None:
    """The rule of ``torch_layer``'s class or of its nearest base class that has one; None when none has."""
    for cls in type(torch_layer).__mro__:
        entry = _RULES.get(cls)
        if entry is not None:
            return entry
    return None


def known_types() -> list[str]:
    """The names of the torch types that have a rule, sorted (for error messages)."""
    return sorted(t.__name__ for t in _RULES)


# ---------------------------------------------------------------------------- modules without weights

_ABSENT = object()


@dataclass(frozen=True)
class Setting:
    """How a torch setting reads on the Paddle side in :func:`register_settings`.

    ``paddle_attr`` is the Paddle attribute (None when Paddle has none and the value is fixed);
    ``convert`` turns the Paddle value into torch's terms; ``default`` stands in when the attribute
    is absent.
    """

    paddle_attr: str | None
    convert: Callable[[Any], Any] = field(default=lambda value: value)
    default: Any = _ABSENT


def _setting_name(torch_attr: str, paddle_attr: str | None) -> str:
    if paddle_attr is None:
        return f"{torch_attr} (fixed in Paddle)"
    public = paddle_attr.lstrip("_")
    return torch_attr if public == torch_attr else f"{torch_attr} (Paddle: {public})"


def register_settings(
    torch_type: type, paddle_type: type, *, channel_first: bool = False, **settings: str | Setting
) -> Rule:
    """Register the rule of a module without weights: each torch setting must equal its Paddle counterpart.

    Each keyword is a torch attribute, its value the Paddle attribute name or a :class:`Setting`.
    Floats are compared up to rounding. ``channel_first=True`` also requires the Paddle layer's
    default channel-first ``data_format`` (torch's layers have no other). Example::

        register_settings(torch.nn.LeakyReLU, paddle.nn.LeakyReLU, negative_slope="_negative_slope")
    """
    table = {name: s if isinstance(s, Setting) else Setting(s) for name, s in settings.items()}

    def rule(torch_layer: Any, paddle_layer: Any) -> list[Param]:
        if channel_first:
            require_channel_first(paddle_layer)
        for torch_attr, setting in table.items():
            if setting.paddle_attr is None or not hasattr(paddle_layer, setting.paddle_attr):
                if setting.default is _ABSENT:
                    raise TransferError(f"{torch_attr}: the Paddle layer has no attribute {setting.paddle_attr!r}")
                paddle_value = setting.default
            else:
                paddle_value = setting.convert(getattr(paddle_layer, setting.paddle_attr))
            require_equal(
                _setting_name(torch_attr, setting.paddle_attr), getattr(torch_layer, torch_attr), paddle_value
            )
        return []

    rule.__name__ = rule.__qualname__ = f"settings_of_{torch_type.__name__}"
    rule.__doc__ = f"{torch_type.__name__}: no weights; settings {', '.join(table) or 'none'}."
    register(torch_type, paddle_type)(rule)
    return rule


# ---------------------------------------------------------------------------- helpers rules share


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def require_equal(name: str, torch_value: Any, paddle_value: Any) -> None:
    """Raise :class:`TransferError` naming ``name`` when the two settings differ (floats up to rounding)."""
    floats = isinstance(torch_value, float) or isinstance(paddle_value, float)
    if floats and _is_number(torch_value) and _is_number(paddle_value):
        require_close(name, torch_value, paddle_value)
        return
    if torch_value != paddle_value:
        raise TransferError(f"{name}: torch has {torch_value!r}, Paddle has {paddle_value!r}")


def require_close(name: str, torch_value: float, paddle_value: float) -> None:
    """Like :func:`require_equal` for a float setting (eps), up to rounding."""
    if not math.isclose(torch_value, paddle_value, rel_tol=1e-6, abs_tol=1e-12):
        raise TransferError(f"{name}: torch has {torch_value!r}, Paddle has {paddle_value!r}")


def optional_param(
    torch_layer: Any,
    paddle_layer: Any,
    torch_name: str = "bias",
    paddle_name: str = "bias",
    *,
    torch_off: str | None = "bias=False",
    paddle_off: str = "bias_attr=False",
    layout: Layout = SAME,
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
    return [Param(torch_name, paddle_name, layout)] if t_has else []


def paddle_attr(layer: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` that ``layer`` has (Paddle's layers spell their attributes differently)."""
    for name in names:
        if hasattr(layer, name):
            return getattr(layer, name)
    return default


def as_tuple(value: Any, ndim: int) -> tuple[int, ...]:
    """An int or a sequence of ints as a tuple of ``ndim`` ints (a sequence is taken as it is)."""
    return (int(value),) * ndim if isinstance(value, int) else tuple(int(v) for v in value)


def require_channel_first(paddle_layer: Any) -> None:
    """Torch layers are channel-first; the Paddle layer must use its default NC... data_format."""
    data_format = paddle_attr(paddle_layer, "_data_format", "data_format", default="NC")
    if not data_format.startswith("NC"):
        raise TransferError(
            f"data_format: the Paddle layer is {data_format}; torch layers are channel-first, "
            "so build the Paddle layer with the default channel-first data_format"
        )


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
