"""Prove that a torch layer (or function) and its Paddle counterpart compute the same thing.

:func:`check_layers` copies the torch weights into the Paddle layer, feeds both the same
input, and compares the outputs, the input gradients and every parameter gradient.
:func:`check_functions` does the same for two functions (functional forms), whose
gradients are taken with respect to all floating-point inputs. Both print one line::

    PASS  Conv2d vs Conv2D: output (2, 8, 5, 5), grad input, grad weight, grad bias agree (rtol=1e-04, atol=1e-05)

and raise :class:`EquivalenceError` (after printing a FAIL line) on any mismatch.
The backward pass uses a fixed random output gradient, not ones, so that a permutation
or a sign error cannot hide. :func:`compare_layers` and :func:`compare_functions` return
the :class:`CheckResult` without printing or raising.

Layers with state (BatchNorm's running statistics) need more than one call:
:func:`check_training` runs several training steps, each with a plain SGD update, and
compares outputs, gradients, parameters and buffers after every step; :func:`check_state`
compares the parameters and buffers alone (say, after moving them from one framework to
the other). Evaluation mode is then an ordinary ``check_layers(..., copy=False)`` after
``.eval()`` on both layers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
import paddle
import torch

from book.environment import current_devices
from book.tensors import to_numpy
from book.transfer import Param, copy_weights, paddle_tensors, params_of, same, torch_tensors


@dataclass(frozen=True)
class Tolerance:
    """Elementwise ``|paddle - torch| <= atol + rtol * |torch|`` (numpy.allclose)."""

    rtol: float = 1e-4
    atol: float = 1e-5

    def __str__(self) -> str:
        return f"rtol={_sci(self.rtol)}, atol={_sci(self.atol)}"


def _sci(value: float) -> str:
    """Shortest exact scientific form: 1e-04, 1.5e-04."""
    return np.format_float_scientific(value, trim="-", exp_digits=2)


#: The book's tolerance for float32 results, stated in the intro's conventions.
FLOAT32 = Tolerance()


class EquivalenceError(AssertionError):
    """The two frameworks disagree; the message says where and by how much."""


@dataclass(frozen=True)
class Comparison:
    """One compared quantity: an output or a gradient."""

    what: str
    ok: bool
    detail: str = ""
    step: int | None = None  # the training step (1, 2, ...) of a multi-step check


@dataclass
class CheckResult:
    """All comparisons of one check, and the line that reports them."""

    label: str
    output_shapes: list[tuple[int, ...]]
    tolerance: Tolerance
    comparisons: list[Comparison] = field(default_factory=list)
    steps: int = 1
    skipped: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return bool(self.comparisons) and all(c.ok for c in self.comparisons)

    def line(self) -> str:
        names = [c.what for c in self.comparisons if not c.what.startswith("output")]
        compared = list(dict.fromkeys(names))  # in order, each name once (steps repeat them)
        if self.output_shapes:
            compared.insert(0, "output " + ", ".join(str(s) for s in self.output_shapes))
        skipped = f"; not compared: {', '.join(self.skipped)}" if self.skipped else ""
        if self.passed:
            every = " at every step" if self.steps > 1 else ""
            return f"PASS  {self.label}: {', '.join(compared)} agree{every} ({self.tolerance}){skipped}"
        failed = "; ".join(
            f"{'' if c.step is None else f'step {c.step}, '}{c.what}: {c.detail}" for c in self.comparisons if not c.ok
        )
        return f"FAIL  {self.label}: {failed or 'nothing compared'} ({self.tolerance}){skipped}"


def _flatten(out: Any) -> list[Any]:
    """Tensors of a (possibly nested) tuple/list output, in order."""
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in _flatten(item)]
    return [out]


def _compare(what: str, torch_value: np.ndarray, paddle_value: np.ndarray, tol: Tolerance) -> Comparison:
    if torch_value.shape != paddle_value.shape:
        return Comparison(what, False, f"shape {torch_value.shape} vs {paddle_value.shape}")
    if not (np.issubdtype(torch_value.dtype, np.inexact) or np.issubdtype(paddle_value.dtype, np.inexact)):
        equal = np.array_equal(torch_value, paddle_value)
        return Comparison(what, bool(equal), "" if equal else "integer values differ")
    if np.allclose(paddle_value, torch_value, rtol=tol.rtol, atol=tol.atol):
        return Comparison(what, True)
    worst = float(np.max(np.abs(paddle_value.astype(np.result_type(paddle_value, np.float64)) - torch_value)))
    return Comparison(what, False, f"max |diff| {worst:.2e}")


def _is_float(array: np.ndarray) -> bool:
    return np.issubdtype(array.dtype, np.floating)


def _to_frameworks(inputs: Sequence[np.ndarray], grad: bool) -> tuple[list[torch.Tensor], list[paddle.Tensor]]:
    device = current_devices().torch
    t_inputs, p_inputs = [], []
    for array in inputs:
        array = np.asarray(array)
        needs_grad = grad and _is_float(array)
        t = torch.tensor(array, device=device, requires_grad=needs_grad)
        p = paddle.to_tensor(array, stop_gradient=not needs_grad)
        t_inputs.append(t)
        p_inputs.append(p)
    return t_inputs, p_inputs


def _run(
    label: str,
    torch_call: Callable[..., Any],
    paddle_call: Callable[..., Any],
    inputs: Sequence[np.ndarray],
    input_names: Sequence[str],
    tol: Tolerance,
    grad: bool,
    param_grads: Callable[[], list[tuple[str, Any, Any, Callable]]] = lambda: [],
) -> CheckResult:
    t_inputs, p_inputs = _to_frameworks(inputs, grad)
    t_out, p_out = _flatten(torch_call(*t_inputs)), _flatten(paddle_call(*p_inputs))
    result = CheckResult(label, [tuple(int(d) for d in t.shape) for t in t_out], tol)
    if len(t_out) != len(p_out):
        result.comparisons.append(Comparison("output", False, f"{len(t_out)} vs {len(p_out)} outputs"))
        return result
    for i, (t, p) in enumerate(zip(t_out, p_out)):
        name = "output" if len(t_out) == 1 else f"output {i}"
        result.comparisons.append(_compare(name, to_numpy(t), to_numpy(p), tol))
    if not grad or not result.passed:
        return result

    rng = np.random.default_rng(0)
    pairs = [(t, p) for t, p in zip(t_out, p_out) if t.is_floating_point() and t.requires_grad]
    if not pairs:
        return result
    cotangents = [rng.standard_normal(tuple(t.shape)).astype(to_numpy(t).dtype) for t, _ in pairs]
    torch.autograd.backward(
        [t for t, _ in pairs], [torch.tensor(g, device=t.device) for (t, _), g in zip(pairs, cotangents)]
    )
    paddle.autograd.backward([p for _, p in pairs], [paddle.to_tensor(g) for g in cotangents])

    for name, t, p in zip(input_names, t_inputs, p_inputs):
        if t.requires_grad:
            result.comparisons.append(_grad_comparison(f"grad {name}", t.grad, p.grad, same, tol))
    for name, t_grad, p_grad, layout in param_grads():
        result.comparisons.append(_grad_comparison(f"grad {name}", t_grad, p_grad, layout, tol))
    return result


def _grad_comparison(what: str, t_grad: Any, p_grad: Any, layout: Callable, tol: Tolerance) -> Comparison:
    if t_grad is None or p_grad is None:
        return Comparison(what, False, f"torch grad {'missing' if t_grad is None else 'present'}, "
                                       f"Paddle grad {'missing' if p_grad is None else 'present'}")
    return _compare(what, layout(to_numpy(t_grad)), to_numpy(p_grad), tol)


def compare_layers(
    torch_layer: torch.nn.Module,
    paddle_layer: paddle.nn.Layer,
    *inputs: np.ndarray,
    tol: Tolerance = FLOAT32,
    copy: bool = True,
    grad: bool = True,
    input_names: Sequence[str] | None = None,
    label: str | None = None,
) -> CheckResult:
    """Compare two layers on the same inputs (see :func:`check_layers`); returns the result."""
    names = list(input_names or _layer_input_names(len(inputs)))
    if len(names) != len(inputs):
        raise ValueError(f"{len(names)} input names for {len(inputs)} inputs")
    params = _prepare(torch_layer, paddle_layer, copy)
    _clear_grads(torch_layer, paddle_layer)
    param_grads = partial(_param_grads, torch_layer, paddle_layer, params)
    return _run(label or _pair_label(torch_layer, paddle_layer), torch_layer, paddle_layer, inputs, names, tol, grad, param_grads)


def _layer_input_names(count: int) -> list[str]:
    """A layer's inputs are "input", or "input 0", "input 1", ... when there are several."""
    return ["input"] if count == 1 else [f"input {i}" for i in range(count)]


def _pair_label(torch_layer: Any, paddle_layer: Any) -> str:
    return f"{type(torch_layer).__name__} vs {type(paddle_layer).__name__}"


def _prepare(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, copy: bool) -> list[Param]:
    """Move the torch layer to the book's device; copy (or only check) the weights; return the rule's list."""
    torch_layer.to(current_devices().torch)
    return copy_weights(torch_layer, paddle_layer) if copy else params_of(torch_layer, paddle_layer)


def _clear_grads(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer) -> None:
    for t in torch_layer.parameters():
        t.grad = None
    paddle_layer.clear_gradients()


def _param_grads(
    torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, params: Sequence[Param]
) -> list[tuple[str, Any, Any, Callable]]:
    """(torch name, torch grad, Paddle grad, layout converter) of every trainable parameter."""
    t_all, p_all = torch_tensors(torch_layer), paddle_tensors(paddle_layer)
    return [(p.torch_name, t_all[p.torch_name].grad, p_all[p.paddle_name].grad, p.to_paddle) for p in params if not p.buffer]


def compare_functions(
    torch_fn: Callable[..., Any],
    paddle_fn: Callable[..., Any],
    *inputs: np.ndarray,
    tol: Tolerance = FLOAT32,
    grad: bool = True,
    input_names: Sequence[str] | None = None,
    label: str | None = None,
) -> CheckResult:
    """Compare two functions on the same inputs (see :func:`check_functions`); returns the result."""
    names = list(input_names or [f"input {i}" for i in range(len(inputs))])
    if len(names) != len(inputs):
        raise ValueError(f"{len(names)} input names for {len(inputs)} inputs")
    label = label or f"{_name(torch_fn)} vs {_name(paddle_fn)}"
    return _run(label, torch_fn, paddle_fn, inputs, names, tol, grad)


def _state_comparisons(
    torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, params: Sequence[Param], tol: Tolerance,
    skip: Sequence[str], step: int | None = None,
) -> list[Comparison]:
    """Compare the value of every parameter and buffer in ``params`` except those in ``skip``."""
    t_all, p_all = torch_tensors(torch_layer), paddle_tensors(paddle_layer)
    return [
        replace(_compare(p.torch_name, p.to_paddle(to_numpy(t_all[p.torch_name])), to_numpy(p_all[p.paddle_name]), tol), step=step)
        for p in params
        if p.torch_name not in skip
    ]


def _check_skip(params: Sequence[Param], skip: Sequence[str]) -> None:
    unknown = set(skip) - {p.torch_name for p in params}
    if unknown:
        raise ValueError(f"skip names {sorted(unknown)}, which the transfer rule does not list")


def compare_state(
    torch_layer: torch.nn.Module,
    paddle_layer: paddle.nn.Layer,
    tol: Tolerance = FLOAT32,
    label: str | None = None,
    skip: Sequence[str] = (),
) -> CheckResult:
    """Compare the parameters and buffers of two layers (see :func:`check_state`); returns the result."""
    params = params_of(torch_layer, paddle_layer)
    _check_skip(params, skip)
    result = CheckResult(label or _pair_label(torch_layer, paddle_layer), [], tol, skipped=tuple(skip))
    result.comparisons += _state_comparisons(torch_layer, paddle_layer, params, tol, skip)
    return result


def compare_training(
    torch_layer: torch.nn.Module,
    paddle_layer: paddle.nn.Layer,
    *batches: np.ndarray | tuple[np.ndarray, ...],
    lr: float = 0.1,
    tol: Tolerance = FLOAT32,
    copy: bool = True,
    label: str | None = None,
    skip: Sequence[str] = (),
) -> CheckResult:
    """Compare two layers over several training steps (see :func:`check_training`); returns the result."""
    if not batches:
        raise ValueError("check_training needs at least one batch")
    params = _prepare(torch_layer, paddle_layer, copy)
    _check_skip(params, skip)
    trainable = [p for p in params if not p.buffer]
    t_all, p_all = torch_tensors(torch_layer), paddle_tensors(paddle_layer)
    torch_layer.train()
    paddle_layer.train()
    label = label or _pair_label(torch_layer, paddle_layer)
    result = CheckResult(f"{label}, {len(batches)} training steps", [], tol, steps=len(batches), skipped=tuple(skip))
    param_grads = partial(_param_grads, torch_layer, paddle_layer, params)

    for step, batch in enumerate(batches, start=1):
        inputs = batch if isinstance(batch, tuple) else (batch,)
        names = _layer_input_names(len(inputs))
        _clear_grads(torch_layer, paddle_layer)
        step_result = _run(label, torch_layer, paddle_layer, inputs, names, tol, True, param_grads)
        if step == 1:
            result.output_shapes = step_result.output_shapes
        result.comparisons += [replace(c, step=step) for c in step_result.comparisons]
        if not step_result.passed:
            break
        with torch.no_grad():
            for p in trainable:
                t_all[p.torch_name] -= lr * t_all[p.torch_name].grad
        with paddle.no_grad():
            for p in trainable:
                p_all[p.paddle_name].set_value(p_all[p.paddle_name] - lr * p_all[p.paddle_name].grad)
        result.comparisons += _state_comparisons(torch_layer, paddle_layer, params, tol, skip, step)
    return result


def _name(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", type(fn).__name__)
    return "function" if name == "<lambda>" else name


def _report(result: CheckResult) -> None:
    print(result.line())
    if not result.passed:
        raise EquivalenceError(result.line())


def check_layers(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, *inputs: np.ndarray, **options: Any) -> None:
    """Copy torch's weights into the Paddle layer, run both on ``inputs`` and compare outputs and gradients.

    ``inputs`` are NumPy arrays; both layers get identical copies on the book's device.
    Prints one PASS line naming what was compared and the tolerance, or a FAIL line and
    raises :class:`EquivalenceError`. Options: ``tol`` (a :class:`Tolerance`, default
    :data:`FLOAT32`), ``copy=False`` to keep the Paddle weights, ``grad=False`` to compare
    outputs only, ``input_names``, ``label``.
    """
    _report(compare_layers(torch_layer, paddle_layer, *inputs, **options))


def check_functions(torch_fn: Callable[..., Any], paddle_fn: Callable[..., Any], *inputs: np.ndarray, **options: Any) -> None:
    """Run two functions on the same ``inputs`` and compare outputs and the gradients of every float input.

    Name the inputs with ``input_names`` (for example ``["x", "weight"]``) and the check
    with ``label``; otherwise as :func:`check_layers`.
    """
    _report(compare_functions(torch_fn, paddle_fn, *inputs, **options))


def check_training(
    torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, *batches: np.ndarray | tuple[np.ndarray, ...], **options: Any
) -> None:
    """Train both layers side by side for one step per batch and compare everything after every step.

    Copies torch's parameters and buffers into the Paddle layer (``copy=False`` keeps
    Paddle's), puts both in training mode, and for each batch (an array, or a tuple of arrays
    for several inputs) runs forward and backward as :func:`check_layers` does, then takes
    one plain SGD step ``w -= lr * grad`` (``lr=0.1``) in both frameworks and compares every
    parameter and buffer of the transfer rule. Prints one line::

        PASS  BatchNorm2d vs BatchNorm2D, 3 training steps: output (8, 3, 4, 4), grad input,
        grad weight, grad bias, weight, bias, running_mean, running_var agree at every step (...)

    ``skip`` names torch parameters or buffers not to compare; the line says so. Other
    options: ``tol``, ``label``. Both layers are left in training mode.
    """
    _report(compare_training(torch_layer, paddle_layer, *batches, **options))


def check_state(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, **options: Any) -> None:
    """Compare every parameter and buffer that the transfer rule lists, converting layouts.

    Prints ``PASS  BatchNorm2d vs BatchNorm2D: weight, bias, running_mean, running_var agree (...)``
    or a FAIL line naming what differs and raises :class:`EquivalenceError`. Options: ``tol``,
    ``label``, ``skip``.
    """
    _report(compare_state(torch_layer, paddle_layer, **options))
