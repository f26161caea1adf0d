"""Helpers that every chapter of *Layers, side by side* imports.

A chapter starts with :func:`book.environment.setup` (seeds, print options, quiet imports,
device), builds a PyTorch layer and its Paddle counterpart, copies the weights with
:func:`book.transfer.copy_weights`, and proves the pair equivalent with
:func:`book.equivalence.check_layers` or :func:`book.equivalence.check_functions`; a layer
with state (running statistics) with :func:`book.equivalence.check_training`.
:mod:`book.tensors` prints tensors deterministically, :mod:`book.arithmetic` holds the
output-size formulas, :mod:`book.figures` draws the figures and :mod:`book.side_by_side`
is the Sphinx extension for the two-column view on the site.

Importing this package imports neither framework: :func:`setup` does that, quietly.
"""

from book.environment import Devices, setup

__all__ = ["Devices", "setup"]
