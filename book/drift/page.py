"""Write the appendix "Which releases behave how" (``chapters/appendix_releases.md``) from the report.

The page holds a summary of the releases run, then a matrix: one row per code cell whose output
differs under at least one release, one column per release. Each row links to its section in the
chapter and to its details further down, which show the cell's code, the stored output and each
release's output. Every row has a stable label, ``release-<chapter>-<cell id>`` (see
:func:`row_label`), so that a chapter can point at it: ``{ref}`release-pooling-4b3c81b8```.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from typing import Any

from book.drift.releases import PACKAGES, Release
from book.drift.report import COMMAND, REPORT, ROOT
from book.drift.run import CHECK_FAILS, OUTPUT, RAISES

PAGE = ROOT / "chapters" / "appendix_releases.md"
#: What a matrix cell says for each kind of change, and for no change.
MARK = {RAISES: "raises", CHECK_FAILS: "fails", OUTPUT: "differs", None: "·"}
#: What a matrix cell says for a release that could not be run (it does not import).
NOT_RUN = "not run"
#: A stored output longer than this many lines is shown once; each release then shows a diff.
LONG_OUTPUT = 8
#: A fence longer than any run of backticks in an output.
FENCE = "````"


def row_label(chapter: str, cell: str) -> str:
    """The stable label of a matrix row: ``release-pooling-4b3c81b8``."""
    return f"release-{chapter.removeprefix('chapters/')}-{cell}".lower()


def first_line(source: str, width: int = 56) -> str:
    """What names a cell in the matrix: its first line, without a comment's ``#``, cut to ``width``."""
    line = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    line = line.lstrip("#").strip()
    return line if len(line) <= width else line[: width - 1] + "…"


def _releases(data: dict[str, Any]) -> list[Release]:
    return sorted((Release(e["package"], e["version"]) for e in data["releases"]), key=Release.sort_key)


def _column(release: Release) -> str:
    return release.version if release.package == "paddlepaddle" else f"torch {release.version}"


def _rows(data: dict[str, Any]) -> dict[tuple[str, str], dict[Release, dict[str, Any]]]:
    """Every changed cell, in chapter and cell order: (chapter, cell id) -> release -> change."""
    order: dict[str, list[str]] = defaultdict(list)
    found: dict[tuple[str, str], dict[Release, dict[str, Any]]] = defaultdict(dict)
    for entry in data["releases"]:
        release = Release(entry["package"], entry["version"])
        for chapter, result in entry["chapters"].items():
            for change in result["changes"]:
                found[(chapter, change["cell"])][release] = change
                if change["cell"] not in order[chapter]:
                    order[chapter].append(change["cell"])
    # cells in notebook order: the order in which the stored notebook lists them
    position = {key: i for i, key in enumerate(_cell_order(data, order))}
    return dict(sorted(found.items(), key=lambda kv: position[kv[0]]))


def _cell_order(data: dict[str, Any], order: dict[str, list[str]]) -> list[tuple[str, str]]:
    import nbformat

    keys = []
    for chapter in data["chapters"]:
        path = ROOT / f"{chapter}.ipynb"
        ids = [cell.id for cell in nbformat.read(path, as_version=4).cells] if path.is_file() else []
        known = [i for i in ids if i in order.get(chapter, [])]
        keys += [(chapter, i) for i in known + [i for i in order.get(chapter, []) if i not in known]]
    return keys


def _summary(data: dict[str, Any], releases: list[Release]) -> list[str]:
    pinned = data["pinned"]
    lines = [
        "| release | run with | chapters | changed cells | cells that raise | checks that fail | time |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in sorted(data["releases"], key=lambda e: Release(e["package"], e["version"]).sort_key()):
        release = Release(entry["package"], entry["version"])
        other = next(p for p in PACKAGES if p != release.package)
        changes = [c for result in entry["chapters"].values() for c in result["changes"]]
        kinds = [c["kind"] for c in changes]
        if entry.get("error"):
            counts = f"{NOT_RUN}: {entry['error']} | | | "
        else:
            counts = f"{len(changes)} | {kinds.count(RAISES)} | {kinds.count(CHECK_FAILS)} | "
        lines.append(
            f"| {release.label} | {PACKAGES[other]} {pinned[other]} | {len(entry['chapters'])} | "
            f"{counts}{entry['seconds']:.0f} s |"
        )
    return lines


def _mark(data: dict[str, Any], release: Release, by_release: dict[Release, dict[str, Any]]) -> str:
    if release in by_release:
        return MARK[by_release[release]["kind"]]
    entry = next(e for e in data["releases"] if (e["package"], e["version"]) == (release.package, release.version))
    return NOT_RUN if entry.get("error") else MARK[None]


def diff(stored: str, new: str) -> str:
    """The lines that differ (``-`` stored, ``+`` new), each hunk with one line of context."""
    lines = difflib.unified_diff(stored.splitlines(), new.splitlines(), lineterm="", n=1)
    return "\n".join(line for line in lines if not line.startswith(("---", "+++")))


def _ref_text(text: str) -> str:
    """Text that can stand inside a ``{ref}`` role: no backticks, no angle brackets."""
    return text.replace("`", "'").replace("<", "‹").replace(">", "›")


def _stopped(data: dict[str, Any]) -> list[str]:
    """A line for each chapter whose run stopped before its end (the kernel died, a time-out)."""
    lines = []
    for entry in data["releases"]:
        for chapter, result in entry["chapters"].items():
            if result.get("error"):
                label = Release(entry["package"], entry["version"]).label
                lines.append(f"- Under {label}, {chapter} stopped before its end: {result['error']}")
    return [*lines, ""] if lines else []


def _matrix(data: dict[str, Any], releases: list[Release], rows: dict) -> list[str]:
    """One table per chapter: a row per changed cell (linked to its details), a column per release."""
    titles = {name: info["title"] for name, info in data["chapters"].items()}
    lines: list[str] = []
    chapter_seen = None
    for (chapter, cell), by_release in rows.items():
        change = next(iter(by_release.values()))
        if chapter != chapter_seen:
            name = chapter.removeprefix("chapters/")
            lines += [""] if lines else []
            lines += [f"### {titles.get(chapter, name)}", ""]
            lines += ["| section: cell | " + " | ".join(_column(r) for r in releases) + " |"]
            lines += ["|---|" + "---|" * len(releases)]
            chapter_seen = chapter
        where = change["section"] or titles.get(chapter, chapter)
        text = _ref_text(f"{where}: {first_line(change['source'], 40)}")
        marks = [_mark(data, r, by_release) for r in releases]
        lines.append(f"| {{ref}}`{text} <{row_label(chapter, cell)}>` | " + " | ".join(marks) + " |")
    return lines


def _details(data: dict[str, Any], releases: list[Release], rows: dict) -> list[str]:
    pinned = data["pinned"]
    titles = {name: info["title"] for name, info in data["chapters"].items()}
    lines: list[str] = []
    chapter_seen = None
    for (chapter, cell), by_release in rows.items():
        change = next(iter(by_release.values()))
        if chapter != chapter_seen:
            lines += [f"### {titles.get(chapter, chapter)}", ""]
            chapter_seen = chapter
        title = first_line(f"{change['section'] or titles.get(chapter, chapter)}: {first_line(change['source'])}", 72)
        lines += [f"({row_label(chapter, cell)})=", f"#### {title.replace('`', '')}", ""]
        name = chapter.removeprefix("chapters/")
        target = f"{name}.ipynb#{change['anchor']}" if change["anchor"] else f"{name}.ipynb"
        section = change["section"] or titles.get(chapter, name)
        lines += [f"In [{section}]({target}) ({titles.get(chapter, name)}):", ""]
        lines += [f"{FENCE}python", change["source"].rstrip("\n"), FENCE, ""]
        stored = f"PyTorch {pinned['torch']}, Paddle {pinned['paddlepaddle']}"
        lines += [f"Stored output ({stored}, and every release not named below):", ""]
        lines += [f"{FENCE}text", change["stored"].rstrip("\n") or "(no output)", FENCE, ""]
        groups: dict[str, list[Release]] = defaultdict(list)
        for release in releases:
            if release in by_release:
                groups[by_release[release]["new"]].append(release)
        long = len(change["stored"].splitlines()) > LONG_OUTPUT
        for new, group in groups.items():
            kind = by_release[group[0]]["kind"]
            what = {RAISES: "raises", CHECK_FAILS: "a check fails", OUTPUT: "the output differs"}[kind]
            if long:
                lines += [f"{', '.join(r.label for r in group)} ({what}; the lines that differ):", ""]
                lines += [f"{FENCE}diff", diff(change["stored"], new), FENCE, ""]
            else:
                lines += [f"{', '.join(r.label for r in group)} ({what}):", ""]
                lines += [f"{FENCE}text", new.rstrip("\n") or "(no output)", FENCE, ""]
    return lines


def render(data: dict[str, Any]) -> str:
    """The whole page, as Markdown (MyST)."""
    releases = _releases(data)
    rows = _rows(data)
    pinned = data["pinned"]
    chapters = ", ".join(f"{{doc}}`{name.removeprefix('chapters/')}`" for name in data["chapters"])
    lines = [
        "<!-- Generated by `"
        + COMMAND
        + "` (make drift) from "
        + str(REPORT.relative_to(ROOT))
        + ": do not edit by hand. -->",
        "",
        "# Which releases behave how",
        "",
        f"The book's outputs come from PyTorch {pinned['torch']} and Paddle {pinned['paddlepaddle']}. "
        "Readers do not all run those: Colab ships its own PyTorch, and many teams stay on an older "
        "Paddle 3. This page shows what changes under other releases. Every chapter "
        f"({chapters}) was run top to bottom under each release below, one framework at a time "
        "(the other at its pinned release), and each code cell's text output was compared with the "
        "stored one, exactly as the book's own tests compare them.",
        "",
        "## Releases run",
        "",
        *_summary(data, releases),
        "",
        *_stopped(data),
        "A cell that *raises* stops with an error where the pinned releases run it; a check that "
        "*fails* printed PASS with the pinned releases and FAIL (or an error) here; a cell that "
        "*differs* runs but prints something else. A cell that raises can make later cells of the "
        "same chapter raise too (a `NameError` for a name it should have defined). The time is that "
        "of running the chapters on one thread (`make drift` on the book's 2-core build machine).",
        "",
        "## The matrix",
        "",
    ]
    if rows:
        lines += [
            "One table per chapter, one row per code cell whose output changes under at least one "
            "release (its section, then the first line of its code), one column per release "
            "(Paddle's by version number). `·` means the same output as the pinned releases. Each "
            "row links to its details below, which show the code, both outputs and the section.",
            "",
            *_matrix(data, releases, rows),
            "",
            "## Details",
            "",
            *_details(data, releases, rows),
        ]
    else:
        lines += ["No cell's output changes under any release run.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
