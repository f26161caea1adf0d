"""Calling a torch/Paddle pair on the same nested inputs, and walking their nested outputs.

Inputs are NumPy arrays, tuples/lists (or dicts) of them nested to any depth, or other Python
values (numbers, strings, None), which are passed through unchanged. Float arrays become
tensors that need a gradient; integer and boolean arrays (class indices, masks) become
tensors without one. Outputs are walked the same way: every tensor leaf of a nested
tuple/list/dict is a compared quantity, named by its path (``output 1[0]``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import paddle
import torch

from book.environment import current_devices
from book.results import Comparison, Tolerance, compare_arrays
from book.tensors import to_numpy

#: A path into a nested structure: tuple/list indices and dict keys.
Path = tuple[Any, ...]
#: How a framework calls the module on the converted inputs: ``call(module, *tensors) -> output``.
Call = Callable[..., Any]


def default_call(module: Any, *tensors: Any) -> Any:
    """Call ``module(*tensors)``: the convention when no ``torch_call``/``paddle_call`` is given."""
    return module(*tensors)


def leaves(tree: Any, path: Path = ()) -> list[tuple[Path, Any]]:
    """The leaves of a nested tuple/list/dict with their paths, in order (dicts in insertion order)."""
    if isinstance(tree, (tuple, list)):
        return [leaf for i, item in enumerate(tree) for leaf in leaves(item, (*path, i))]
    if isinstance(tree, Mapping):
        return [leaf for key, item in tree.items() for leaf in leaves(item, (*path, key))]
    return [(path, tree)]


def _is_array(value: Any) -> bool:
    return isinstance(value, (np.ndarray, np.generic))


def to_frameworks(inputs: Sequence[Any], grad: bool) -> tuple[list[Any], list[Any]]:
    """Torch and Paddle copies of nested ``inputs``; float arrays need a gradient when ``grad``."""
    device = current_devices().torch

    def convert(value: Any) -> tuple[Any, Any]:
        if isinstance(value, (tuple, list)):
            pairs = [convert(item) for item in value]
            return type(value)(t for t, _ in pairs), type(value)(p for _, p in pairs)
        if isinstance(value, Mapping):
            converted = {key: convert(item) for key, item in value.items()}
            return {k: t for k, (t, _) in converted.items()}, {k: p for k, (_, p) in converted.items()}
        if not _is_array(value):
            return value, value
        array = np.asarray(value)
        needs_grad = grad and np.issubdtype(array.dtype, np.floating)
        t = torch.tensor(array, device=device, requires_grad=needs_grad)
        return t, paddle.to_tensor(array, stop_gradient=not needs_grad)

    converted = [convert(value) for value in inputs]
    return [t for t, _ in converted], [p for _, p in converted]


def input_names(inputs: Sequence[Any], names: Sequence[Any] | None, default: Sequence[str]) -> dict[Path, str]:
    """The name of every array leaf of ``inputs``: ``names`` may nest like the inputs or stop early.

    ``input_names=["x", ("h0", "c0")]`` names the leaves ``x``, ``h0``, ``c0``;
    ``["x", "states"]`` gives ``x``, ``states[0]``, ``states[1]``.
    """
    top = list(default if names is None else names)
    if len(top) != len(inputs):
        raise ValueError(f"{len(top)} input names for {len(inputs)} inputs")
    named = {}
    for path, value in leaves(list(inputs)):
        if not _is_array(value):
            continue
        node: Any = top
        name = ""
        for depth, key in enumerate(path):
            if isinstance(node, str):
                name += f"[{key}]"
            elif isinstance(node, (Sequence, Mapping)) and _has(node, key):
                node = node[key]
                name = node if isinstance(node, str) else name
            else:
                where = "".join(f"[{k}]" for k in path[: depth + 1])
                raise ValueError(f"input_names has no name for input{where}")
        if not isinstance(node, str):
            raise ValueError(f"input_names nests deeper than input {''.join(f'[{k}]' for k in path)}")
        named[path] = name
    return named


def _has(node: Any, key: Any) -> bool:
    if isinstance(node, Mapping):
        return key in node
    return isinstance(key, int) and 0 <= key < len(node)


def layer_input_names(count: int) -> list[str]:
    """A layer's inputs are "input", or "input 0", "input 1", ... when there are several."""
    return ["input"] if count == 1 else [f"input {i}" for i in range(count)]


def function_input_names(count: int) -> list[str]:
    """A function's inputs are "input 0", "input 1", ..."""
    return [f"input {i}" for i in range(count)]


def output_name(path: Path, count: int) -> str:
    """``output`` for a single leaf, else ``output 0``, ``output 1[0]``, ``output logits``."""
    if count == 1 or not path:
        return "output"
    return f"output {path[0]}" + "".join(f"[{key}]" for key in path[1:])


def compare_outputs(
    t_out: Any, p_out: Any, tol: Tolerance
) -> tuple[list[tuple[Any, Any]], list[tuple[int, ...]], list[Comparison]]:
    """Pair the tensor leaves of two nested outputs and compare each; integer leaves must be equal."""
    t_leaves, p_leaves = leaves(t_out), leaves(p_out)
    shapes = [tuple(int(d) for d in value.shape) for _, value in t_leaves if hasattr(value, "shape")]
    if len(t_leaves) != len(p_leaves):
        return [], shapes, [Comparison("output", False, f"{len(t_leaves)} vs {len(p_leaves)} outputs", kind="output")]
    if [path for path, _ in t_leaves] != [path for path, _ in p_leaves]:
        detail = f"structure {[path for path, _ in t_leaves]} vs {[path for path, _ in p_leaves]}"
        return [], shapes, [Comparison("output", False, detail, kind="output")]
    pairs, comparisons = [], []
    for (path, t), (_, p) in zip(t_leaves, p_leaves, strict=True):
        name = output_name(path, len(t_leaves))
        if t is None or p is None:
            if (t is None) != (p is None):
                detail = f"torch gives {type(t).__name__}, Paddle {type(p).__name__}"
                comparisons.append(Comparison(name, False, detail, kind="output"))
            continue
        comparisons.append(compare_arrays(name, to_numpy(t), to_numpy(p), tol, kind="output"))
        pairs.append((t, p))
    return pairs, shapes, comparisons


def linear_functional(pairs: Sequence[tuple[Any, Any]], rng: np.random.Generator) -> tuple[Any, Any] | None:
    """``sum(c * output)`` over every differentiable float output, with the same random ``c`` in both.

    Its gradient with respect to each output is ``c``: a random cotangent, so that a
    permutation or a sign error in a backward pass cannot hide (ones would let it).
    ``None`` when no output needs a gradient.
    """
    t_loss: Any = None
    p_loss: Any = None
    for t, p in pairs:
        if not (isinstance(t, torch.Tensor) and t.is_floating_point() and t.requires_grad):
            continue
        c = rng.standard_normal(tuple(t.shape)).astype(to_numpy(t).dtype)
        t_term = (t * torch.tensor(c, device=t.device)).sum()
        p_term = (p * paddle.to_tensor(c)).sum()
        t_loss = t_term if t_loss is None else t_loss + t_term
        p_loss = p_term if p_loss is None else p_loss + p_term
    return None if t_loss is None else (t_loss, p_loss)


def grad_comparison(
    what: str, t_grad: Any, p_grad: Any, layout: Callable[[np.ndarray], np.ndarray], tol: Tolerance, kind: str
) -> Comparison:
    """Compare a torch gradient (converted to Paddle's layout) with Paddle's; a missing one fails."""
    if t_grad is None or p_grad is None:
        detail = (
            f"torch grad {'missing' if t_grad is None else 'present'}, "
            f"Paddle grad {'missing' if p_grad is None else 'present'}"
        )
        return Comparison(what, False, detail, kind=kind)
    return compare_arrays(what, layout(to_numpy(t_grad)), to_numpy(p_grad), tol, kind=kind)


def input_grad_comparisons(
    t_inputs: Sequence[Any], p_inputs: Sequence[Any], names: Mapping[Path, str], tol: Tolerance
) -> list[Comparison]:
    """``grad <name>`` for every input leaf that needed a gradient."""
    p_leaves = dict(leaves(list(p_inputs)))
    return [
        grad_comparison(f"grad {names[path]}", t.grad, p_leaves[path].grad, _same, tol, "grad input")
        for path, t in leaves(list(t_inputs))
        if isinstance(t, torch.Tensor) and t.requires_grad
    ]


def _same(array: np.ndarray) -> np.ndarray:
    return array
