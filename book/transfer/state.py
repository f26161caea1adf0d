"""Convert whole state dicts between the frameworks, in both directions, by the same rules as copying.

A reader porting a real model calls::

    paddle_model.set_state_dict(to_paddle_state_dict(torch_model.state_dict(), torch_model, paddle_model))
    torch_model.load_state_dict(to_torch_state_dict(paddle_model.state_dict(), torch_model, paddle_model))

The two models are the templates: they fix the pairing, the rules' settings and the expected shapes.
Keys that no rule lists (unmatched), listed keys absent from the state (missing) and arrays of the wrong
shape (mis-shaped) are one :class:`TransferError` listing all of them.

Torch-only buffers (``Param.paddle_name is None``: BatchNorm's ``num_batches_tracked``, a loss's class
``weight``) have nothing to go to in Paddle; they are dropped on the way there and taken from the torch
template model on the way back. Hence the round trip torch -> Paddle -> torch is bit-exact for every key
when the template is the model the state came from. Paddle's RNNs keep each weight under two names (the
flat ``weight_ih_l0`` and the cell's ``0.cell.weight_ih``); both are written, and either is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import paddle
import torch

from book.transfer.copying import paddle_tensors
from book.transfer.pairing import params_of
from book.transfer.registry import Param, TransferError


def _numpy(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, paddle.Tensor):
        return np.asarray(value.numpy())
    return np.asarray(value)


def _aliases(paddle_model: paddle.nn.Layer) -> dict[str, list[str]]:
    """Each listed Paddle name with the other state-dict names of the same tensor."""
    canonical = {id(tensor): name for name, tensor in paddle_tensors(paddle_model).items()}
    aliases: dict[str, list[str]] = {}
    for name, tensor in paddle_model.state_dict().items():
        owner = canonical.get(id(tensor))
        if owner is not None and owner != name:
            aliases.setdefault(owner, []).append(name)
    return aliases


def _raise_if_any(direction: str, unmatched: list[str], missing: list[str], misshaped: list[str]) -> None:
    problems = [
        f"{label}: {', '.join(keys)}"
        for label, keys in (("unmatched keys", unmatched), ("missing keys", missing), ("mis-shaped keys", misshaped))
        if keys
    ]
    if problems:
        raise TransferError(f"the {direction} state dict does not fit the models: " + "; ".join(problems))


def _persistent(params: list[Param], torch_model: torch.nn.Module) -> list[Param]:
    """The entries that torch's state dict holds (non-persistent buffers are left out by torch)."""
    keys = set(torch_model.state_dict())
    return [q for q in params if q.torch_name in keys]


def to_paddle_state_dict(
    torch_state: Mapping[str, Any], torch_model: torch.nn.Module, paddle_model: paddle.nn.Layer
) -> dict[str, np.ndarray]:
    """A torch state dict of ``torch_model``'s structure as a Paddle state dict for ``paddle_model``.

    Layouts are converted (Linear's weight transposed, LayerNorm's flattened); the arrays keep their
    dtype. Raises :class:`TransferError` listing every unmatched, missing or mis-shaped key.
    """
    params = _persistent(params_of(torch_model, paddle_model, with_torch_only=True), torch_model)
    template, targets, aliases = torch_model.state_dict(), paddle_tensors(paddle_model), _aliases(paddle_model)
    listed = {q.torch_name for q in params}
    unmatched = [k for k in torch_state if k not in listed]
    missing = [q.torch_name for q in params if q.torch_name not in torch_state]
    misshaped: list[str] = []
    result: dict[str, np.ndarray] = {}
    for q in params:
        if q.torch_name not in torch_state:
            continue
        array = _numpy(torch_state[q.torch_name])
        if q.paddle_name is None:
            if array.shape != tuple(template[q.torch_name].shape):
                misshaped.append(
                    f"{q.torch_name} {array.shape} (the torch model has {tuple(template[q.torch_name].shape)})"
                )
            continue
        converted = np.array(q.layout.to_paddle(array), order="C")  # keeps a 0-d buffer 0-d
        expected = tuple(targets[q.paddle_name].shape)
        if converted.shape != expected:
            misshaped.append(
                f"{q.torch_name} {array.shape} -> {q.paddle_name} {converted.shape} (Paddle has {expected})"
            )
            continue
        for name in (q.paddle_name, *aliases.get(q.paddle_name, [])):
            result[name] = converted
    _raise_if_any("torch", unmatched, missing, misshaped)
    return result


def to_torch_state_dict(
    paddle_state: Mapping[str, Any], torch_model: torch.nn.Module, paddle_model: paddle.nn.Layer
) -> dict[str, torch.Tensor]:
    """A Paddle state dict of ``paddle_model``'s structure as a torch state dict for ``torch_model``.

    Keys come in the order of ``torch_model.state_dict()``; torch-only buffers are copied from it.
    Raises :class:`TransferError` listing every unmatched, missing or mis-shaped key.
    """
    params = _persistent(params_of(torch_model, paddle_model, with_torch_only=True), torch_model)
    template, targets, aliases = torch_model.state_dict(), paddle_tensors(paddle_model), _aliases(paddle_model)
    names = {q.paddle_name: [q.paddle_name, *aliases.get(q.paddle_name, [])] for q in params if q.paddle_name}
    known = {alias for group in names.values() for alias in group}
    unmatched = [k for k in paddle_state if k not in known]
    listed = {q.torch_name for q in params}
    missing = [f"{k} (no rule lists it)" for k in template if k not in listed]
    misshaped: list[str] = []
    converted: dict[str, torch.Tensor] = {}
    for q in params:
        shape = tuple(template[q.torch_name].shape)
        if q.paddle_name is None:
            converted[q.torch_name] = template[q.torch_name].detach().clone()
            continue
        given = next((n for n in names[q.paddle_name] if n in paddle_state), None)
        if given is None:
            missing.append(q.paddle_name)
            continue
        array, expected = _numpy(paddle_state[given]), tuple(targets[q.paddle_name].shape)
        if array.shape != expected:
            misshaped.append(f"{given} {array.shape} (Paddle has {expected})")
            continue
        converted[q.torch_name] = torch.from_numpy(np.array(q.layout.to_torch(array, shape), copy=True))
    _raise_if_any("Paddle", unmatched, missing, misshaped)
    return {k: converted[k] for k in template if k in converted}
