"""Re-execute chapter notebooks in place, so that their stored outputs come from one fresh run.

``make execute`` calls ``python -m book.notebooks chapters/*.ipynb``. Each notebook runs top
to bottom in a new kernel with its own folder as the working directory (as nbval runs it),
and the per-cell timing metadata that would change on every run is not recorded.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

#: Seconds one cell may run before the execution is abandoned.
CELL_TIMEOUT = 600


def execute(path: Path, kernel_name: str = "python3") -> float:
    """Execute the notebook at ``path`` in place; returns the wall time in seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name=kernel_name,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(notebook, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        seconds = execute(path)
        print(f"executed {path} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
