"""Output-size arithmetic of sliding-window layers, and a sweep that checks a formula against both frameworks.

The formulas are those of the PyTorch docs (per spatial dimension)::

    conv:            out = floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1
    transposed conv: out = (in-1)*stride - 2*padding + dilation*(kernel-1) + output_padding + 1
    pooling:         the conv formula, with ceil instead of floor when ceil_mode=True

:func:`pool_output_size` models both frameworks' ceil mode (PyTorch drops a last window that
would start in the right padding, Paddle 3.3.1 keeps it); :func:`adaptive_bins` gives the
windows of adaptive pooling.

:func:`check_formula` runs a formula and any number of implementations over a grid of
settings and prints one line saying on how many settings they all agree.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length of a convolution along one dimension (floor division)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_transpose_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """Output length of a transposed convolution along one dimension."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def same_padding_output_size(size: int, stride: int = 1) -> int:
    """Output length with ``padding='same'`` in Paddle (TensorFlow's rule): ceil(size / stride)."""
    return -(-size // stride)


def pool_output_size(
    size: int,
    kernel: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
    ceil_correction: bool = True,
) -> int:
    """Output length of a max or average pooling along one dimension.

    ``stride=None`` means ``stride=kernel``, the default of both frameworks. With
    ``ceil_mode=False`` this is :func:`conv_output_size`. With ``ceil_mode=True`` the division
    rounds up, so a last, partial window is kept; and with ``ceil_correction=True`` (PyTorch's
    documented rule) that window is dropped again when it would start in the right padding or
    beyond, that is when ``(out - 1) * stride >= size + padding``: the last window must start
    inside the input or the left padding. Paddle 3.3.1 does not apply this correction; pass
    ``ceil_correction=False`` to get its length.
    """
    stride = kernel if stride is None else stride
    if kernel < 1 or stride < 1 or dilation < 1:
        raise ValueError(f"kernel, stride and dilation must be at least 1, got {kernel}, {stride}, {dilation}")
    if padding < 0:
        raise ValueError(f"padding must not be negative, got {padding}")
    if not ceil_mode:
        return conv_output_size(size, kernel, stride, padding, dilation)
    out = -(-(size + 2 * padding - dilation * (kernel - 1) - 1) // stride) + 1
    if ceil_correction and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def adaptive_bins(size: int, output_size: int) -> list[tuple[int, int]]:
    """The windows ``[start, end)`` of adaptive pooling from ``size`` cells to ``output_size`` cells.

    Window ``i`` starts at ``floor(i * size / output_size)`` and ends at
    ``ceil((i + 1) * size / output_size)``, as in both frameworks. When the sizes do not divide,
    neighbouring windows overlap and need not all have the same length; when ``output_size``
    exceeds ``size``, cells are repeated.
    """
    if size < 1 or output_size < 1:
        raise ValueError(f"size and output_size must be at least 1, got {size} and {output_size}")
    return [((i * size) // output_size, -(-((i + 1) * size) // output_size)) for i in range(output_size)]


def grid(**axes: Sequence[Any]) -> list[dict[str, Any]]:
    """Every combination of the given settings, as keyword dictionaries."""
    names = list(axes)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*(axes[n] for n in names))]


class FormulaMismatch(AssertionError):
    """An implementation disagrees with the formula on some setting."""


def check_formula(
    formula: Callable[..., Any],
    settings: Iterable[Mapping[str, Any]],
    valid: Callable[..., bool] = lambda **_: True,
    **implementations: Callable[..., Any],
) -> None:
    """Compare ``formula(**s)`` with each ``implementation(**s)`` for every setting ``s``.

    Settings for which ``valid(**s)`` is False (say, an empty output) are skipped. Prints
    one line, ``formula agrees with torch and paddle on N settings: PASS``; raises
    :class:`FormulaMismatch` listing the first disagreements otherwise.
    """
    names = " and ".join(implementations)
    checked, wrong, wrong_settings = 0, [], 0
    for s in settings:
        if not valid(**s):
            continue
        checked += 1
        expected = formula(**s)
        misses = [(name, impl(**s)) for name, impl in implementations.items()]
        misses = [(name, got) for name, got in misses if got != expected]
        wrong += [f"{name} gives {got}, formula {expected} for {dict(s)}" for name, got in misses]
        wrong_settings += bool(misses)
    if not checked:
        raise FormulaMismatch("no valid settings to check")
    if wrong:
        line = f"formula disagrees with {names} on {wrong_settings} of {checked} settings: FAIL"
        print(line)
        raise FormulaMismatch(line + "\n" + "\n".join(wrong[:5]))
    print(f"formula agrees with {names} on {checked} settings: PASS")
