"""Train a torch module and its Paddle counterpart side by side and compare them after every step.

:func:`check_training` copies torch's weights into the Paddle module, then for each batch runs
forward, a loss, backward and one optimizer step in both frameworks, comparing the outputs,
the loss, every gradient and then every parameter and buffer. The optimizer is stated once,
in torch's terms (:mod:`book.optimizers`), and built in both::

    check_training(t_cnn, p_cnn, *[(x, labels) for x, labels in batches], optimizer=Adam(lr=1e-2),
                   loss=(torch.nn.CrossEntropyLoss(), paddle.nn.CrossEntropyLoss()))

The per-step losses of both frameworks come back in ``compare_training(...).losses``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import paddle
import torch

from book.calling import (
    Call,
    compare_outputs,
    default_call,
    grad_comparison,
    input_grad_comparisons,
    layer_input_names,
    linear_functional,
    to_frameworks,
)
from book.calling import input_names as name_inputs
from book.checking import check_skip, clear_grads, pair_label, param_grads, prepare, state_comparisons
from book.clipping import Clip
from book.environment import current_devices
from book.optimizers import SGD, Optimizer
from book.results import FLOAT32, CheckResult, Tolerance, compare_arrays, report
from book.tensors import to_numpy
from book.transfer import params_of

#: A loss pair: two modules (their settings are checked by the transfer rules) or two callables
#: ``loss(output, *targets) -> scalar``.
LossPair = tuple[Callable[..., Any], Callable[..., Any]]


def _loss_label(loss: LossPair) -> str:
    names = [getattr(f, "__name__", type(f).__name__) for f in loss]
    return names[0] if names[0] == names[1] else f"{names[0]} vs {names[1]}"


def _check_loss(loss: LossPair) -> None:
    """Loss modules are a pair like any other: refuse different settings (``reduction``, ``ignore_index``)."""
    t_loss, p_loss = loss
    if isinstance(t_loss, torch.nn.Module) != isinstance(p_loss, paddle.nn.Layer):
        given = f"{type(t_loss).__name__} and {type(p_loss).__name__}"
        raise TypeError(f"loss: give two modules or two functions, not {given}")
    if isinstance(t_loss, torch.nn.Module):
        t_loss.to(current_devices().torch)
        params_of(t_loss, p_loss)  # type: ignore[arg-type]  # a Layer: checked above


def _split(batch: Any, with_loss: bool, step: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``(inputs, targets)`` of one batch, each a tuple of positional arguments."""
    if not with_loss:
        return (batch if isinstance(batch, tuple) else (batch,)), ()
    if not (isinstance(batch, tuple) and len(batch) == 2):
        raise ValueError(f"batch {step}: with a loss, each batch is a pair (inputs, targets)")
    inputs, targets = batch
    return (inputs if isinstance(inputs, tuple) else (inputs,)), (targets if isinstance(targets, tuple) else (targets,))


def compare_training(
    torch_module: torch.nn.Module,
    paddle_module: paddle.nn.Layer,
    *batches: Any,
    optimizer: Optimizer | None = None,
    loss: LossPair | None = None,
    lr: float | None = None,
    tol: Tolerance = FLOAT32,
    copy: bool = True,
    label: str | None = None,
    skip: Sequence[str] = (),
    input_names: Sequence[Any] | None = None,
    torch_call: Call | None = None,
    paddle_call: Call | None = None,
    seed: int = 0,
    clip: Clip | None = None,
) -> CheckResult:
    """Compare two modules over several optimizer steps (see :func:`check_training`); returns the result."""
    if not batches:
        raise ValueError("check_training needs at least one batch")
    if lr is not None and optimizer is not None:
        raise ValueError("give lr (plain SGD) or an optimizer, not both")
    named = optimizer is not None or loss is not None
    optimizer = optimizer if optimizer is not None else SGD(lr=0.1 if lr is None else lr)
    if loss is not None:
        _check_loss(loss)
    params = prepare(torch_module, paddle_module, copy)
    check_skip(params, skip)
    # A module without trainable parameters (BatchNorm(affine=False)) still trains its buffers.
    t_params = [t for t in torch_module.parameters() if t.requires_grad]
    p_params = [p for p in paddle_module.parameters() if not p.stop_gradient]
    t_opt = optimizer.for_torch(t_params) if t_params else None
    p_opt = optimizer.for_paddle(p_params) if p_params else None
    torch_module.train()
    paddle_module.train()
    t_call, p_call = torch_call or default_call, paddle_call or default_call

    label = f"{label or pair_label(torch_module, paddle_module)}, {len(batches)} training steps"
    if named:
        label += f" with {optimizer}" + ("" if loss is None else f" and {_loss_label(loss)}")
    if clip is not None:
        label += f", {clip}"
    result = CheckResult(label, [], tol, steps=len(batches), skipped=tuple(skip))
    rng = np.random.default_rng(seed)  # the random functional is drawn anew each step, reproducibly
    for step, batch in enumerate(batches, start=1):
        inputs, targets = _split(batch, loss is not None, step)
        names = name_inputs(inputs, input_names, layer_input_names(len(inputs)))
        clear_grads(torch_module, paddle_module)
        t_inputs, p_inputs = to_frameworks(inputs, grad=True)
        t_out, p_out = t_call(torch_module, *t_inputs), p_call(paddle_module, *p_inputs)
        pairs, shapes, comparisons = compare_outputs(t_out, p_out, tol)
        if step == 1:
            result.output_shapes = shapes
        if loss is None:
            losses = linear_functional(pairs, rng)
            if losses is None:
                raise ValueError("no output needs a gradient, so there is nothing to train")
        else:
            t_targets, p_targets = to_frameworks(targets, grad=False)
            losses = (loss[0](t_out, *t_targets), loss[1](p_out, *p_targets))
            comparisons.append(compare_arrays("loss", to_numpy(losses[0]), to_numpy(losses[1]), tol, kind="loss"))
        result.losses[0].append(float(to_numpy(losses[0])))
        result.losses[1].append(float(to_numpy(losses[1])))
        if all(c.ok for c in comparisons):
            losses[0].backward()
            losses[1].backward()
            comparisons += input_grad_comparisons(t_inputs, p_inputs, names, tol)
            comparisons += [
                grad_comparison(f"grad {n}", t, p, f, tol, "grad param")
                for n, t, p, f in param_grads(torch_module, paddle_module, params)
            ]
        result.comparisons += [replace(c, step=step) for c in comparisons]
        if not all(c.ok for c in comparisons):
            break
        if clip is not None:  # after the gradients are compared, before the step: where torch clips
            clip.clip_torch(t_params)
            clip.clip_paddle(p_params)
        if t_opt is not None:
            t_opt.step()
        if p_opt is not None:
            p_opt.step()
        result.comparisons += state_comparisons(torch_module, paddle_module, params, tol, skip, step)
    clear_grads(torch_module, paddle_module)
    return result


def check_training(
    torch_module: torch.nn.Module, paddle_module: paddle.nn.Layer, *batches: Any, **options: Any
) -> None:
    """Train both modules side by side, one optimizer step per batch, and compare everything after every step.

    Copies torch's parameters and buffers into the Paddle module (``copy=False`` keeps
    Paddle's) and puts both in training mode. For each batch it runs forward (compares every
    output), the loss (compares it), backward (compares every input and parameter gradient),
    one optimizer step, and compares every parameter and buffer that the transfer rules list,
    converting layouts; torch-only buffers (``num_batches_tracked``) are not compared.
    Prints one line::

        PASS  BatchNorm2d vs BatchNorm2D, 3 training steps: output (8, 3, 4, 4), grad input,
        grad weight, grad bias, weight, bias, running_mean agree at every step (...)

    Options:

    - ``optimizer``: an :mod:`book.optimizers` mapping (``SGD``, ``Adam``, ``AdamW``), built in
      both frameworks; ``lr=`` alone is short for ``SGD(lr=lr)``; the default is ``SGD(lr=0.1)``.
    - ``loss=(torch_loss, paddle_loss)``: two loss modules (their settings are checked by the
      transfer rules, as for any pair) or two callables ``loss(output, *targets)``. Each batch
      is then ``(inputs, targets)``; integer targets (class indices) get no gradient. Without a
      loss each batch is the inputs (an array, or a tuple for several), and the loss is
      ``sum(c * output)`` with a random ``c`` drawn anew each step from ``seed`` (default 0).
    - ``clip``: a :mod:`book.clipping` mapping (``ClipGradNorm(max_norm)``), applied in both
      frameworks between backward and the step; the compared gradients are the unclipped ones,
      the parameters after the step show the clipping.
    - ``skip``: torch names of parameters or buffers not to compare; the line says so.
    - ``tol``, ``label``, ``input_names``, ``torch_call``/``paddle_call`` as in
      :func:`book.equivalence.check_layers`.

    Both modules are left in training mode. ``compare_training(...).losses`` holds the loss of
    every step in each framework, for a plot.
    """
    report(compare_training(torch_module, paddle_module, *batches, **options))

