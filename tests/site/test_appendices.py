"""Browser tests of the generated appendices: the API map's filter, and the glossary's Chinese.

The API map (chapters/appendix_api_map.md, book/api_map.py) gets a filter from
book/static/api_map.js: a Chapter and a Category menu that hide the rows that do not match, kept
in the address. Checked in Debian's chromium on the built site (``make book`` first).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
API_MAP, GLOSSARY = "chapters/appendix_api_map", "chapters/appendix_glossary"

#: The map's rows as shown: chapter, categories, whether shown; the menus and the count.
ROWS_JS = """() => {
  const table = document.querySelector(".api-map-filter ~ * table, .api-map-filter ~ table")
    || document.querySelector("table");
  const head = Array.from(table.tHead.rows[0].cells, (c) => c.textContent.trim());
  const chapter = head.indexOf("chapter"), category = head.indexOf("category");
  return {
    rows: Array.from(table.tBodies[0].rows, (r) => ({
      chapter: r.cells[chapter].textContent.trim(),
      categories: r.cells[category].textContent.split(",").map((c) => c.trim()),
      shown: r.checkVisibility(),
    })),
    chapters: Array.from(document.querySelectorAll("#api-map-chapter option"), (o) => o.value),
    categories: Array.from(document.querySelectorAll("#api-map-category option"), (o) => o.value),
    count: (document.querySelector(".api-map-filter__count") || {}).textContent,
    url: location.href,
  };
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} not found")
        pytest.skip(f"{CHROMIUM} not found (install Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _open(browser: Browser, base_url: str, page: str, errors: list[str], query: str = "") -> Page:
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    tab.goto(f"{base_url}{page}.html{query}", wait_until="load")
    return tab


def _state(tab: Page) -> dict[str, Any]:
    state: dict[str, Any] = tab.evaluate(ROWS_JS)
    return state


def test_the_api_map_filters_by_chapter_and_category(browser: Browser, base_url: str) -> None:
    errors: list[str] = []
    tab = _open(browser, base_url, API_MAP, errors)
    start = _state(tab)
    rows = start["rows"]
    assert len(rows) > 10 and all(row["shown"] for row in rows), start["count"]
    chapters = list(dict.fromkeys(row["chapter"] for row in rows))
    assert start["chapters"] == ["", *chapters]
    assert "renamed" in start["categories"] and start["count"] == f"All {len(rows)} pairs"

    tab.select_option("#api-map-chapter", chapters[1])
    by_chapter = _state(tab)
    shown = [row for row in by_chapter["rows"] if row["shown"]]
    assert shown and len(shown) < len(rows)
    assert all(row["chapter"] == chapters[1] for row in shown)
    assert len(shown) == sum(row["chapter"] == chapters[1] for row in rows)

    tab.select_option("#api-map-category", "renamed")
    both = _state(tab)
    shown = [row for row in both["rows"] if row["shown"]]
    expected = [row for row in rows if row["chapter"] == chapters[1] and "renamed" in row["categories"]]
    assert shown and len(shown) == len(expected)
    assert both["count"] == f"{len(shown)} of {len(rows)} pairs"
    assert re.search(r"[?&]chapter=", both["url"]) and "category=renamed" in both["url"]

    # the filtered address shows the same rows
    again = _open(browser, base_url, API_MAP, errors, "?" + both["url"].split("?", 1)[1])
    assert [row["shown"] for row in _state(again)["rows"]] == [row["shown"] for row in both["rows"]]
    again.close()

    tab.click(".api-map-filter__reset")
    reset = _state(tab)
    assert all(row["shown"] for row in reset["rows"]) and "?" not in reset["url"]
    tab.close()
    assert not errors, errors


def test_without_javascript_the_whole_map_shows(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(f"{base_url}{API_MAP}.html", wait_until="load")
    assert tab.locator(".api-map-filter select").count() == 0
    rows = tab.locator("table").first.locator("tbody tr")
    assert rows.count() > 10 and all(rows.nth(i).is_visible() for i in range(rows.count()))
    context.close()


def test_the_glossary_marks_its_chinese(browser: Browser, base_url: str) -> None:
    errors: list[str] = []
    tab = _open(browser, base_url, GLOSSARY, errors)
    result = tab.evaluate(
        """() => {
          const cjk = /[\\u4e00-\\u9fff]/;
          const cells = Array.from(document.querySelectorAll("article table td"));
          const chinese = cells.filter((c) => cjk.test(c.textContent));
          return {chinese: chinese.length,
                  unmarked: chinese.filter((c) => !c.querySelector(':lang(zh)')).map((c) => c.textContent)};
        }"""
    )
    assert result["chinese"] > 10 and not result["unmarked"], result
    tab.close()
    assert not errors, errors


def test_every_section_link_of_the_appendices_resolves(site_dir: Path) -> None:
    for page in (API_MAP, GLOSSARY):
        html = (site_dir / f"{page}.html").read_text(encoding="utf-8")
        links = re.findall(r'href="([a-z_]+\.html)#([^"]+)"', html)
        assert links, page
        for target, anchor in set(links):
            text = (site_dir / "chapters" / target).read_text(encoding="utf-8")
            assert f'id="{anchor}"' in text, (page, target, anchor)
