"""The API map: every torch <-> Paddle pair that the chapters check, generated from their tables.

A chapter gives pairs in two kinds of markdown table (book.chapter_text reads them):

* a **parameter-difference table**, header ``| PyTorch `A` | Paddle `B` | category | note |``:
  one pair (A, B); its rows are parameters;
* an **API-pair table**, header ``| PyTorch | Paddle | category | note |``: one pair per row.
  The code spans that open a PyTorch or Paddle cell, separated by commas, name its APIs
  (``F.relu``, or with a signature, ``F.relu(input)``); what follows them is commentary. Several
  names (```Conv1d`, `Conv3d``) pair in order; ``—`` on one side is an API that only the other
  framework has. Each API is written out (no ``Conv1d/2d/3d``).

Summary tables, ``| PyTorch | Paddle | category |``, are allowed and not read.

A **category cell** starts with one or more words of :data:`CATEGORIES`, separated by commas,
optionally followed by ``; detail`` (``renamed, keyword-only; Paddle 3.3.1 also takes bias=``).

**Pair-level category and note.** From a parameter-difference table, the pair's categories are
the set of its rows' categories other than ``same`` (just ``same`` if every row is), in the order
of :data:`CATEGORIES`. Its note lists, per category, the parameters of those rows (``renamed:
`eps` → `epsilon`; Paddle only: `data_format```): a row's PyTorch names (its code spans without
defaults or literals, ``/``-joined), its Paddle names for a Paddle-only row or an empty PyTorch
cell, the first code span or the text of a cell that names no parameter (``default weight
init``); a renamed row shows both sides. From an API-pair row, the categories are the row's, and
the note is the category's detail and the note cell.

**The check.** Every pair must be backed by a check cell of the section its table sits under (an
H2 or H3, with its subsections): a code cell whose stored output has a PASS line, and whose PASS
lines, source or the pair cells before it (back to the previous check cell) name both APIs (the
last part of a dotted name, as a word: ``F.conv2d`` is found as ``conv2d``). :func:`problems`
reports a pair without one, and every table that breaks the conventions; the chapter lint
(tests/unit/test_chapters.py) fails on them, and :func:`render` lists unchecked pairs on the page.

``python -m book.appendices`` writes the page (book.appendices); the browser filter is
``static/api_map.js`` and ``static/api_map.css``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from book.chapter_text import Chapter, Section, Table, code_spans

#: The difference categories, in the order the map lists them.
CATEGORIES = (
    "same",
    "renamed",
    "different default",
    "different behaviour",
    "different layout",
    "different order",
    "keyword-only",
    "PyTorch only",
    "Paddle only",
    "Paddle accepts more",
    "PyTorch accepts more",
    "different dtype",
)
API_PAIR_HEADER = ("PyTorch", "Paddle", "category", "note")
#: The chapters' summary tables: read by nobody, allowed by the lint.
SUMMARY_HEADER = ("PyTorch", "Paddle", "category")
_TORCH_HEADER = re.compile(r"PyTorch `([^`]+)`")
_PADDLE_HEADER = re.compile(r"Paddle `([^`]+)`")
#: A cell that names nothing.
NONE_MARKS = ("", "—", "-", "same")
PAGE_TITLE = "API map"
#: A name as the tables write it: ``Conv2d``, ``F.conv2d``, ``torch.nn.Conv2d``.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
LITERALS = ("True", "False", "None")
#: The code spans that open a cell, separated by commas.
_LEADING_SPANS = re.compile(r"\s*`[^`]+`(\s*,\s*`[^`]+`)*")
#: The element the filter script fills; the first table after it is the map.
FILTER_HTML = '<div class="api-map-filter" role="search" aria-label="Filter the API map" data-categories="{}"></div>'


@dataclass(frozen=True)
class Pair:
    """One torch <-> Paddle pair of a chapter, as the map shows it."""

    torch: str  # "" for an API only Paddle has
    paddle: str  # "" for an API only PyTorch has
    categories: tuple[str, ...]
    note: str
    chapter: Chapter
    section: Section | None
    position: tuple[int, int]
    check: str | None  # the first PASS line that backs it, or None

    @property
    def where(self) -> str:
        """The notebook and cell of its table, for a message."""
        title = self.section.title if self.section else "(before the first section)"
        return f"{self.chapter.name} cell {self.position[0]} (section '{title}')"


def parse_category(cell: str) -> tuple[tuple[str, ...], str] | None:
    """``(categories, detail)`` of a category cell, or None if it does not start with the
    vocabulary (:data:`CATEGORIES`)."""
    head, _, detail = cell.partition(";")
    words = tuple(word.strip() for word in head.split(","))
    if not words or any(word not in CATEGORIES for word in words):
        return None
    return words, detail.strip()


def is_parameter_table(table: Table) -> bool:
    header = table.header
    return (
        len(header) == 4
        and _TORCH_HEADER.fullmatch(header[0]) is not None
        and _PADDLE_HEADER.fullmatch(header[1]) is not None
        and header[2:] == ("category", "note")
    )


def is_api_pair_table(table: Table) -> bool:
    return table.header == API_PAIR_HEADER


def _bare(span: str) -> str:
    """A name as written in a code span, without a signature or a default: ``bias=True`` -> ``bias``."""
    return re.split(r"[(=]", span, maxsplit=1)[0].strip()


def api_names(cell: str) -> list[str]:
    """The APIs a PyTorch or Paddle cell of an API-pair table names, as written (``F.relu(input)``
    gives ``F.relu``): the code spans that open the cell, separated by commas; what follows is
    commentary (```F.conv2d(...)`, same order``, ```F.max_unpool1d(...)`: `output_size` as ...``).
    None for ``—``."""
    if cell.strip() in NONE_MARKS:
        return []
    lead = _LEADING_SPANS.match(cell)
    spans = code_spans(lead.group()) if lead else []
    return [name for name in (_bare(span) for span in spans) if name]


def _plain(markdown: str) -> str:
    """A cell without code names as the note shows it: its first code span, or its text."""
    spans = code_spans(markdown)
    return f"`{spans[0]}`" if spans else re.sub(r"\*+", "", markdown).strip()


def _names(cell: str) -> list[str]:
    """The parameter or API names of a cell's code spans (``bias=True`` -> ``bias``), no literals."""
    names = (_bare(span) for span in code_spans(cell))
    return list(dict.fromkeys(n for n in names if IDENTIFIER.fullmatch(n) and n not in LITERALS))


def _parameter(torch: str, paddle: str, category: str) -> str:
    """How a row of a parameter table is named in its pair's note, under *category*."""
    torch_names, paddle_names = _names(torch), _names(paddle)
    if torch.strip() in NONE_MARKS[:3] or category == "Paddle only":
        return "/".join(f"`{n}`" for n in paddle_names) or _plain(paddle)
    if not torch_names:
        return _plain(torch)
    text = "/".join(f"`{n}`" for n in torch_names)
    if category == "renamed" and paddle_names and paddle_names != torch_names and paddle.strip() != "same":
        text += " → " + "/".join(f"`{n}`" for n in paddle_names)
    return text


def _ordered(categories: set[str]) -> tuple[str, ...]:
    return tuple(c for c in CATEGORIES if c in categories)


def _parameter_pair(table: Table) -> tuple[tuple[str, ...], str]:
    """Category and note of the pair of a parameter-difference table (see the module docstring)."""
    by_category: dict[str, list[str]] = {}
    for row in table.rows:
        parsed = parse_category(row[2]) if len(row) > 2 else None
        if parsed is None:
            continue
        words = parsed[0]
        for word in words:
            if word != "same":
                names = by_category.setdefault(word, [])
                name = _parameter(row[0], row[1], word)
                if name and name not in names:
                    names.append(name)
    categories = _ordered(set(by_category)) or ("same",)
    note = "; ".join(f"{c}: {', '.join(by_category[c])}" for c in categories if by_category.get(c))
    return categories, note


def _named(name: str, text: str) -> bool:
    bare = name.split(".")[-1]
    return re.search(rf"(?<!\w){re.escape(bare)}(?!\w)", text) is not None


def _backing(chapter: Chapter, section: Section | None, torch: str, paddle: str) -> str | None:
    """The first PASS line of a check cell of *section* that names both APIs, or None."""
    if section is None:
        return None
    for check in chapter.checks(section):
        if all(_named(name, check.text) for name in (torch, paddle) if name):
            return check.lines[0]
    return None


def _table_pairs(chapter: Chapter, table: Table) -> list[tuple[str, str, tuple[str, ...], str]]:
    if is_parameter_table(table):
        torch = _TORCH_HEADER.fullmatch(table.header[0])
        paddle = _PADDLE_HEADER.fullmatch(table.header[1])
        assert torch is not None and paddle is not None
        categories, note = _parameter_pair(table)
        return [(torch.group(1), paddle.group(1), categories, note)]
    found = []
    for row in table.rows:
        parsed = parse_category(row[2])
        if parsed is None:
            continue
        torch_names, paddle_names = api_names(row[0]), api_names(row[1])
        if len(torch_names) == 1 < len(paddle_names):
            torch_names *= len(paddle_names)
        if len(paddle_names) == 1 < len(torch_names):
            paddle_names *= len(torch_names)
        if not torch_names:
            torch_names = [""] * len(paddle_names)
        if not paddle_names:
            paddle_names = [""] * len(torch_names)
        note = "; ".join(part for part in (parsed[1], row[3].strip()) if part)
        for torch_name, paddle_name in zip(torch_names, paddle_names, strict=False):
            found.append((torch_name, paddle_name, parsed[0], note))
    return found


def chapter_pairs(chapter: Chapter) -> list[Pair]:
    """Every pair the chapter's tables give, in reading order, each with the check that backs it."""
    pairs = []
    for table in chapter.tables:
        if not (is_parameter_table(table) or is_api_pair_table(table)):
            continue
        for torch, paddle, categories, note in _table_pairs(chapter, table):
            check = _backing(chapter, table.section, torch, paddle)
            pairs.append(Pair(torch, paddle, categories, note, chapter, table.section, table.position, check))
    return pairs


def problems(chapter: Chapter) -> list[str]:
    """What breaks the table conventions in *chapter*, and every pair without a check."""
    found = []
    for table in chapter.tables:
        where = f"{chapter.name} cell {table.position[0]}"
        pair_table = is_parameter_table(table) or is_api_pair_table(table)
        if not pair_table:
            if "category" in table.header and table.header != SUMMARY_HEADER:
                found.append(
                    f"{where}: a table with a category column must have the header "
                    "| PyTorch `A` | Paddle `B` | category | note | (a parameter-difference table), "
                    "| PyTorch | Paddle | category | note | (an API-pair table) or | PyTorch | Paddle | category | "
                    f"(a summary, not read); found {' | '.join(table.header)!r}"
                )
            continue
        if table.section is None:
            found.append(f"{where}: a pair table must sit under an H2 or H3 section, with its check")
        for row in table.rows:
            if len(row) < 4 or parse_category(row[2]) is None:
                category = row[2] if len(row) > 2 else ""
                found.append(
                    f"{where}: category {category!r} does not start with the vocabulary "
                    f"({', '.join(CATEGORIES)}), words separated by ', ', detail after '; '"
                )
            elif is_api_pair_table(table):
                torch, paddle = api_names(row[0]), api_names(row[1])
                odd = [name for name in torch + paddle if not IDENTIFIER.fullmatch(name)]
                if odd:
                    found.append(f"{where}: {odd} in the row {row[:2]} are not API names: write each API out")
                if not torch and not paddle:
                    found.append(f"{where}: the row {row[:2]} names no API in code spans")
                elif torch and paddle and 1 < len(torch) != len(paddle) > 1:
                    found.append(f"{where}: the row {row[:2]} names {len(torch)} PyTorch and {len(paddle)} Paddle APIs")
    for pair in chapter_pairs(chapter):
        if pair.check is None:
            names = " / ".join(f"`{name}`" if name else "—" for name in (pair.torch, pair.paddle))
            found.append(
                f"{pair.where}: the pair {names} has no check in its section (a code cell with a PASS line "
                "whose lines, source or pair cells name both APIs)"
            )
    return found


# --------------------------------------------------------------------------------------- the page


def table_cell(markdown: str) -> str:
    """*markdown* as one cell of a markdown table: one line, its pipes escaped."""
    return re.sub(r"(?<!\\)\|", r"\\|", " ".join(markdown.split()))


def section_link(chapter: Chapter, section: Section | None) -> str:
    """A markdown link from chapters/ to *section* of *chapter* (to the chapter without one)."""
    if section is None or not section.slug:
        return f"[{chapter.title}]({chapter.name})"
    return f"[{section.title}]({chapter.name}#{section.slug})"


def _code(name: str) -> str:
    return f"`{name}`" if name else "—"


def render(chapters: list[Chapter]) -> str:
    """The API map page (markdown) for *chapters*, in the book's order."""
    pairs = [pair for chapter in chapters for pair in chapter_pairs(chapter)]
    used = _ordered({c for pair in pairs for c in pair.categories})
    lines = [
        f"# {PAGE_TITLE}",
        "",
        "<!-- Generated by `make appendices` (python -m book.appendices) from the chapters' tables: "
        "do not edit. -->",
        "",
        f"Every PyTorch ↔ Paddle pair that the book checks: {len(pairs)} pairs from {len(chapters)} chapters. "
        "Each row links to the section that demonstrates it, where a check cell compares the two "
        "frameworks' outputs and gradients numerically.",
        "",
        "The categories are " + ", ".join(f"*{c}*" for c in CATEGORIES) + ". A pair with a parameter table "
        "has the categories of its parameters that are not *same*, and its note names those parameters "
        "under each category.",
        "",
        "The map is generated from the chapters by `make appendices` (`book/api_map.py`); a unit test "
        "fails when it is out of step with them.",
        "",
        FILTER_HTML.format("|".join(used)),
        "",
        "| PyTorch | Paddle | category | note | chapter | section |",
        "|---|---|---|---|---|---|",
    ]
    for pair in pairs:
        cells = (
            _code(pair.torch),
            _code(pair.paddle),
            ", ".join(pair.categories),
            pair.note,
            pair.chapter.title,
            section_link(pair.chapter, pair.section),
        )
        lines.append("| " + " | ".join(table_cell(cell) for cell in cells) + " |")
    unchecked = [pair for pair in pairs if pair.check is None]
    if unchecked:
        lines += ["", "## Pairs without a check", "", "| PyTorch | Paddle | section |", "|---|---|---|"]
        for pair in unchecked:
            link = section_link(pair.chapter, pair.section)
            lines.append(f"| {_code(pair.torch)} | {_code(pair.paddle)} | {table_cell(link)} |")
    return "\n".join(lines) + "\n"
