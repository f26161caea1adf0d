"""What a notebook's code cells show, as strict nbval compares it, and where each cell sits.

:func:`cell_text` is a cell's text output: stdout, stderr (each line marked ``[stderr]``),
``text/plain`` of results and displays, and an error as ``Name: message``; images are not
compared (nbval skips them too). :func:`sections` names the section (the nearest heading above)
of every code cell, with its anchor as MyST makes it (``myst_heading_anchors``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from mdit_py_plugins.anchors.index import slugify, unique_slug

#: Tags whose cells nbval does not compare (their output truly varies).
IGNORED_TAGS = frozenset({"nbval-ignore-output", "nbval-skip", "remove-cell"})
#: The first word of the line that a passing (failing) check prints (book.results).
PASS, FAIL = "PASS  ", "FAIL  "
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Section:
    """A chapter's heading: its text and the anchor of its HTML id."""

    title: str
    anchor: str


def error_text(output: Any) -> str:
    """An error output as ``ValueError: message`` (the traceback holds paths and is left out)."""
    return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip()


def cell_text(cell: Any) -> str:
    """The text a code cell shows, every output in order, as one string."""
    parts: list[str] = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            text = "".join(output.get("text", ""))
            if output.get("name") == "stderr":
                text = "".join(f"[stderr] {line}" for line in text.splitlines(keepends=True))
            parts.append(text)
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "text/plain" in data and not any(key.startswith("image/") for key in data):
                parts.append("".join(data["text/plain"]).rstrip("\n") + "\n")
        elif kind == "error":
            parts.append(error_text(output) + "\n")
    return "".join(parts)


def raised(cell: Any) -> str | None:
    """The error a cell raised, as ``Name: message``, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return error_text(output)
    return None


def is_compared(cell: Any) -> bool:
    """A code cell whose output nbval compares (not tagged to be ignored, skipped or removed)."""
    tags = set(cell.get("metadata", {}).get("tags", []))
    return cell.get("cell_type") == "code" and not tags & IGNORED_TAGS


def is_check(text: str) -> bool:
    """True if a cell's output holds a check's PASS or FAIL line."""
    return any(line.startswith((PASS, FAIL)) for line in text.splitlines())


def check_fails(stored: str, new: str, error: str | None) -> bool:
    """A check that passed in the stored run fails now: a FAIL line, a PASS line gone, or an error."""
    if not is_check(stored):
        return False
    passes = [line for line in stored.splitlines() if line.startswith(PASS)]
    new_lines = set(new.splitlines())
    return (
        error is not None
        or any(line.startswith(FAIL) for line in new_lines)
        or any(line not in new_lines for line in passes)
    )


def headings(source: str) -> list[tuple[int, str]]:
    """The ``#``, ``##`` and ``###`` headings of a markdown cell, outside code fences."""
    found: list[tuple[int, str]] = []
    fenced = False
    for line in source.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found.append((len(match.group(1)), match.group(2)))
    return found


def plain_title(title: str) -> str:
    """A heading without its markdown: ``\\`Conv2d\\` and *padding*`` -> ``Conv2d and padding``."""
    return re.sub(r"`|\*", "", title)


def sections(notebook: Any) -> dict[str, Section]:
    """The section of every code cell, by cell id: the nearest heading above it."""
    current = Section("", "")
    found: dict[str, Section] = {}
    slugs: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for _, title in headings("".join(cell.source)):
                text = plain_title(title)
                slug = unique_slug(slugify(text), slugs)
                slugs.add(slug)
                current = Section(text, slug)
        elif cell.cell_type == "code":
            found[cell.id] = current
    return found


def title(notebook: Any) -> str:
    """The chapter's title: its first ``#`` heading."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for level, text in headings("".join(cell.source)):
                if level == 1:
                    return plain_title(text)
    return ""


def digest(notebook: Any) -> str:
    """A digest of what the drift run compares: every compared code cell's id, source and text."""
    h = hashlib.sha256()
    for cell in notebook.cells:
        if is_compared(cell):
            for piece in (cell.id, "".join(cell.source), cell_text(cell)):
                h.update(piece.encode("utf-8") + b"\0")
    return h.hexdigest()[:16]


def read(path: Any) -> Any:
    """A notebook as stored, with consecutive stream outputs merged (as a fresh run records them)."""
    import nbformat

    from book.notebooks import merge_streams

    notebook = nbformat.read(path, as_version=4)
    merge_streams(notebook)
    return notebook
