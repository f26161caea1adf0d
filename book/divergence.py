"""Find the first submodule where two models that should agree stop agreeing.

:func:`first_divergence` puts a forward hook on every paired submodule of the two models
(:func:`book.transfer.pairs_of`), runs each model once on the same input and compares the
submodules' outputs in the order torch finished them. A hook fires when its module returns,
so a layer is compared before the container around it, and the first mismatch names the
innermost layer that went wrong, not its parents and not the layers after it (whose inputs
already differ). This is what PaDiff does, the simple way. Prints one line::

    first divergence: features.3 (Conv2d vs Conv2D), output (2, 8, 5, 5): max |diff| 1.23e-01 (rtol=...)

and returns a :class:`Divergence`, or ``None`` after printing ``no divergence: ...``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import paddle
import torch

import book.transfer as transfer
from book.calling import Call, default_call, leaves, to_frameworks
from book.environment import current_devices
from book.results import FLOAT32, Tolerance, compare_arrays, max_abs_diff
from book.tensors import to_numpy


@dataclass(frozen=True)
class Divergence:
    """The first submodule whose outputs differ: its dotted name (``""`` is the whole model) and by how much."""

    name: str
    torch_type: str
    paddle_type: str
    max_diff: float  # nan when the shapes or structures differ
    torch_shapes: tuple[tuple[int, ...], ...]
    paddle_shapes: tuple[tuple[int, ...], ...]
    detail: str

    def line(self) -> str:
        where = self.name or "(the whole model)"
        shapes = ", ".join(str(s) for s in self.torch_shapes)
        return f"first divergence: {where} ({self.torch_type} vs {self.paddle_type}), output {shapes}: {self.detail}"


def _pairs(torch_model: torch.nn.Module, paddle_model: paddle.nn.Layer) -> list[tuple[str, Any, Any]]:
    """Paired submodules by dotted name: the transfer rules' pairing, or else equal names in both models."""
    pairs_of = getattr(transfer, "pairs_of", None)  # the transfer package's pairing, when it is there
    if pairs_of is not None:
        return list(pairs_of(torch_model, paddle_model))
    sublayers = dict(paddle_model.named_sublayers(include_self=True))
    return [(name, module, sublayers[name]) for name, module in torch_model.named_modules() if name in sublayers]


def _arrays(output: Any) -> list[np.ndarray]:
    return [to_numpy(value) for _, value in leaves(output) if hasattr(value, "shape")]


def first_divergence(
    torch_model: torch.nn.Module,
    paddle_model: paddle.nn.Layer,
    *inputs: Any,
    tol: Tolerance = FLOAT32,
    torch_call: Call | None = None,
    paddle_call: Call | None = None,
) -> Divergence | None:
    """Run both models once on ``inputs`` and report the first paired submodule whose output differs.

    The models are run as they are (no weights copied, modes untouched: call ``.eval()`` first
    for dropout or batch statistics; torch's is moved to the book's device) and without gradients.
    Inputs and the call adapters are as in :func:`book.equivalence.check_layers`. A submodule
    called several times is compared on its first call. Prints one line and returns a
    :class:`Divergence`, or ``None`` when every paired submodule agrees within ``tol``.
    """
    pairs = _pairs(torch_model, paddle_model)
    torch_model.to(current_devices().torch)  # where to_frameworks puts the torch inputs
    order: list[str] = []
    t_seen: dict[str, Any] = {}
    p_seen: dict[str, Any] = {}

    def recorder(name: str, seen: dict[str, Any], ordered: bool) -> Any:
        def hook(module: Any, args: Any, output: Any) -> None:
            if name not in seen:
                seen[name] = _arrays(output)
                if ordered:
                    order.append(name)

        return hook

    handles = [t.register_forward_hook(recorder(name, t_seen, True)) for name, t, _ in pairs]
    handles += [p.register_forward_post_hook(recorder(name, p_seen, False)) for name, _, p in pairs]
    try:
        t_inputs, p_inputs = to_frameworks(inputs, grad=False)
        with torch.no_grad():
            (torch_call or default_call)(torch_model, *t_inputs)
        with paddle.no_grad():
            (paddle_call or default_call)(paddle_model, *p_inputs)
    finally:
        for handle in handles:
            handle.remove()

    types = {name: (type(t).__name__, type(p).__name__) for name, t, p in pairs}
    for name in order:
        found = _differ(name, types[name], t_seen[name], p_seen.get(name), tol)
        if found is not None:
            print(found.line())
            return found
    print(f"no divergence: {len(order)} paired submodules agree ({tol})")
    return None


def _differ(
    name: str,
    types: tuple[str, str],
    t_arrays: Sequence[np.ndarray],
    p_arrays: Sequence[np.ndarray] | None,
    tol: Tolerance,
) -> Divergence | None:
    """A :class:`Divergence` when the outputs recorded for ``name`` differ, else None."""
    t_shapes = tuple(tuple(a.shape) for a in t_arrays)
    if p_arrays is None:
        return Divergence(name, *types, float("nan"), t_shapes, (), "the Paddle submodule was never called")
    p_shapes = tuple(tuple(a.shape) for a in p_arrays)
    if t_shapes != p_shapes:
        return Divergence(name, *types, float("nan"), t_shapes, p_shapes, f"shapes {t_shapes} vs {p_shapes}")
    if all(compare_arrays(name, t, p, tol).ok for t, p in zip(t_arrays, p_arrays, strict=True)):
        return None
    worst = max(max_abs_diff(t, p) for t, p in zip(t_arrays, p_arrays, strict=True))
    return Divergence(name, *types, worst, t_shapes, p_shapes, f"max |diff| {worst:.2e} ({tol})")
