"""Check dropout-like layers statistically: their random masks differ, so elementwise equality cannot hold.

:func:`check_dropout` tests what does hold, in each framework separately:

1. **Evaluation mode is the identity**, exactly (``out == x`` bit for bit).
2. **The keep rate** in training mode is ``1 - p`` within ``z * sqrt(p (1 - p) / n)``, the binomial
   standard error of ``n`` independent keep/drop draws times ``z`` (default 5: a correct layer fails
   with probability 6e-7). ``n`` counts elements, or channels for whole-channel dropout. A sample
   too small to pin the rate to ``max_halfwidth`` (default ±0.05) is refused, not passed.
3. **Kept values are scaled by 1/(1-p)**: ``out == x / (1 - p)`` on the kept elements to float32
   rounding (rtol 1e-6). torch multiplies by ``1/(1-p)`` and Paddle divides by ``1-p``, which can
   differ in the last bit. Paddle's ``mode='downscale_in_infer'`` (no scaling in training, ``x (1-p)``
   at inference) fails here and in 1.
4. **The input gradient is ``mask / (1 - p)`` times the output gradient**, with the mask that the
   same forward pass drew.
5. **Whole-channel masks** (torch ``Dropout1d/2d/3d``, Paddle ``Dropout2D/3D`` or ``Dropout(axis=[0, 1])``):
   every channel of every sample is kept or dropped as a whole.
6. **Masks differ across samples**: each sample (first axis) draws its own mask, so not all samples'
   masks are one and the same (Paddle's ``PF.dropout1d`` and ``Dropout(axis=1)`` do). Skipped for ``p`` 0 or 1 and a
   single sample. A correct layer fails only if all ``N`` masks of ``m`` elements (or channels) agree by chance,
   with probability at most ``(p^2 + (1-p)^2)^(m (N - 1))``.

The PASS line states the tolerance, not the measured rates: those depend on the device's random
generator, and the stored output must be the same on a CPU and a GPU. A FAIL line gives them.

The settings are checked first by the transfer rules when the pair has one (same ``p``, Paddle's
``mode='upscale_in_train'``, ``axis``, ``data_format``); ``settings=False`` skips that, so that the
statistics alone must catch a mismatch (the unit tests do this to show that they can fail).
The input must have no zeros: a dropped element could not be told from a kept zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import paddle
import torch

from book.checking import pair_label
from book.environment import current_devices
from book.results import CheckResult, Comparison, Tolerance, report
from book.tensors import to_numpy
from book.transfer import TransferError, params_of

#: Kept values and gradients are compared to float32 rounding.
SCALE_TOLERANCE = Tolerance(rtol=1e-6, atol=0.0)
_CHANNEL_TYPES = (torch.nn.Dropout1d, torch.nn.Dropout2d, torch.nn.Dropout3d)


@dataclass(frozen=True)
class Draw:
    """One training-mode forward and backward pass of one framework, as NumPy arrays."""

    framework: str
    out: np.ndarray
    grad: np.ndarray
    eval_out: np.ndarray


def keep_rate_halfwidth(p: float, n: int, z: float) -> float:
    """``z`` binomial standard errors of a keep rate measured on ``n`` independent draws."""
    return z * math.sqrt(p * (1.0 - p) / n)


def units_needed(p: float, z: float, halfwidth: float) -> int:
    """The smallest ``n`` whose keep-rate tolerance at ``z`` is at most ``halfwidth``."""
    return math.ceil((z / halfwidth) ** 2 * p * (1.0 - p))


def _settings(torch_layer: Any, paddle_layer: Any) -> None:
    """The transfer rule's checks when the pair has a rule; else the same ``p`` read from both layers."""
    try:
        params_of(torch_layer, paddle_layer)
    except TransferError as error:
        if "no transfer rule" not in str(error):
            raise
        paddle_p = getattr(paddle_layer, "p", None)
        if paddle_p != torch_layer.p:
            raise TransferError(f"p: torch has {torch_layer.p}, Paddle has {paddle_p}") from None


def _draw(framework: str, layer: Any, x: np.ndarray, cotangent: np.ndarray) -> Draw:
    """Evaluation output, then one training forward and backward pass of ``layer``."""
    if framework == "torch":
        device = current_devices().torch
        layer.to(device).eval()
        with torch.no_grad():
            eval_out = to_numpy(layer(torch.tensor(x, device=device)))
        layer.train()
        t = torch.tensor(x, device=device, requires_grad=True)
        out = layer(t)
        out.backward(torch.tensor(cotangent, device=device))
        return Draw(framework, to_numpy(out), to_numpy(t.grad), eval_out)
    layer.eval()
    with paddle.no_grad():
        eval_out = to_numpy(layer(paddle.to_tensor(x)))
    layer.train()
    p = paddle.to_tensor(x, stop_gradient=False)
    out = layer(p)
    out.backward(paddle.to_tensor(cotangent))
    return Draw("Paddle", to_numpy(out), to_numpy(p.grad), eval_out)


def _statistics(
    draw: Draw, x: np.ndarray, cotangent: np.ndarray, p: float, channels: bool
) -> tuple[dict[str, str], float]:
    """Failures (quantity -> detail) of one framework's draw, and its keep rate."""
    failures = {}
    if not np.array_equal(draw.eval_out, x):
        worst = np.abs(draw.eval_out - x).max()
        failures["eval identity"] = f"{draw.framework} changes x in eval mode (max |diff| {worst:.2e})"
    mask = draw.out != 0
    if channels:
        per_channel = mask.reshape(*x.shape[:2], -1)
        mixed = int(np.sum(per_channel.any(axis=-1) & ~per_channel.all(axis=-1)))
        if mixed:
            total = per_channel.shape[0] * per_channel.shape[1]
            failures["whole channels"] = f"{draw.framework} keeps part of {mixed} of {total} channels"
        units = per_channel.any(axis=-1)
    else:
        units = mask
    per_sample = mask.reshape(mask.shape[0], -1)
    if 0 < p < 1 and len(per_sample) > 1 and (per_sample == per_sample[0]).all():
        failures["masks differ across samples"] = f"{draw.framework} draws one mask for all {len(per_sample)} samples"
    rate = float(units.mean())
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    expected = x.astype(np.float64) * scale
    if not np.allclose(draw.out[mask], expected[mask], rtol=SCALE_TOLERANCE.rtol, atol=0):
        ratio = np.median(draw.out[mask] / x[mask])
        failures["kept values x/(1-p)"] = f"{draw.framework} scales kept values by {ratio:.6g}, not {scale:.6g}"
    expected_grad = cotangent.astype(np.float64) * mask * scale
    if not np.allclose(draw.grad, expected_grad, rtol=SCALE_TOLERANCE.rtol, atol=0):
        worst = np.abs(draw.grad - expected_grad).max()
        failures["grad input = mask/(1-p)"] = f"{draw.framework}'s differs from its mask/(1-p) by {worst:.2e}"
    return failures, rate


def compare_dropout(
    torch_layer: torch.nn.Module,
    paddle_layer: paddle.nn.Layer,
    x: np.ndarray,
    *,
    z: float = 5.0,
    max_halfwidth: float = 0.05,
    channels: bool | None = None,
    settings: bool = True,
    label: str | None = None,
) -> CheckResult:
    """Check a dropout pair statistically (see :func:`check_dropout`); returns the result."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating) or np.any(x == 0):
        raise ValueError("x must be a float array without zeros (a dropped element is 0, and so would a kept 0 be)")
    if settings:
        _settings(torch_layer, paddle_layer)
    p = float(torch_layer.p)  # type: ignore[arg-type]  # every torch dropout layer has p
    channels = isinstance(torch_layer, _CHANNEL_TYPES) if channels is None else channels
    if channels and x.ndim < 3:
        raise ValueError(f"whole-channel dropout needs an input (N, C, ...), not shape {x.shape}")
    n = int(np.prod(x.shape[:2])) if channels else x.size
    halfwidth = keep_rate_halfwidth(p, n, z)
    if halfwidth > max_halfwidth:
        needed = units_needed(p, z, max_halfwidth)
        unit = "channels" if channels else "elements"
        raise ValueError(
            f"too small a sample: {n} {unit} pin the keep rate only to ±{halfwidth:.3f} at z={z:g}; "
            f"±{max_halfwidth:g} needs at least {needed} {unit}"
        )
    cotangent = np.random.default_rng(0).standard_normal(x.shape).astype(x.dtype)
    draws = [_draw("torch", torch_layer, x, cotangent), _draw("Paddle", paddle_layer, x, cotangent)]
    failures: dict[str, list[str]] = {}
    rates = []
    for draw in draws:
        found, rate = _statistics(draw, x, cotangent, p, channels)
        rates.append(rate)
        for what, detail in found.items():
            failures.setdefault(what, []).append(detail)

    result = CheckResult(label or f"{pair_label(torch_layer, paddle_layer)}, p={p:g}", [], SCALE_TOLERANCE)
    band = f"{1 - p:.4g} ± {halfwidth:.2g} (z={z:g}, n={n} {'channels' if channels else 'elements'})"
    outside = [f"{d.framework} {r:.4f}" for d, r in zip(draws, rates, strict=True) if abs(r - (1 - p)) > halfwidth]
    measured = f"keep rate within {band}"
    result.comparisons.append(_verdict("eval identity", failures))
    if outside:
        result.comparisons.append(Comparison("keep rate", False, f"{', '.join(outside)} outside {band}"))
    else:
        result.comparisons.append(Comparison(measured, True, kind="statistic"))
    checked = ["whole channels"] if channels else []
    checked += ["masks differ across samples", "kept values x/(1-p)", "grad input = mask/(1-p)"]
    for what in checked:
        result.comparisons.append(_verdict(what, failures))
    return result


def _verdict(what: str, failures: dict[str, list[str]]) -> Comparison:
    return Comparison(what, what not in failures, "; ".join(failures.get(what, [])), kind="statistic")


def check_dropout(torch_layer: torch.nn.Module, paddle_layer: paddle.nn.Layer, x: np.ndarray, **options: Any) -> None:
    """Check a dropout pair statistically on input ``x`` (float, no zeros) and print one line::

        PASS  Dropout vs Dropout, p=0.3: eval identity, keep rate within 0.7 ± 0.016 (z=5, n=20000 elements),
        masks differ across samples, kept values x/(1-p), grad input = mask/(1-p) agree (rtol=1e-06, ...)

    or a FAIL line naming the framework and quantity, raising
    :class:`book.equivalence.EquivalenceError`. The layers are left in training mode. Options:
    ``z`` (standard errors allowed for the keep rate, default 5), ``max_halfwidth`` (the widest
    keep-rate tolerance accepted before the sample is refused, default 0.05), ``channels``
    (whole-channel masks; default: torch's Dropout1d/2d/3d), ``settings=False`` to skip the
    transfer rule's settings check, ``label``. What each quantity means: see :mod:`book.stochastic`.
    """
    report(compare_dropout(torch_layer, paddle_layer, x, **options))
