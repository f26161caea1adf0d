"""The glossary, English <-> 中文: every term a chapter introduces with its Chinese name.

A chapter introduces a term as ``**term** (中文)``: the English term in bold, then a space (or a
line break) and the Chinese term alone in parentheses; alternatives are joined by `` or ``
(``**dilation** (空洞卷积 or 膨胀卷积)``). A Chinese term may hold Latin letters and digits
(``**Lp normalization** (Lp 归一化)``) but no other text. :func:`chapter_terms` reads them from the
chapter's prose (book.chapter_text: paragraphs, list items and table cells, not code); a term
that starts a sentence is written with a small initial (``**Pooling** (池化) summarises`` gives
*pooling*) unless its first word is an acronym or a name in capitals.

:func:`problems` reports Chinese text outside that form (the chapter lint fails on it).
:func:`render` writes the page: one row per term and Chinese term, with every section that
introduces it, in two tables: by the English term (letters only, case ignored), and by the
Chinese term in Unicode code-point order, which for these CJK ideographs is the order of the
Kangxi radical and then the number of remaining strokes (no pinyin data is needed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from book.api_map import section_link, table_cell
from book.chapter_text import Chapter, Prose, Section, without_code
from book.side_by_side import CJK_RUN  # runs of Chinese characters, as the site marks them lang="zh"

#: ``**term** (中文)``; the parenthesis is checked by :data:`CHINESE_TERM`.
TERM = re.compile(r"\*\*(?P<term>[^*]+?)\*\*\s\((?P<zh>[^()]*)\)")
#: One Chinese term: ideographs, optionally with Latin letters, digits, spaces and hyphens.
CHINESE_TERM = re.compile(r"[A-Za-z0-9 \-]*[\u3400-\u4dbf\u4e00-\u9fff][\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9 \-]*")
PAGE_TITLE = "Glossary: English ↔ 中文"


@dataclass(frozen=True)
class Term:
    """One ``**term** (中文)`` of a chapter."""

    english: str
    chinese: tuple[str, ...]  # the alternatives
    chapter: Chapter
    section: Section | None


def chinese_alternatives(parenthesis: str) -> tuple[str, ...] | None:
    """The Chinese terms of the parenthesis after a bold term, or None if it holds other text."""
    alternatives = tuple(part.strip() for part in parenthesis.split(" or "))
    if all(CHINESE_TERM.fullmatch(part) for part in alternatives):
        return alternatives
    return None


def _starts_sentence(before: str) -> bool:
    before = before.rstrip()
    return not before or before.endswith((".", "!", "?", ":"))


def english_term(term: str, starts_sentence: bool) -> str:
    """The glossary form of a bold term: one line, a sentence's capital initial made small."""
    term = " ".join(term.split())
    first = term.split(" ", 1)[0]
    if starts_sentence and re.fullmatch(r"[A-Z][a-z]{2,}(-[a-z]+)*", first):
        term = term[0].lower() + term[1:]
    return term


def _matches(prose: Prose) -> list[tuple[re.Match[str], tuple[str, ...] | None]]:
    matches = [m for m in TERM.finditer(prose.text) if CJK_RUN.search(m.group("zh"))]
    return [(m, chinese_alternatives(m.group("zh"))) for m in matches]


def chapter_terms(chapter: Chapter) -> list[Term]:
    """Every ``**term** (中文)`` of *chapter*, in reading order."""
    terms = []
    for prose in chapter.prose:
        for match, chinese in _matches(prose):
            if chinese is not None:
                english = english_term(match.group("term"), _starts_sentence(prose.text[: match.start()]))
                terms.append(Term(english, chinese, chapter, prose.section))
    return terms


def problems(chapter: Chapter) -> list[str]:
    """Chinese text of *chapter*'s prose that is not the Chinese term of a ``**term** (中文)``."""
    found = []
    for prose in chapter.prose:
        where = f"{chapter.name} cell {prose.position[0]}"
        covered: list[tuple[int, int]] = []
        for match, chinese in _matches(prose):
            if chinese is None:
                found.append(
                    f"{where}: ({match.group('zh')}) after **{match.group('term')}** holds more than the Chinese "
                    "term: write `**term** (中文)` and put the rest outside the parentheses"
                )
            covered.append(match.span("zh"))
        text = without_code(prose.text)
        for run in CJK_RUN.finditer(text):
            if not any(start <= run.start() < end for start, end in covered):
                context = " ".join(prose.text[max(0, run.start() - 40) : run.end() + 10].split())
                found.append(
                    f"{where}: Chinese text outside a `**term** (中文)`: …{context}… "
                    "(give a term's Chinese as `**term** (中文)`, the English term in bold)"
                )
    return found


def _sort_key(english: str) -> tuple[str, str]:
    letters = re.sub(r"[^0-9a-z ]", "", english.casefold())
    return letters.strip(), english


def render(chapters: list[Chapter]) -> str:
    """The glossary page (markdown) for *chapters*, in the book's order."""
    rows: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for chapter in chapters:
        for term in chapter_terms(chapter):
            key = next((k for k in rows if k[0].casefold() == term.english.casefold() and k[1] == term.chinese), None)
            places = rows.setdefault(key or (term.english, term.chinese), [])
            link = f"{chapter.title}: {section_link(chapter, term.section)}"
            if link not in places:
                places.append(link)
    english = sorted(rows, key=lambda k: _sort_key(k[0]))
    chinese = sorted(rows, key=lambda k: (k[1][0], _sort_key(k[0])))
    lines = [
        f"# {PAGE_TITLE}",
        "",
        "<!-- Generated by `make appendices` (python -m book.appendices) from the chapters' text: "
        "do not edit. -->",
        "",
        f"The {len(rows)} terms that the chapters introduce with their Chinese names, each linked to the "
        "section that introduces it. The first table is sorted by the English term, the second by the "
        "Chinese term in Unicode order, which for these characters is the order of their radical and "
        "then of their remaining strokes.",
        "",
        "The glossary is generated from the chapters by `make appendices` (`book/glossary.py`): a chapter "
        "introduces a term as `**term** (中文)`, and a unit test fails when this page is out of step.",
        "",
        "## English → 中文",
        "",
        "| English | 中文 | introduced in |",
        "|---|---|---|",
        *[f"| {table_cell(k[0])} | {' or '.join(k[1])} | {table_cell(' · '.join(rows[k]))} |" for k in english],
        "",
        "## 中文 → English",
        "",
        "| 中文 | English | introduced in |",
        "|---|---|---|",
        *[f"| {' or '.join(k[1])} | {table_cell(k[0])} | {table_cell(' · '.join(rows[k]))} |" for k in chinese],
    ]
    return "\n".join(lines) + "\n"
