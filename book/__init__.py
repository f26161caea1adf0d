"""Helpers that every chapter of *Layers, side by side* imports.

A chapter starts with :func:`book.environment.setup` (seeds, print options, quiet imports,
device), builds a PyTorch module and its Paddle counterpart, and proves the pair equivalent.
What a chapter calls, by module:

- :mod:`book.equivalence`: ``check_layers`` (a layer, a container or a whole model: weights
  copied by the transfer rules, outputs and every gradient compared), ``check_functions``
  (functional forms), ``check_reference`` (each framework against NumPy or a formula),
  ``check_training`` (optimizer steps side by side) and ``check_state``; their ``compare_*``
  twins return the result instead of printing it.
- :mod:`book.optimizers`: ``SGD``, ``Adam``, ``AdamW`` stated in torch's terms and built in both.
- :mod:`book.stochastic`: ``check_dropout``, the statistical check of dropout-like layers.
- :mod:`book.divergence`: ``first_divergence``, the first submodule where two models part.
- :mod:`book.transfer`: ``copy_weights``, ``to_paddle_state_dict`` / ``to_torch_state_dict``, and
  the rules, one module per layer family in :mod:`book.transfer.rules` (the place a new chapter
  adds to; :mod:`book.transfer.rules.normalization` shows how).
- :mod:`book.tensors` prints tensors deterministically, :mod:`book.arithmetic` holds the
  output-size formulas and ``check_formula``, :mod:`book.figures` draws the figures, and
  :mod:`book.environment` has ``paddle_on_cpu`` for device-dependent cells, and
  :mod:`book.isolation` runs a call that may crash the interpreter in a child process.
- Elementwise functions: :mod:`book.edges` (``check_edges``: both frameworks at zero, the kinks,
  huge magnitudes, infinities and NaN) and :mod:`book.curves` (values and derivatives overlaid).
- Sequences: :mod:`book.sequences` (a padded batch through a recurrent layer, packed in PyTorch,
  with ``sequence_length`` in Paddle).
- Training two models side by side: :mod:`book.datasets` (bundled data, batched once in NumPy),
  :mod:`book.schedulers` and :mod:`book.clipping` (learning-rate schedules and gradient clipping
  stated in torch's terms, built in both), :mod:`book.masks` (the same dropout masks in both),
  :mod:`book.training_curves` (``check_curves``) and :mod:`book.training_figures`.

Behind them: :mod:`book.calling`, :mod:`book.checking`, :mod:`book.results` and
:mod:`book.training` (how a check runs), :mod:`book.colab` (the Colab bootstrap and Paddle's
install), :mod:`book.notebooks` (``make execute``), :mod:`book.chapter_text`,
:mod:`book.api_map`, :mod:`book.glossary` and :mod:`book.appendices` (the appendices generated
from the chapters, ``make appendices``), and the Sphinx extensions
:mod:`book.side_by_side` (the two-column view) and :mod:`book.offline_math` (MathJax served by
the site).

Importing this package imports neither framework: :func:`setup` does that, quietly.
"""

from book.environment import Devices, setup

__all__ = ["Devices", "setup"]
