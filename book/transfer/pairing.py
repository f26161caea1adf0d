"""Pair two whole models (or two single layers) submodule by submodule, and list their parameters.

A torch module whose class (or a base class) has a rule is a *leaf*: the rule checks it against its
Paddle counterpart and lists its parameters. Every other module is a *composite*, provided it is a
container (``Sequential``/``Sequential``, ``ModuleList``/``LayerList``, ``ModuleDict``/``LayerDict``,
``ParameterList``/``ParameterList``, ``ParameterDict``/``ParameterDict``: their parameters are direct) or
a user-defined class (one not defined inside ``torch``): its children are paired by name, in order,
recursively, and its own direct parameters and buffers by name (same layout). A built-in torch layer
without a rule cannot be paired. Every error starts with the dotted path of the first submodule that
does not match (nothing in front for the root).
"""

from __future__ import annotations

import paddle
import torch

from book.transfer.registry import SAME, Param, TransferError, known_types, rule_for

Pair = tuple[str, torch.nn.Module, paddle.nn.Layer]

CONTAINERS: tuple[tuple[type, type], ...] = (
    (torch.nn.Sequential, paddle.nn.Sequential),
    (torch.nn.ModuleList, paddle.nn.LayerList),
    (torch.nn.ModuleDict, paddle.nn.LayerDict),
    (torch.nn.ParameterList, paddle.nn.ParameterList),
    (torch.nn.ParameterDict, paddle.nn.ParameterDict),
)


def params_of(
    torch_module: torch.nn.Module, paddle_module: paddle.nn.Layer, *, with_torch_only: bool = False
) -> list[Param]:
    """The checked parameter list of a layer pair or a model pair, with dotted names (``"features.0.weight"``).

    Raises :class:`TransferError` on the first mismatch. Torch-only buffers (``paddle_name`` None,
    like BatchNorm's ``num_batches_tracked``) are left out unless ``with_torch_only``.
    """
    params: list[Param] = []
    _walk(torch_module, paddle_module, "", params, [])
    return params if with_torch_only else [q for q in params if q.paddle_name is not None]


def pairs_of(torch_module: torch.nn.Module, paddle_module: paddle.nn.Layer) -> list[Pair]:
    """Every paired submodule as (dotted name, torch module, Paddle layer): the root first as ``""``,
    then in torch's registration order (a leaf's own submodules are not listed)."""
    pairs: list[Pair] = []
    _walk(torch_module, paddle_module, "", [], pairs)
    return pairs


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _at(path: str, message: str) -> TransferError:
    return TransferError(f"{path}: {message}" if path else message)


def _torch_name(module: torch.nn.Module) -> str:
    cls = type(module)
    return f"torch.nn.{cls.__name__}" if cls.__module__.startswith("torch.") else cls.__qualname__


def _walk(t: torch.nn.Module, p: paddle.nn.Layer, path: str, params: list[Param], pairs: list[Pair]) -> None:
    pairs.append((path, t, p))
    entry = rule_for(t)
    if entry is not None:
        if not isinstance(p, entry.paddle_types):
            expected = " or ".join(f"paddle.nn.{c.__name__}" for c in entry.paddle_types)
            raise _at(path, f"{_torch_name(t)} transfers into {expected}, not {type(p).__name__}")
        try:
            local = entry.rule(t, p)
        except TransferError as error:
            raise _at(path, str(error)) from None
        params.extend(q.prefixed(path) for q in local)
        return
    container = next((pc for tc, pc in CONTAINERS if isinstance(t, tc)), None)
    if container is None and type(t).__module__.split(".")[0] == "torch":
        known = f" (rules exist for: {', '.join(known_types())})" if not path else ""
        raise _at(path, f"no transfer rule for {_torch_name(t)}{known}")
    if container is not None and not isinstance(p, container):
        raise _at(path, f"{_torch_name(t)} pairs with paddle.nn.{container.__name__}, not {type(p).__name__}")
    _pair_direct(t, p, path, params)
    t_names = [name for name, _ in t.named_children()]
    p_children = dict(p.named_children())
    _same_names(path, "submodule", t_names, list(p_children))
    for name, child in t.named_children():
        _walk(child, p_children[name], _join(path, name), params, pairs)


def _pair_direct(t: torch.nn.Module, p: paddle.nn.Layer, path: str, params: list[Param]) -> None:
    """A composite's own parameters and buffers, paired by name in the same layout."""
    for kind, t_names, p_names, buffer in (
        (
            "parameter",
            [n for n, _ in t.named_parameters(recurse=False)],
            [n for n, _ in p.named_parameters(include_sublayers=False)],
            False,
        ),
        (
            "buffer",
            [n for n, _ in t.named_buffers(recurse=False)],
            [n for n, _ in p.named_buffers(include_sublayers=False)],
            True,
        ),
    ):
        _same_names(path, kind, t_names, p_names, ordered=False)
        params.extend(Param(_join(path, n), _join(path, n), SAME, buffer) for n in t_names)


def _same_names(path: str, kind: str, t_names: list[str], p_names: list[str], *, ordered: bool = True) -> None:
    """The two lists of child names must hold the same names (in the same order when ``ordered``)."""
    for name in t_names:
        if name not in p_names:
            raise _at(
                _join(path, name), f"the Paddle model has no {kind} {name!r} (it has: {', '.join(p_names) or 'none'})"
            )
    for name in p_names:
        if name not in t_names:
            raise _at(
                _join(path, name), f"the torch model has no {kind} {name!r} (it has: {', '.join(t_names) or 'none'})"
            )
    if ordered and t_names != p_names:
        first = next(i for i, (a, b) in enumerate(zip(t_names, p_names, strict=True)) if a != b)
        raise _at(
            _join(path, t_names[first]),
            f"{kind}s in a different order: torch has ({', '.join(t_names)}), Paddle has ({', '.join(p_names)})",
        )
