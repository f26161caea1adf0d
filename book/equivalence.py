"""Prove that a torch module (or function) and its Paddle counterpart compute the same thing.

:func:`check_layers` copies the torch weights into the Paddle module (a layer, a container or a
whole model: anything :func:`book.transfer.params_of` pairs), feeds both the same inputs and
compares every output, every input gradient and every parameter gradient.
:func:`check_functions` does the same for two functions (functional forms), whose gradients are
taken with respect to all floating-point inputs. Both print one line::

    PASS  Conv2d vs Conv2D: output (2, 8, 5, 5), grad input, grad weight, grad bias agree (rtol=1e-04, atol=1e-05)

and raise :class:`EquivalenceError` (after printing a FAIL line) on any mismatch.
The backward pass uses a fixed random output gradient, not ones, so that a permutation
or a sign error cannot hide. :func:`compare_layers` and :func:`compare_functions` return
the :class:`CheckResult` without printing or raising.

Inputs may nest (``x, (h0, c0)``) and include integer or boolean arrays (carried through
without gradients) and Python values. ``torch_call``/``paddle_call`` let each framework be
called its own way, for example an LSTM's initial states::

    check_layers(t_lstm, p_lstm, x, (h0, c0),
                 paddle_call=lambda m, x, states: m(x, initial_states=states))

Layers with state (BatchNorm's running statistics) need more than one call:
:func:`check_training` (in :mod:`book.training`) runs optimizer steps side by side;
:func:`check_state` compares the parameters and buffers alone (say, after moving them from one
framework to the other). Evaluation mode is then an ordinary ``check_layers(..., copy=False)``
after ``.eval()`` on both. Dropout-like layers have their own statistical check,
:func:`book.stochastic.check_dropout`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import paddle
import torch

from book.calling import Call, default_call, function_input_names, layer_input_names
from book.calling import input_names as name_inputs
from book.checking import check_skip, clear_grads, pair_label, param_grads, prepare, run_pair, state_comparisons
from book.results import FLOAT32, CheckResult, Comparison, EquivalenceError, Tolerance, compare_arrays, report
from book.tensors import to_numpy
from book.training import check_training, compare_training
from book.transfer import params_of

__all__ = [
    "FLOAT32",
    "CheckResult",
    "Comparison",
    "EquivalenceError",
    "Tolerance",
    "check_functions",
    "check_layers",
    "check_reference",
    "check_state",
    "check_training",
    "compare_functions",
    "compare_layers",
    "compare_reference",
    "compare_state",
    "compare_training",
]

def compare_layers(
    torch_layer: torch.nn.Module,
    paddle_layer: paddle.nn.Layer,
    *inputs: Any,
    tol: Tolerance = FLOAT32,
    copy: bool = True,
    grad: bool = True,
    input_names: Sequence[Any] | None = None,
    label: str | None = None,
    torch_call: Call | None = None,
    paddle_call: Call | None = None,
) -> CheckResult:
    """Compare two modules on the same inputs (see :func:`check_layers`); returns the result."""
    name_inputs(inputs, input_names, layer_input_names(len(inputs)))  # a naming error before any copying
    params = prepare(torch_layer, paddle_layer, copy)
    clear_grads(torch_layer, paddle_layer)
    t_call, p_call = torch_call or default_call, paddle_call or default_call
    return run_pair(
        label or pair_label(torch_layer, paddle_layer),
        lambda *xs: t_call(torch_layer, *xs),
        lambda *xs: p_call(paddle_layer, *xs),
        inputs,
        input_names,
        layer_input_names(len(inputs)),
        tol,
        grad,
        lambda: param_grads(torch_layer, paddle_layer, params),
    )


def compare_functions(
    torch_fn: Callable[..., Any],
    paddle_fn: Callable[..., Any],
    *inputs: Any,
    tol: Tolerance = FLOAT32,
    grad: bool = True,
    input_names: Sequence[Any] | None = None,
    label: str | None = None,
) -> CheckResult:
    """Compare two functions on the same inputs (see :func:`check_functions`); returns the result."""
    label = label or f"{_name(torch_fn)} vs {_name(paddle_fn)}"
    return run_pair(label, torch_fn, paddle_fn, inputs, input_names, function_input_names(len(inputs)), tol, grad)


def compare_state(
    torch_layer: torch.nn.Module,
    paddle_layer: paddle.nn.Layer,
    tol: Tolerance = FLOAT32,
    label: str | None = None,
    skip: Sequence[str] = (),
) -> CheckResult:
    """Compare the parameters and buffers of two modules (see :func:`check_state`); returns the result."""
    params = params_of(torch_layer, paddle_layer)
    check_skip(params, skip)
    result = CheckResult(label or pair_label(torch_layer, paddle_layer), [], tol, skipped=tuple(skip))
    result.comparisons += state_comparisons(torch_layer, paddle_layer, params, tol, skip)
    return result


def compare_reference(label: str, expected: Any, tol: Tolerance = FLOAT32, **results: Any) -> CheckResult:
    """Compare each named result with one reference (see :func:`check_reference`); returns the result."""
    reference = np.asarray(expected)
    comparisons = [compare_arrays(name, reference, to_numpy(value), tol) for name, value in results.items()]
    return CheckResult(label, [tuple(reference.shape)], tol, comparisons)


def _name(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", type(fn).__name__)
    return "function" if name == "<lambda>" else name


def check_layers(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, *inputs: Any, **options: Any) -> None:
    """Copy torch's weights into the Paddle module, run both on ``inputs`` and compare outputs and gradients.

    ``inputs`` are NumPy arrays (float ones get gradients, integer and boolean ones do not),
    tuples/lists of them nested to any depth, or Python values passed through; both modules
    get identical copies on the book's device. Every tensor in a nested output is compared,
    integer ones exactly. Prints one PASS line naming what was compared and the tolerance, or
    a FAIL line and raises :class:`EquivalenceError`. Options: ``tol`` (a :class:`Tolerance`,
    default :data:`FLOAT32`), ``copy=False`` to keep the Paddle weights, ``grad=False`` to
    compare outputs only, ``input_names`` (nested like the inputs, or one name per argument:
    ``["x", ("h0", "c0")]`` or ``["x", "states"]``, giving ``grad h0`` or ``grad states[0]``),
    ``label``, and ``torch_call``/``paddle_call``: ``call(module, *tensors) -> output`` when a
    framework needs its own calling convention (default ``module(*tensors)``).
    """
    report(compare_layers(torch_layer, paddle_layer, *inputs, **options))


def check_functions(torch_fn: Callable[..., Any], paddle_fn: Callable[..., Any], *inputs: Any, **options: Any) -> None:
    """Run two functions on the same ``inputs`` and compare outputs and the gradients of every float input.

    Name the inputs with ``input_names`` (for example ``["x", "weight"]``) and the check
    with ``label``; a keyword that differs between the frameworks (``dim=`` and ``axis=``)
    goes into a lambda. Otherwise as :func:`check_layers`.
    """
    report(compare_functions(torch_fn, paddle_fn, *inputs, **options))


def check_reference(label: str, expected: Any, tol: Tolerance = FLOAT32, **results: Any) -> None:
    """Compare each framework's result with a reference computed another way (NumPy, a formula).

    A check between the two frameworks passes when both are wrong alike; this one does not::

        check_reference("conv1d vs np.convolve", np.convolve(a, v, "valid"), torch=t_out, paddle=p_out)

    Each keyword names a result (a tensor or array of the reference's shape). Prints one PASS or
    FAIL line and raises :class:`EquivalenceError` on a mismatch.
    """
    report(compare_reference(label, expected, tol, **results))


def check_state(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, **options: Any) -> None:
    """Compare every parameter and buffer that the transfer rules list, converting layouts.

    Prints ``PASS  BatchNorm2d vs BatchNorm2D: weight, bias, running_mean, running_var agree (...)``
    or a FAIL line naming what differs and raises :class:`EquivalenceError`. Torch-only
    buffers (``num_batches_tracked``) are not compared. Options: ``tol``, ``label``, ``skip``.
    """
    report(compare_state(torch_layer, paddle_layer, **options))

