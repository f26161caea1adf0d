"""Weight transfer between a PyTorch layer or model and its Paddle counterpart, in both directions.

- :mod:`book.transfer.registry`: layouts, :class:`Param`, the rule table (:func:`register`,
  :func:`register_settings`, :func:`rule_for`) and the helpers rules share;
- :mod:`book.transfer.pairing`: :func:`params_of` / :func:`pairs_of` pair whole models recursively;
- :mod:`book.transfer.copying`: :func:`copy_weights` copies torch's weights into Paddle;
- :mod:`book.transfer.state`: :func:`to_paddle_state_dict` / :func:`to_torch_state_dict`;
- :mod:`book.transfer.rules`: one module per layer family, registered on import.
"""

from __future__ import annotations

from book.transfer import registry, rules  # noqa: F401  (rules register on import)
from book.transfer.copying import copy_weights, paddle_tensors, torch_tensors
from book.transfer.pairing import CONTAINERS, pairs_of, params_of
from book.transfer.registry import (
    FLATTEN,
    SAME,
    TRANSPOSE,
    Entry,
    Layout,
    Param,
    Rule,
    Setting,
    TransferError,
    as_tuple,
    flatten,
    optional_param,
    padding_pairs,
    paddle_attr,
    register,
    register_settings,
    require_channel_first,
    require_close,
    require_equal,
    rule_for,
    same,
    transpose,
)
from book.transfer.state import to_paddle_state_dict, to_torch_state_dict

__all__ = [
    "CONTAINERS",
    "FLATTEN",
    "SAME",
    "TRANSPOSE",
    "Entry",
    "Layout",
    "Param",
    "Rule",
    "Setting",
    "TransferError",
    "as_tuple",
    "copy_weights",
    "flatten",
    "optional_param",
    "padding_pairs",
    "paddle_attr",
    "paddle_tensors",
    "pairs_of",
    "params_of",
    "register",
    "register_settings",
    "require_channel_first",
    "require_close",
    "require_equal",
    "rule_for",
    "same",
    "to_paddle_state_dict",
    "to_torch_state_dict",
    "torch_tensors",
    "transpose",
]
