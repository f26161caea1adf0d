"""Copy the weights of a torch layer or model into its Paddle counterpart, checking everything first."""

from __future__ import annotations

import numpy as np
import paddle
import torch

from book.transfer.pairing import params_of
from book.transfer.registry import Param, TransferError


def torch_tensors(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """All parameters and buffers of a torch module by dotted name."""
    return {**dict(module.named_parameters()), **dict(module.named_buffers())}


def paddle_tensors(layer: paddle.nn.Layer) -> dict[str, paddle.Tensor]:
    """All parameters and buffers of a Paddle layer by dotted name."""
    return {**dict(layer.named_parameters()), **dict(layer.named_buffers())}


def paddle_dtype(tensor: paddle.Tensor) -> str:
    """A Paddle tensor's dtype spelled like NumPy's (``float32``)."""
    return str(tensor.dtype).replace("paddle.", "")


def copy_weights(torch_module: torch.nn.Module, paddle_module: paddle.nn.Layer) -> list[Param]:
    """Copy every parameter and buffer of ``torch_module`` into ``paddle_module``, converting layouts.

    Works for a single layer or a whole model (see :func:`book.transfer.params_of`). Checks the
    configuration, names, shapes and dtypes first and raises :class:`TransferError` naming the
    offending parameter; nothing is copied unless everything matches. Torch-only buffers are not
    copied. Returns the parameter list, which :func:`book.equivalence.check_layers` reuses.
    """
    params = params_of(torch_module, paddle_module)
    source, target = torch_tensors(torch_module), paddle_tensors(paddle_module)
    arrays = []
    for p in params:
        assert p.paddle_name is not None  # params_of leaves torch-only buffers out
        if p.torch_name not in source:
            raise TransferError(f"{p.torch_name}: the torch layer has no such parameter")
        if p.paddle_name not in target:
            raise TransferError(f"{p.paddle_name}: the Paddle layer has no such parameter")
        # np.array, not np.ascontiguousarray, which turns a 0-d buffer into shape (1,)
        array = np.array(p.layout.to_paddle(source[p.torch_name].detach().cpu().numpy()), order="C")
        expected = tuple(target[p.paddle_name].shape)
        if array.shape != expected:
            raise TransferError(
                f"{p.torch_name} -> {p.paddle_name}: torch gives shape {array.shape} in Paddle's layout, "
                f"the Paddle layer has {expected}"
            )
        dtype = paddle_dtype(target[p.paddle_name])
        if str(array.dtype) != dtype:
            raise TransferError(f"{p.torch_name} -> {p.paddle_name}: dtype {array.dtype} vs {dtype}")
        arrays.append(array)
    for p, array in zip(params, arrays, strict=True):
        target[str(p.paddle_name)].set_value(array)
    return params
