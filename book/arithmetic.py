"""Output-size arithmetic of sliding-window layers, and a sweep that checks a formula against both frameworks.

The formulas are those of the PyTorch docs (per spatial dimension)::

    conv:            out = floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1
    transposed conv: out = (in-1)*stride - 2*padding + dilation*(kernel-1) + output_padding + 1

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


def grid(**axes: Sequence[Any]) -> list[dict[str, Any]]:
    """Every combination of the given settings, as keyword dictionaries."""
    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(axes[n] for n in names))]


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
    checked, wrong = 0, []
    for s in settings:
        if not valid(**s):
            continue
        checked += 1
        expected = formula(**s)
        for name, impl in implementations.items():
            got = impl(**s)
            if got != expected:
                wrong.append(f"{name} gives {got}, formula {expected} for {dict(s)}")
    if not checked:
        raise FormulaMismatch("no valid settings to check")
    if wrong:
        line = f"formula disagrees with {names} on {len(wrong)} of {checked} settings: FAIL"
        print(line)
        raise FormulaMismatch(line + "\n" + "\n".join(wrong[:5]))
    print(f"formula agrees with {names} on {checked} settings: PASS")
