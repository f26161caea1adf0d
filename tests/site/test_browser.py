"""Browser tests of the built site: side-by-side layout, framework switch, launch links.

Run ``make book`` first. Every chapter (each notebook listed in _toc.yml) is
checked in Debian's chromium at 1400 px (pairs side by side) and 800 px (pairs
stacked), with and without JavaScript; every page a test opens must log no
console error. See conftest.py for the fixtures and environment variables.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from conftest import Site

WIDE = {"width": 1400, "height": 900}
NARROW = {"width": 800, "height": 900}
BUTTONS = {"both": "Both", "pytorch": "PyTorch", "paddle": "Paddle"}

#: What the page shows: the <html data-fw> choice, the visibility of every
#: tagged cell, and how far the page scrolls sideways.
STATE_JS = """() => {
  const shown = (selector) =>
    Array.from(document.querySelectorAll(selector), (el) => el.checkVisibility());
  return {
    fw: document.documentElement.getAttribute("data-fw"),
    pytorch: shown(".cell.tag_pytorch"),
    paddle: shown(".cell.tag_paddle"),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def page_state(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(STATE_JS)
    return state


def assert_view(page: Page, fw: str) -> None:
    """The page shows framework *fw* (``both``, ``pytorch``, ``paddle``); its switch says so."""
    for value, name in BUTTONS.items():
        expect(page.get_by_role("button", name=name, exact=True)).to_have_attribute(
            "aria-pressed", "true" if value == fw else "false"
        )
    state = page_state(page)
    assert state["fw"] == fw, f"{page.url}: <html data-fw> is {state['fw']!r}, expected {fw!r}"
    assert state["pytorch"] and state["paddle"], f"{page.url}: no tagged cells"
    show_pytorch, show_paddle = fw in ("both", "pytorch"), fw in ("both", "paddle")
    assert all(shown == show_pytorch for shown in state["pytorch"]), (
        f"{page.url} [{fw}]: visibility of the PyTorch cells: {state['pytorch']}"
    )
    assert all(shown == show_paddle for shown in state["paddle"]), (
        f"{page.url} [{fw}]: visibility of the Paddle cells: {state['paddle']}"
    )


def choose(page: Page, fw: str) -> None:
    """Click the switch's button for *fw* and check the result."""
    page.get_by_role("button", name=BUTTONS[fw], exact=True).click()
    assert_view(page, fw)


def check_layout(site: Site, page: Page, side_by_side: bool, name: str, js: bool = True) -> None:
    """Measure the first, middle and last pair: side by side or stacked; no sideways scroll."""
    pairs = page.locator(".fw-pair")
    count = pairs.count()
    assert count > 0, f"{page.url}: no .fw-pair on the page"
    problems = []
    for index in sorted({0, count // 2, count - 1}):
        pair = pairs.nth(index)
        pytorch = pair.locator(":scope > .tag_pytorch").bounding_box()
        paddle = pair.locator(":scope > .tag_paddle").bounding_box()
        if pytorch is None or paddle is None:
            problems.append(f"pair {index}: a cell is not visible ({pytorch=}, {paddle=})")
            continue
        if side_by_side:
            ok = (
                abs(pytorch["y"] - paddle["y"]) <= 1
                and pytorch["x"] + pytorch["width"] <= paddle["x"] + 1
                # Readable columns: with JavaScript the pair spreads under the folded sidebar.
                and min(pytorch["width"], paddle["width"]) >= (450 if js else 250)
            )
        else:
            ok = (
                paddle["y"] >= pytorch["y"] + pytorch["height"] - 1
                and abs(pytorch["x"] - paddle["x"]) <= 1
            )
        if not ok:
            problems.append(f"pair {index}: PyTorch {pytorch}, Paddle {paddle}")
    overflow = page_state(page)["overflow"]
    if overflow > 0:
        problems.append(f"the page scrolls sideways by {overflow}px")
    if problems:
        shot = site.screenshot(page, name)
        layout = "side by side" if side_by_side else "stacked"
        where = f"{page.url} at {page.viewport_size}"
        pytest.fail(f"{where}: pairs not {layout}: {problems} (screenshot: {shot})")


def test_the_toc_lists_chapters(chapters: list[str]) -> None:
    assert chapters, "_toc.yml lists no chapter notebook"


def test_layout_and_switch(site: Site, chapter: str) -> None:
    """Two columns at 1400 px, stacked at 800 px; the switch shows one framework or both."""
    page = site.open(chapter, viewport=WIDE)
    switch = page.get_by_role("group", name="Framework")
    expect(switch).to_be_visible()
    expect(switch.get_by_role("button")).to_have_count(3)
    assert_view(page, "both")
    check_layout(site, page, side_by_side=True, name="wide")

    choose(page, "pytorch")
    # Alone, a framework's cells take the pair's whole width.
    first = page.locator(".fw-pair").first
    pair_box, cell_box = first.bounding_box(), first.locator(".tag_pytorch").bounding_box()
    assert pair_box and cell_box and cell_box["width"] == pytest.approx(pair_box["width"], abs=1)
    choose(page, "paddle")
    choose(page, "both")

    page.set_viewport_size(NARROW)
    check_layout(site, page, side_by_side=False, name="narrow")
    site.assert_no_errors()


def test_choice_persists_across_pages_and_visits(
    site: Site, chapter: str, chapters: list[str], intro_page: str
) -> None:
    context = site.new_context()
    page = site.open(chapter, context=context)
    choose(page, "paddle")

    page.goto(site.url(intro_page))
    assert page_state(page)["fw"] == "paddle", "the intro page lost the choice"
    for other in [c for c in chapters if c != chapter][:1]:
        page.goto(site.url(other))
        assert_view(page, "paddle")

    later = site.open(chapter, context=context)  # a new tab: a later visit
    assert_view(later, "paddle")

    choose(later, "pytorch")  # reaches the other open tab too
    expect(page.locator("html")).to_have_attribute("data-fw", "pytorch")
    site.assert_no_errors()


def test_query_parameter_sets_the_view(site: Site, chapter: str) -> None:
    page = site.open(chapter, "?fw=PADDLE")  # invalid, nothing stored: the default
    assert_view(page, "both")
    choose(page, "paddle")  # now stored

    page.goto(site.url(chapter, "?fw=pytorch"))  # overrides the stored choice ...
    assert_view(page, "pytorch")
    page.goto(site.url(chapter, "?fw=tensorflow"))  # ... and is saved: invalid falls back to it
    assert_view(page, "pytorch")
    page.goto(site.url(chapter, "?fw=both"))
    assert_view(page, "both")
    page.goto(site.url(chapter, "?fw=paddle"))
    assert_view(page, "paddle")

    choose(page, "pytorch")  # a click keeps the address in step
    assert page.url.endswith("?fw=pytorch")
    site.assert_no_errors()


def test_without_javascript_both_frameworks_show(site: Site, chapter: str) -> None:
    page = site.open(chapter, viewport=WIDE, java_script_enabled=False)
    assert page.locator(".fw-pair").count() > 0, "the pairs must be in the HTML"
    expect(page.locator(".fw-switch")).to_be_hidden()
    for selector in (".cell.tag_pytorch", ".cell.tag_paddle"):
        cells = page.locator(selector)
        assert cells.count() > 0
        for index in range(cells.count()):
            expect(cells.nth(index)).to_be_visible()
    check_layout(site, page, side_by_side=True, name="no-js", js=False)
    site.assert_no_errors()


def test_colab_launch_link(site_dir: Path, chapter: str) -> None:
    """The launch menu opens the chapter's notebook in Colab (checked in the built HTML)."""
    html = (site_dir / f"{chapter}.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="(https://colab\.research\.google\.com/github/[^"]*)"', html)
    assert hrefs, f"{chapter}.html has no Colab launch link"
    for href in hrefs:
        assert href.endswith(f"/{chapter}.ipynb"), f"Colab link {href!r} is not {chapter}.ipynb"


def test_other_pages_load_without_errors(site: Site, other_page: str) -> None:
    """The pages that are not chapters (every test checks the chapters' errors)."""
    for viewport in (WIDE, NARROW):
        page = site.open(other_page, viewport=viewport)
        page.wait_for_load_state("networkidle")
    site.assert_no_errors()


#: Every display formula: its typeset width, its box's width, and how the box overflows.
FORMULAS_JS = """() => Array.from(document.querySelectorAll('mjx-container[display="true"]'), (m) => ({
  text: m.textContent.slice(0, 50),
  math: m.firstElementChild ? m.firstElementChild.getBoundingClientRect().width : 0,
  box: m.clientWidth,
  overflow: getComputedStyle(m).overflowX,
}))"""


def test_display_formulas_fit_or_scroll(site: Site, chapter: str) -> None:
    """At 1400 px every display formula fits its column; at 800 px a wider one scrolls in its box."""
    for viewport, must_fit in ((WIDE, True), (NARROW, False)):
        page = site.open(chapter, viewport=viewport)
        page.wait_for_load_state("networkidle")
        expect(page.locator("mjx-container").first).to_be_attached(timeout=15_000)
        formulas = page.evaluate(FORMULAS_JS)
        assert formulas, f"{chapter}: no display formulas"
        wide = [f for f in formulas if f["math"] > f["box"] + 1]
        if must_fit:
            assert not wide, f"{chapter} at {viewport}: formulas wider than the column: {wide}"
        clipped = [f for f in wide if f["overflow"] not in ("auto", "scroll")]
        assert not clipped, f"{chapter} at {viewport}: formulas cut off: {clipped}"
    site.assert_no_errors()


def test_math_renders_offline(site: Site, chapter: str) -> None:
    """MathJax is served by the site itself: formulas typeset with no request leaving it."""
    page = site.open(chapter)
    page.wait_for_load_state("networkidle")
    expect(page.locator("mjx-container").first).to_be_attached(timeout=15_000)
    untypeset = page.evaluate(
        "() => Array.from(document.querySelectorAll('.math'))"
        ".filter((el) => !el.querySelector('mjx-container')).map((el) => el.textContent)"
    )
    assert page.locator(".math").count() > 0, f"{chapter}: no formulas found"
    assert not untypeset, f"{chapter}: formulas left as LaTeX: {untypeset[:3]}"
    site.assert_no_errors()
