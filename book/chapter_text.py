"""Read a chapter notebook as the site shows it: its sections, tables, check cells and prose.

The appendices (book.api_map, book.glossary) and the chapter lint are generated from what this
module reads, so that nothing is typed twice:

* :func:`book_chapters` lists the chapter notebooks of ``_toc.yml``, in the book's order;
* :func:`read_chapter` parses every markdown cell with markdown-it (as MyST does: CommonMark,
  tables, ``$`` math), and returns a :class:`Chapter` with its H1 title, its :class:`Section`
  objects (every H2 and H3, each with the anchor MyST gives it: :data:`HEADING_ANCHORS` must
  equal ``myst_heading_anchors`` in ``_config.yml``), its :class:`Table` objects (each with the
  section it sits under) and its :class:`Prose` paragraphs;
* :func:`pass_lines` gives a code cell's PASS lines (of check_layers, check_functions, ...,
  or of check_formula), and :meth:`Chapter.checks` the check cells of a section.

A *section* is an H2 or H3 heading and what follows it up to the next heading of the same or a
higher level; an H4 belongs to its H3. Positions are ``(cell index, line in the cell)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.dollarmath import dollarmath_plugin
from myst_parser.mdit_to_docutils.base import compute_unique_slug

#: Headings up to this level get an anchor (``myst_heading_anchors`` in _config.yml).
HEADING_ANCHORS = 3
#: The levels that make a section of the appendices.
SECTION_LEVELS = (2, 3)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FORMULA_PASS = re.compile(r"formula agrees with .+ on \d+ settings: PASS")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)

Position = tuple[int, int]


def markdown_parser() -> MarkdownIt:
    """CommonMark with tables and dollar math, as MyST reads a notebook's markdown."""
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)


@dataclass(frozen=True)
class Section:
    """An H2 or H3 heading and the cells up to the next heading of its level or higher."""

    title: str  # the heading's markdown, e.g. "`output_padding` and `output_size`"
    level: int
    slug: str  # MyST's anchor: chapters/x.ipynb#slug
    start: Position
    end: Position  # exclusive

    def __contains__(self, position: Position) -> bool:
        return self.start <= position < self.end


@dataclass(frozen=True)
class Table:
    """A markdown table: header and rows as the cells' markdown, where it is and its section."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    position: Position
    section: Section | None


@dataclass(frozen=True)
class Prose:
    """One paragraph, list item text or table cell of a markdown cell (its inline markdown)."""

    text: str
    position: Position
    section: Section | None


@dataclass
class Chapter:
    """A chapter notebook, read once."""

    path: Path
    title: str
    cells: list[Any]
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    prose: list[Prose] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The notebook's file name, e.g. ``convolution.ipynb`` (links from chapters/ use it)."""
        return self.path.name

    def section_at(self, position: Position) -> Section | None:
        """The innermost section holding *position*, or None before the first H2."""
        inside = [s for s in self.sections if position in s]
        return max(inside, key=lambda s: s.level) if inside else None

    def checks(self, section: Section) -> list[Check]:
        """The check cells of *section* (code cells with a PASS line), each with the pair cells
        before it (back to the previous check cell)."""
        found: list[Check] = []
        paired: list[str] = []
        for index, cell in enumerate(self.cells):
            if cell.cell_type != "code":
                continue
            if set(cell_tags(cell)) & {"pytorch", "paddle"}:
                paired.append(cell.source)
                continue
            lines = pass_lines(cell)
            if lines:
                if (index, 0) in section:
                    found.append(Check(index, tuple(lines), cell.source, tuple(paired)))
                paired = []
        return found


@dataclass(frozen=True)
class Check:
    """A check cell: its PASS lines, its source and the sources of the pair cells it checks."""

    index: int
    lines: tuple[str, ...]
    source: str
    pairs: tuple[str, ...]

    @property
    def text(self) -> str:
        """Everything that can name what the check compares."""
        return "\n".join((*self.lines, self.source, *self.pairs))


def cell_tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def output_text(output: Any) -> str:
    """What an output shows: stream text, plain/HTML/markdown data, or an error and its traceback."""
    kind = output.get("output_type")
    if kind == "stream":
        return str(output.get("text", ""))
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        return "\n".join(str(data[key]) for key in ("text/plain", "text/html", "text/markdown") if key in data)
    if kind == "error":
        lines = [f"{output.get('ename', '')}: {output.get('evalue', '')}", *output.get("traceback", [])]
        return _ANSI.sub("", "\n".join(lines))
    return ""


def is_pass_line(line: str) -> bool:
    """The PASS line of check_layers/check_functions/..., or of check_formula."""
    return line.startswith("PASS  ") or _FORMULA_PASS.fullmatch(line) is not None


def pass_lines(cell: Any) -> list[str]:
    """The PASS lines of a code cell's stored outputs."""
    return [
        line
        for output in cell.get("outputs", [])
        for line in output_text(output).splitlines()
        if is_pass_line(line)
    ]


def code_spans(markdown: str) -> list[str]:
    """The contents of the inline code spans of *markdown*, stripped."""
    return [match.group(2).strip() for match in _CODE_SPAN.finditer(markdown)]


def without_code(markdown: str) -> str:
    """*markdown* with its inline code spans blanked out (same length, so positions hold)."""
    return _CODE_SPAN.sub(lambda m: " " * len(m.group()), markdown)


def _heading_slug(tokens: list[Token], at: int, slugs: dict[str, Any]) -> str:
    slug = compute_unique_slug(SyntaxTreeNode(tokens[at : at + 3]), slugs)
    slugs[slug] = None
    return slug


def read_chapter(path: Path) -> Chapter:
    """Parse the notebook at *path* (see the module docstring)."""
    nb = nbformat.read(path, as_version=4)
    parser = markdown_parser()
    title = ""
    slugs: dict[str, Any] = {}
    headings: list[tuple[int, str, str, Position]] = []  # level, title, slug, position
    tables: list[tuple[tuple[str, ...], list[tuple[str, ...]], Position]] = []
    prose: list[tuple[str, Position]] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        tokens = parser.parse(cell.source)
        row: list[str] = []
        header: tuple[str, ...] = ()
        rows: list[tuple[str, ...]] = []
        for at, token in enumerate(tokens):
            line = token.map[0] if token.map else 0
            if token.type == "heading_open":
                level = int(token.tag[1])
                text = tokens[at + 1].content
                slug = _heading_slug(tokens, at, slugs) if level <= HEADING_ANCHORS else ""
                if level == 1 and not title:
                    title = text
                headings.append((level, text, slug, (index, line)))
            elif token.type == "table_open":
                header, rows, table_line = (), [], line
            elif token.type == "tr_close":
                if header:
                    rows.append(tuple(row))
                else:
                    header = tuple(row)
                row = []
            elif token.type in ("th_open", "td_open"):
                row.append(tokens[at + 1].content.strip())
            elif token.type == "table_close":
                tables.append((header, rows, (index, table_line)))
            elif token.type == "inline" and tokens[at - 1].type != "heading_open":
                prose.append((token.content, (index, line)))
    end = (len(nb.cells), 0)
    sections = []
    for n, (level, text, slug, start) in enumerate(headings):
        if level not in SECTION_LEVELS:
            continue
        stop = next((pos for lvl, _, _, pos in headings[n + 1 :] if lvl <= level), end)
        sections.append(Section(text, level, slug, start, stop))
    chapter = Chapter(path=path, title=title or path.stem, cells=list(nb.cells), sections=sections)
    chapter.tables = [Table(h, tuple(r), pos, chapter.section_at(pos)) for h, r, pos in tables]
    chapter.prose = [Prose(text, pos, chapter.section_at(pos)) for text, pos in prose]
    return chapter


def toc_files(root: Path) -> list[str]:
    """Every ``file`` of ``root/_toc.yml``, in order (without extensions)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))

    def walk(node: Any) -> list[str]:
        found: list[str] = []
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    found += walk(child)
        return found

    return [str(toc["root"]), *walk(toc)]


def book_chapters(root: Path) -> list[Path]:
    """The chapter notebooks that ``_toc.yml`` lists, in the book's order."""
    paths = [root / f"{name}.ipynb" for name in toc_files(root)]
    return [path for path in dict.fromkeys(paths) if path.is_file()]
