"""Browser tests of the built site: layout of the pairs, navigation, the framework switch, weight.

Run ``make book`` first. Every page is loaded once and gone over once, all pages at the same time
(conftest.py's ``results``, site_checks.py): each chapter is loaded cold, resized instead of
reloaded, measured with ``evaluate``, and waited on by MathJax's own promise and document.fonts,
never network idle or a fixed delay. The small tests below assert on what was recorded. Every page
must log no console error and make no request that leaves the site.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from site_checks import (
    LINK_FW,
    SAVED_FW,
    TWO_COLUMN_WIDTHS,
    Report,
    Results,
    assert_no_errors,
    pair_problems,
    view_problems,
)


def fail_on(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what}:\n  " + "\n  ".join(problems[:20]), pytrace=False)


def test_the_toc_lists_chapters(chapters: list[str]) -> None:
    assert chapters, "_toc.yml lists no chapter notebook"


# --- the cold load ----------------------------------------------------------------------------


def test_a_link_shows_its_choice_without_saving_it(chapter_report: Report) -> None:
    """Loaded from a ``?fw=`` link with another choice saved: the link's view; the saved choice kept."""
    state = chapter_report["load"]["state"]
    fail_on(view_problems(state, LINK_FW), f"{state['url']}: not the link's view")
    assert state["stored"] == SAVED_FW, f"the ?fw={LINK_FW} link overwrote the saved choice: {state['stored']!r}"


#: The bytes every page loads besides its own content (theme, MathJax and its fonts, the book's CSS
#: and JS): 2.05 MB on every chapter once fontawesome.js (1.49 MB alone) went; MathJax is 1.17 MB.
CHROME_BUDGET = 2_200_000


def _is_content(url: str, chapter: str) -> bool:
    """The page's own HTML and its figures, which grow with the chapter; everything else is chrome."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    return path.endswith(f"/{chapter}.html") or "/_images/" in path


def test_page_weight(chapter_report: Report, chapter: str) -> None:
    """No fontawesome.js or its webfonts; what the page loads besides its content stays small, in
    few requests (cold cache). The content itself (the HTML and the figures) is reported, not capped."""
    load = chapter_report["load"]
    names = [url for url, _ in load["requests"]]
    assert not [n for n in names if "fontawesome" in n or "/webfonts/" in n], names
    total = sum(size for _, size in load["requests"])
    content = sum(size for url, size in load["requests"] if _is_content(url, chapter))
    shift = sum(s["value"] for s in load["shifts"])
    # load time: with the suite's other pages loading at the same time, so an upper bound
    print(
        f"{chapter}: {len(names)} requests, {total} bytes ({content} of them the page's HTML and figures), "
        f"load event at {load['loadMs']} ms, cumulative layout shift {shift:.3f}; steps (s): {chapter_report.seconds}"
    )
    assert content > 0, f"{chapter}: the page's own HTML was not among the requests"
    chrome = total - content
    assert chrome < CHROME_BUDGET and len(names) <= 42, f"{chapter}: {len(names)} requests, {chrome} bytes of chrome"


def test_no_layout_shift_from_the_switch(chapter_report: Report) -> None:
    """The switch is in the HTML from the start and the choice applied before the first paint:
    nothing of it, and no pair, moves the page. (The rest of the page's shift comes from MathJax
    typesetting the formulas, 0.02-0.22 in Chromium here, varying between runs: reported by
    test_page_weight, not asserted.)"""
    shifts = chapter_report["load"]["shifts"]
    from_switch = [
        s for s in shifts if any("fw-" in source or "header-article-items__start" in source for source in s["sources"])
    ]
    assert not from_switch, f"the switch moved the page: {from_switch}"


def test_figures_describe_themselves(chapter_report: Report) -> None:
    """Alt text that says what a figure shows; on a phone the figures keep a legible size."""
    images = chapter_report["load"]["images"]
    assert images, "no figures"
    bad = [i for i in images if len(i["alt"]) < 40 or "_images" in i["alt"] or i["alt"].endswith(".png")]
    assert not bad, f"figures without a description: {bad}"
    widths = chapter_report["phone 390"]["figures"]
    # at least 40rem (or the image's own width): the titles stay legible; the box scrolls sideways
    assert len(widths) == len(images) and all(w >= 580 for w in widths), f"figures shrunk on a phone: {widths}"


def test_math_renders_offline_and_formulas_fit(chapter_report: Report) -> None:
    """MathJax is served by the site itself (no request leaves it: see test_no_errors); at 1400 px
    every display formula fits its column; at 800 px a wider one scrolls in its box."""
    load = chapter_report["load"]
    assert load["math"] > 0, "no formulas found"
    assert not load["untypeset"], f"formulas left as LaTeX: {load['untypeset'][:3]}"
    for step, must_fit in (("layout 1400", True), ("narrow 800", False)):
        formulas = chapter_report[step]["formulas"]
        assert formulas, "no display formulas"
        wide = [f for f in formulas if f["math"] > f["box"] + 1]
        if must_fit:
            assert not wide, f"{step}: formulas wider than the column: {wide}"
        clipped = [f for f in wide if f["overflow"] not in ("auto", "scroll")]
        assert not clipped, f"{step}: formulas cut off: {clipped}"


def test_chinese_terms_are_marked(chapter_report: Report) -> None:
    result = chapter_report["load"]["chinese"]
    assert result["marked"] > 0 and not result["unmarked"], result
    assert "Noto Sans CJK SC" in result["font"], result


# --- the pairs at two-column widths, and stacked -----------------------------------------------


@pytest.mark.parametrize("width", TWO_COLUMN_WIDTHS)
def test_pairs_are_two_columns_with_no_line_cut_off(chapter_report: Report, chapter: str, width: int) -> None:
    """From 1200 px each pair is two readable columns; no code or output line of a pair is cut
    off (its box does not scroll sideways); the page does not scroll sideways."""
    layout = chapter_report[f"layout {width}"]
    assert layout["pairs"], "no pairs"
    problems = [p for p in pair_problems(layout, width) if not p.startswith(("something covers", "the contents"))]
    fail_on(problems + [f"screenshot: {layout.get('screenshot')}"] * bool(problems), f"{chapter} at {width}px")


@pytest.mark.parametrize("width", TWO_COLUMN_WIDTHS)
def test_nothing_covers_a_pair(chapter_report: Report, chapter: str, width: int) -> None:
    """A sample of pairs (first, a third, half, two thirds, last), each scrolled to the middle of the
    screen: at a grid of points over both cells the pair is on top; where the on-this-page list is
    a column (from 1600 px) it stays shown."""
    layout = chapter_report[f"layout {width}"]
    assert len(layout["sample"]) >= min(3, len(layout["pairs"])), layout["sample"]
    problems = [p for p in pair_problems(layout, width) if p.startswith(("something covers", "the contents"))]
    fail_on(problems + [f"screenshot: {layout.get('screenshot')}"] * bool(problems), f"{chapter} at {width}px")


def test_pairs_stack_on_a_tablet(chapter_report: Report) -> None:
    pairs = chapter_report["narrow 800"]["pairs"]
    assert pairs, "no pairs"
    problems = []
    for index, pair in enumerate(pairs):
        t, p = pair["pytorch"], pair["paddle"]
        if not (p["y"] >= t["y"] + t["h"] - 1 and abs(t["x"] - p["x"]) <= 1):
            problems.append(f"pair {index} is not stacked: {t}, {p}")
    fail_on(problems, "at 800px")


# --- navigation -------------------------------------------------------------------------------


def test_drawers_open_on_a_phone_and_a_tablet(chapter_report: Report) -> None:
    """At 390 and 800 px a click on ☰ and on the contents button, halfway down the page, opens its
    drawer, with links, and leaves the page where it was.
    (With pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0 alone, the visible buttons do nothing.)"""
    problems = []
    for step in ("phone 390", "narrow 800"):
        width = step.split()[-1]
        for toggle in (".primary-toggle", ".secondary-toggle"):
            drawer = chapter_report[step][f"{width} {toggle}"]
            if not (drawer["open"] and drawer["links"] > 0):
                problems.append(f"{width}px: {toggle} opens no drawer with links: {drawer}")
            moved = drawer["scrollY"] - chapter_report[step][f"{width} {toggle} from"]
            if abs(moved) > 2:
                problems.append(f"{width}px: opening {toggle}'s drawer mid-page scrolled the page by {moved} px")
    fail_on(problems, "navigation")


def test_navigation_on_a_wide_screen(chapter_report: Report) -> None:
    """At 1200 px (the two-column width where the contents list is in its drawer, up to 1599 px):
    ☰ folds and unfolds the sidebar, and the contents button opens its drawer."""
    navigation, contents = chapter_report["navigation 1200"], chapter_report["contents 1200"]
    assert navigation["folded"], "☰ does not fold the sidebar"
    assert navigation["unfolded"], "☰ does not unfold the sidebar"
    assert contents["contents"]["open"] and contents["contents"]["links"] > 0, contents
    # opened halfway down the page, the drawer leaves the reader where they were
    moved = contents["contents"]["scrollY"] - contents["contents from"]
    assert abs(moved) <= 2, f"opening the contents drawer scrolled the page by {moved} px"


# --- the switch -------------------------------------------------------------------------------


def test_the_switch_is_in_view_mid_page(chapter_report: Report) -> None:
    """Halfway down a chapter the switch is on screen, on a phone and on a wide screen."""
    for step in ("phone 390", "switch 1400", "switch 1200 paddle"):
        box = chapter_report[step]["mid-page"]
        assert box["scrollY"] > box["vh"], f"{step}: the page did not scroll: {box}"
        assert 0 <= box["y"] and box["y"] + box["h"] <= box["vh"], f"{step}: the switch is not in view mid-page: {box}"
        assert 0 <= box["x"] and box["x"] + box["w"] <= box["vw"], f"{step}: the switch is off screen: {box}"


def look_problems(look: dict[str, Any], hidden: str) -> list[str]:
    """What is wrong with the one-framework view of a pair (site_checks.ONE_FRAMEWORK_JS)."""
    problems = []
    if abs(look["cell"] - look["plainCell"]) > 2:
        problems.append(f"not a full-width cell: {look}")
    if look["font"] != look["plainFont"]:
        problems.append(f"the cell keeps the pair's small font: {look}")
    if not (look["note"] and hidden in look["note"] and "hidden" in look["note"]):
        problems.append(f"no note where {hidden}'s cell was: {look}")
    if look["other"]:
        problems.append(f"the note for the shown cell is shown too: {look}")
    return problems


def test_one_framework_view_from_mid_page(chapter_report: Report) -> None:
    """Mid-page, PyTorch alone at 1400 px (the link's view): ordinary full-width cells, each hidden
    cell replaced by a note; the note's "Show both" shows both again and saves that. At 1200 px
    the switch's Paddle: Paddle alone, likewise. Neither click moves the pair the reader was
    looking at."""
    switch, paddle = chapter_report["switch 1400"], chapter_report["switch 1200 paddle"]
    fail_on(look_problems(switch["pytorch look"], "Paddle"), "PyTorch alone")
    fail_on(view_problems(switch["show both"], "both"), "after a click on a note's Show both")
    assert switch["show both"]["stored"] == "both", "a click on Show both does not save the choice"
    fail_on(view_problems(paddle["paddle"], "paddle"), "after a click on the switch's Paddle")
    assert paddle["paddle"]["stored"] == "paddle", "a click on the switch does not save the choice"
    assert paddle["paddle"]["url"].endswith("?fw=paddle"), "a click does not keep the address's ?fw= in step"
    fail_on(look_problems(paddle["paddle look"], "PyTorch"), "Paddle alone")
    for what, moved in (("Show both", switch["show both moved"]), ("Paddle", paddle["paddle moved"])):
        assert abs(moved) < 2, f"a click on {what} moved the pair the reader was looking at by {moved}px"


def test_the_choice_persists_and_reaches_other_tabs(results: Results, chapters: list[str]) -> None:
    """After choosing Paddle in the first chapter: the intro (it has the switch too), opened by a
    link with an invalid ?fw=, shows the saved choice; a click in the chapter reaches it; its switch
    saves. (Once for the book: the same script runs on every page; the saved choice itself is
    checked on every chapter by test_a_link_shows_its_choice_without_saving_it.)"""
    persistence = results.chapters[chapters[0]]["persistence"]
    opened = persistence["intro opened"]
    fail_on(view_problems(opened, "paddle", cells=False), f"{opened['url']}: not the saved choice")
    chapter = persistence["chapter clicked"]
    fail_on(view_problems(chapter, "both"), "after a click on Both")
    assert chapter["stored"] == "both" and chapter["url"].endswith("?fw=both"), chapter
    fail_on(view_problems(persistence["intro followed"], "both", cells=False), "the other open tab")
    clicked = persistence["intro clicked"]
    fail_on(view_problems(clicked, "pytorch", cells=False), "the intro's switch")
    assert clicked["stored"] == "pytorch", "the intro's switch does not save the choice"
    assert clicked["url"].endswith("?fw=pytorch"), "the intro's switch does not keep ?fw= in step"


def test_no_errors(chapter_report: Report, chapter: str) -> None:
    """The chapter's tabs logged no console error, got no failed response, and made no request that
    left the site (MathJax and the fonts included)."""
    assert chapter_report.logs, "no tab was opened"
    assert_no_errors(chapter, *chapter_report.logs)


# --- other views ------------------------------------------------------------------------------


def test_without_javascript_both_frameworks_show(results: Results, chapter: str) -> None:
    """Without JavaScript: the pairs in the HTML, side by side at 1400 px, every cell shown, no line
    cut off; no switch and no hidden-cell note (they need JavaScript)."""
    report = results.no_js[chapter]
    result = report["no-js"]
    assert result["pairs"] > 0, "the pairs must be in the HTML"
    assert not any(result["switchShown"]), "the switch needs JavaScript: it must be hidden"
    assert result["notesShown"] == 0, "a hidden-cell note is shown"
    assert all(result["pytorch"]) and all(result["paddle"]), "every cell must show without JavaScript"
    for pair in result["first"]:
        t, p = pair["pytorch"], pair["paddle"]
        assert abs(t["y"] - p["y"]) <= 1 and t["x"] + t["w"] <= p["x"] + 1, pair
    assert result["cut"] == 0 and result["overflow"] <= 0, result
    assert_no_errors(f"{chapter} without JavaScript", *report.logs)


def test_colab_launch_link(site_dir: Path, chapter: str) -> None:
    """The launch menu opens the chapter's notebook in Colab (checked in the built HTML)."""
    html = (site_dir / f"{chapter}.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="(https://colab\.research\.google\.com/github/[^"]*)"', html)
    assert hrefs, f"{chapter}.html has no Colab launch link"
    for href in hrefs:
        assert href.endswith(f"/{chapter}.ipynb"), f"Colab link {href!r} is not {chapter}.ipynb"


def test_other_pages_and_search(results: Results, other_page: str) -> None:
    """The pages that are not chapters load without errors (at 1400 and 800 px), with one search
    field and the icons."""
    report = results.others[other_page]
    page = report["page"]
    assert page["fields"] == 1, f"{other_page}: {page['fields']} search fields shown"
    assert "svg" in page["icon"], f"{other_page}: the ☰ icon is not drawn: {page['icon']!r}"
    assert_no_errors(other_page, *report.logs)


def test_search_snippets_are_clean(results: Results) -> None:
    """A search result's snippet is the page's prose: no contents list, no TeX, no switch."""
    text = results.search["snippet"]["text"]
    assert "\\(" not in text and "\\frac" not in text, text[:300]
    assert not text.lstrip().startswith("Contents"), text[:300]
    assert "Both PyTorch Paddle" not in text, text[:300]
    assert_no_errors("search", *results.search.logs)
