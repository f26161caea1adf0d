"""Execute a chapter under another release and list the cells whose output changes."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from book.drift import outputs
from book.notebooks import CELL_TIMEOUT, merge_streams

#: Kinds of change, the most serious first: a cell that raises, a check that fails, other output.
RAISES, CHECK_FAILS, OUTPUT = "raises", "check fails", "output"
#: What a failing check raises (book.results.EquivalenceError).
CHECK_ERROR = "EquivalenceError"


def changes(stored: Any, new: Any) -> list[dict[str, Any]]:
    """One entry per compared code cell whose text output differs between two runs of a notebook.

    ``stored`` is the notebook as committed, ``new`` the same notebook after a run (same cells).
    Each entry has the cell's id, section, anchor, kind (:data:`RAISES`, :data:`CHECK_FAILS` or
    :data:`OUTPUT`), source, stored and new text, and the error it raised (or None).
    """
    found = []
    where = outputs.sections(stored)
    new_cells = {cell.id: cell for cell in new.cells}
    for cell in stored.cells:
        if not outputs.is_compared(cell):
            continue
        before = outputs.cell_text(cell)
        after = outputs.cell_text(new_cells[cell.id])
        if before == after:
            continue
        error = outputs.raised(new_cells[cell.id])
        failed = outputs.check_fails(before, after, error)
        if failed and (error is None or error.startswith(CHECK_ERROR) or outputs.FAIL in after):
            kind = CHECK_FAILS  # the check ran and found a difference
        elif error is not None and outputs.raised(cell) != error:
            kind = RAISES  # the cell (a check included) stopped before it could compare anything
        else:
            kind = CHECK_FAILS if failed else OUTPUT
        section = where[cell.id]
        found.append(
            {
                "cell": cell.id,
                "section": section.title,
                "anchor": section.anchor,
                "kind": kind,
                "source": "".join(cell.source),
                "stored": before,
                "new": after,
                "error": error,
            }
        )
    return found


def execute(work: Any, folder: Path, env: dict[str, str], kernel_name: str = "python3") -> None:
    """Run the notebook ``work`` in place, in a fresh kernel with ``env`` in ``folder``, errors and all.

    A cell that raises records its error and the run goes on, as in a reader's notebook. A cell
    not reached keeps what it held (a copy of the stored notebook keeps its stored outputs).
    """
    client = NotebookClient(
        work,
        timeout=CELL_TIMEOUT,
        kernel_name=kernel_name,
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute(env=env)


def chapter_drift(path: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run a copy of one chapter with ``env``: its seconds, its :func:`changes`, and ``error``.

    ``error`` is None, or why the run stopped before the end (the kernel died, or a cell ran past
    :data:`book.notebooks.CELL_TIMEOUT`); the changes then cover the cells that ran.
    """
    stored = outputs.read(path)
    work = copy.deepcopy(stored)
    start = time.perf_counter()
    error = None
    try:
        execute(work, path.parent, env)
    except (DeadKernelError, CellTimeoutError) as stop:
        error = f"{type(stop).__name__}: {(str(stop).strip().splitlines() or [''])[0]}"
    merge_streams(work)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 1), "changes": changes(stored, work), "error": error}
