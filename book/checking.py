"""The machinery shared by the side-by-side checks: preparing a pair, running it, listing its tensors.

:mod:`book.equivalence` (one forward and backward pass) and :mod:`book.training` (optimizer
steps) are built from these helpers; chapters import those modules, not this one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import paddle
import torch

from book.calling import compare_outputs, grad_comparison, input_grad_comparisons, linear_functional, to_frameworks
from book.calling import input_names as name_inputs
from book.environment import current_devices
from book.results import CheckResult, Comparison, Tolerance, compare_arrays
from book.tensors import to_numpy
from book.transfer import Param, copy_weights, paddle_tensors, params_of, torch_tensors

#: ``(name, torch grad, Paddle grad, layout converter)`` of each trainable parameter.
ParamGrad = tuple[str, Any, Any, Callable[[np.ndarray], np.ndarray]]


def run_pair(
    label: str,
    torch_fn: Callable[..., Any],
    paddle_fn: Callable[..., Any],
    inputs: Sequence[Any],
    names: Sequence[Any] | None,
    default_names: Sequence[str],
    tol: Tolerance,
    grad: bool,
    param_grads: Callable[[], list[ParamGrad]] = lambda: [],
) -> CheckResult:
    """Forward both on the same inputs, compare outputs; backward a random functional, compare gradients."""
    leaf_names = name_inputs(inputs, names, default_names)
    t_inputs, p_inputs = to_frameworks(inputs, grad)
    pairs, shapes, comparisons = compare_outputs(torch_fn(*t_inputs), paddle_fn(*p_inputs), tol)
    result = CheckResult(label, shapes, tol, comparisons)
    if not grad or not result.passed:
        return result
    losses = linear_functional(pairs, np.random.default_rng(0))
    if losses is None:
        return result
    losses[0].backward()
    losses[1].backward()
    result.comparisons += input_grad_comparisons(t_inputs, p_inputs, leaf_names, tol)
    result.comparisons += [grad_comparison(f"grad {n}", t, p, f, tol, "grad param") for n, t, p, f in param_grads()]
    return result


def compared(params: Sequence[Param]) -> list[Param]:
    """The parameters and buffers that exist in both frameworks (not torch-only ones such as num_batches_tracked)."""
    return [p for p in params if p.paddle_name is not None]


def prepare(torch_module: torch.nn.Module, paddle_module: paddle.nn.Layer, copy: bool) -> list[Param]:
    """Move the torch module to the book's device; copy (or only check) the weights; return the paired list."""
    torch_module.to(current_devices().torch)
    return copy_weights(torch_module, paddle_module) if copy else params_of(torch_module, paddle_module)


def clear_grads(torch_module: torch.nn.Module, paddle_module: paddle.nn.Layer) -> None:
    """Forget the gradients of both modules' parameters, so that checks do not accumulate them."""
    for t in torch_module.parameters():
        t.grad = None
    paddle_module.clear_gradients(set_to_zero=False)


def param_grads(
    torch_module: torch.nn.Module, paddle_module: paddle.nn.Layer, params: Sequence[Param]
) -> list[ParamGrad]:
    """The gradients of every parameter that is trained in torch, by torch name."""
    t_all, p_all = torch_tensors(torch_module), paddle_tensors(paddle_module)
    return [
        (p.torch_name, t_all[p.torch_name].grad, p_all[str(p.paddle_name)].grad, p.to_paddle)
        for p in compared(params)
        if not p.buffer and t_all[p.torch_name].requires_grad
    ]


def pair_label(torch_module: Any, paddle_module: Any) -> str:
    return f"{type(torch_module).__name__} vs {type(paddle_module).__name__}"


def state_comparisons(
    torch_module: torch.nn.Module,
    paddle_module: paddle.nn.Layer,
    params: Sequence[Param],
    tol: Tolerance,
    skip: Sequence[str],
    step: int | None = None,
) -> list[Comparison]:
    """Compare the value of every parameter and buffer in ``params`` except those in ``skip``."""
    t_all, p_all = torch_tensors(torch_module), paddle_tensors(paddle_module)
    return [
        replace(
            compare_arrays(
                p.torch_name,
                p.to_paddle(to_numpy(t_all[p.torch_name])),
                to_numpy(p_all[str(p.paddle_name)]),
                tol,
                kind="buffer" if p.buffer else "param",
            ),
            step=step,
        )
        for p in compared(params)
        if p.torch_name not in skip
    ]


def check_skip(params: Sequence[Param], skip: Sequence[str]) -> None:
    """Refuse ``skip`` names that are not compared anyway (a typo would silently compare everything)."""
    unknown = set(skip) - {p.torch_name for p in compared(params)}
    if unknown:
        raise ValueError(
            f"skip names {sorted(unknown)}, which the transfer rule does not list (or lists as torch-only)"
        )


