"""The transfer rules, one module per layer family, in the order the chapters introduce them.

Importing this package registers every rule. A new family adds its module here.
"""

from book.transfer.rules import (  # noqa: F401  (imported to register the rules)
    activations,
    convolution,
    linear,
    losses,
    normalization,
    pooling,
    recurrent,
)
