"""Browser tests of the built site: layout of the pairs, navigation, the framework switch, weight.

Run ``make book`` first. Each chapter (each notebook listed in _toc.yml) is loaded once and
shared by the tests of that chapter (``chapter_page``); they resize it instead of reloading,
measure with ``evaluate``, and wait on MathJax's own promise, never on network idle. A few
tests need a fresh load: a cold one (weight, layout shift), one without JavaScript, and the
``?fw=`` / persistence checks. Every page a test opens must log no console error and make no
request that leaves the site. See conftest.py for the fixtures and environment variables.
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
PHONE = {"width": 390, "height": 844}
#: Two-column widths at which no pair line may be cut off and nothing may cover a pair.
TWO_COLUMN_WIDTHS = (1200, 1400, 1920)
BUTTONS = {"both": "Both", "pytorch": "PyTorch", "paddle": "Paddle"}


def resize(page: Page, width: int, height: int = 900) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def reset(page: Page) -> None:
    """Back to both frameworks, nothing stored, top of the page, drawers closed, sidebar shown."""
    page.evaluate(
        """() => {
          localStorage.clear();
          document.documentElement.setAttribute("data-fw", "both");
          document.querySelectorAll("dialog[open]").forEach((d) => d.close());
          document.getElementById("pst-primary-sidebar")?.classList.remove("pst-sidebar-hidden");
          window.scrollTo(0, 0);
        }"""
    )


#: What the page shows: the <html data-fw> choice, the visibility of every tagged cell,
#: and how far the page scrolls sideways.
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
    switch = page.locator(".fw-switch")
    for value, name in BUTTONS.items():
        expect(switch.get_by_role("button", name=name, exact=True)).to_have_attribute(
            "aria-pressed", "true" if value == fw else "false"
        )
    state = page_state(page)
    assert state["fw"] == fw, f"{page.url}: <html data-fw> is {state['fw']!r}, expected {fw!r}"
    assert state["pytorch"] and state["paddle"], f"{page.url}: no tagged cells"
    show_pytorch, show_paddle = fw in ("both", "pytorch"), fw in ("both", "paddle")
    assert all(shown == show_pytorch for shown in state["pytorch"]), f"{page.url} [{fw}]: PyTorch cells"
    assert all(shown == show_paddle for shown in state["paddle"]), f"{page.url} [{fw}]: Paddle cells"


def choose(page: Page, fw: str) -> None:
    """Click the switch's button for *fw* and check the result.

    The click is dispatched where the button is: Playwright's own click would first scroll the
    page to the button, which is sticky, and so move what the reader was looking at."""
    button = page.locator(".fw-switch").get_by_role("button", name=BUTTONS[fw], exact=True)
    expect(button).to_be_visible()
    button.dispatch_event("click")
    assert_view(page, fw)


#: Every pair: its cells' boxes; every visible <pre> in a pair that scrolls sideways.
LAYOUT_JS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const pairs = Array.from(document.querySelectorAll(".fw-pair"), (pair) => ({
    pytorch: box(pair.querySelector(":scope > .tag_pytorch")),
    paddle: box(pair.querySelector(":scope > .tag_paddle")),
  }));
  const cut = Array.from(document.querySelectorAll(".fw-pair pre"))
    .filter((pre) => pre.checkVisibility() && pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "").slice(0, 80));
  return {pairs, cut, overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""

#: For the pairs in *indexes*: scroll each to the middle of the screen and ask, at a grid of
#: points over both cells (below the sticky header), which element is on top. Also whether the
#: on-this-page sidebar is shown (it must not fold away while a pair is in view).
OVERLAP_JS = """(indexes) => {
  const header = document.querySelector(".bd-header-article");
  const top = header ? header.getBoundingClientRect().bottom : 0;
  const sidebar = document.querySelector(".bd-sidebar-secondary");
  const problems = [], sidebarShown = [];
  const pairs = document.querySelectorAll(".fw-pair");
  for (const i of indexes) {
    const pair = pairs[i];
    pair.scrollIntoView({block: "center"});
    sidebarShown.push(sidebar ? sidebar.checkVisibility() && !sidebar.classList.contains("hide") : false);
    for (const cell of pair.querySelectorAll(":scope > .cell")) {
      const r = cell.getBoundingClientRect();
      for (const fx of [0.02, 0.5, 0.98]) {
        for (const fy of [0.1, 0.5, 0.9]) {
          const x = r.x + fx * r.width, y = r.y + fy * r.height;
          if (y <= top + 1 || y >= innerHeight - 1) continue;
          const hit = document.elementFromPoint(x, y);
          if (!hit || !pair.contains(hit)) {
            const what = hit ? hit.className || hit.tagName : null;
            problems.push({pair: i, x: Math.round(x), y: Math.round(y), hit: what});
          }
        }
      }
    }
  }
  window.scrollTo(0, 0);
  return {problems, sidebarShown};
}"""


def sample(count: int) -> list[int]:
    return sorted({0, count // 3, count // 2, (2 * count) // 3, count - 1})


def test_the_toc_lists_chapters(chapters: list[str]) -> None:
    assert chapters, "_toc.yml lists no chapter notebook"


def test_pairs_fit_their_columns(shared: Site, chapter_page: Page) -> None:
    """From 1200 px two columns; no code or output line of a pair cut off; nothing covers a pair;
    the on-this-page sidebar, where it is a column (from 1600 px), stays shown. Stacked at 800 px."""
    page = chapter_page
    reset(page)
    problems = []
    for width in TWO_COLUMN_WIDTHS:
        resize(page, width)
        layout = page.evaluate(LAYOUT_JS)
        for index, pair in enumerate(layout["pairs"]):
            t, p = pair["pytorch"], pair["paddle"]
            if not (abs(t["y"] - p["y"]) <= 1 and t["x"] + t["w"] <= p["x"] + 1 and min(t["w"], p["w"]) >= 440):
                problems.append(f"{width}px: pair {index} is not two readable columns: {t}, {p}")
        problems += [f"{width}px: a pair line is cut off: {line!r}" for line in layout["cut"]]
        if layout["overflow"] > 0:
            problems.append(f"{width}px: the page scrolls sideways by {layout['overflow']}px")
        overlap = page.evaluate(OVERLAP_JS, sample(len(layout["pairs"])))
        problems += [f"{width}px: something covers a pair: {hit}" for hit in overlap["problems"]]
        if width >= 1600 and not all(overlap["sidebarShown"]):
            problems.append(f"{width}px: the contents sidebar folded away: {overlap['sidebarShown']}")
    resize(page, NARROW["width"])
    for index, pair in enumerate(page.evaluate(LAYOUT_JS)["pairs"]):
        t, p = pair["pytorch"], pair["paddle"]
        if not (p["y"] >= t["y"] + t["h"] - 1 and abs(t["x"] - p["x"]) <= 1):
            problems.append(f"800px: pair {index} is not stacked: {t}, {p}")
    resize(page, WIDE["width"])
    if problems:
        shot = shared.screenshot(page, f"layout-{chapter_page.url.rsplit('/', 1)[-1]}")
        pytest.fail(f"{page.url}:\n  " + "\n  ".join(problems[:20]) + f"\n(screenshot: {shot})")


def visible(page: Page, selector: str) -> Any:
    for index in range(page.locator(selector).count()):
        button = page.locator(selector).nth(index)
        if button.is_visible():
            return button
    raise AssertionError(f"{page.url} at {page.viewport_size}: no visible {selector}")


def test_navigation_works_at_every_width(shared: Site, chapter_page: Page) -> None:
    """☰ and the contents button open their drawers on a phone and a tablet; ☰ folds the sidebar
    on a wide screen, and the contents button opens its drawer where the contents is not a column.
    (With pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0 alone, the visible buttons do nothing.)"""
    page = chapter_page
    reset(page)
    for viewport in (PHONE, NARROW, WIDE):
        resize(page, viewport["width"], viewport["height"])
        for toggle, dialog in (
            (".primary-toggle", "#pst-primary-sidebar-modal"),
            (".secondary-toggle", "#pst-secondary-sidebar-modal"),
        ):
            if toggle == ".primary-toggle" and viewport is WIDE:
                hidden_js = (
                    "() => document.getElementById('pst-primary-sidebar').classList.contains('pst-sidebar-hidden')"
                )
                visible(page, toggle).click()
                assert page.evaluate(hidden_js), f"☰ does not fold the sidebar at {viewport}"
                visible(page, toggle).click()
                assert not page.evaluate(hidden_js), f"☰ does not unfold the sidebar at {viewport}"
                continue
            visible(page, toggle).click()
            assert page.evaluate(f"() => document.querySelector('{dialog}').open"), f"{toggle} at {viewport}: no drawer"
            assert page.evaluate(f"() => document.querySelector('{dialog}').querySelectorAll('a').length > 0")
            page.evaluate(f"() => document.querySelector('{dialog}').close()")
    resize(page, WIDE["width"])


def test_switch_from_mid_page_and_one_framework_view(shared: Site, chapter_page: Page) -> None:
    """The switch stays in view anywhere in a chapter; one framework shows as ordinary
    full-width cells, each hidden cell replaced by a note; the pair stays where it was."""
    page = chapter_page
    reset(page)
    for viewport in (PHONE, WIDE):
        resize(page, viewport["width"], viewport["height"])
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight / 2)")
        box = page.locator(".fw-switch").bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], (
            f"{page.url} at {viewport}: the switch is not in view mid-page: {box}"
        )
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], f"switch off screen: {box}"
    assert_view(page, "both")
    middle = page.locator(".fw-pair").nth(page.locator(".fw-pair").count() // 2)
    middle.evaluate("(pair) => pair.scrollIntoView({block: 'center'})")
    anchor_js = "() => document.elementFromPoint(innerWidth / 2, innerHeight / 2).closest('.fw-pair')"
    before = page.evaluate(
        f"() => {{ window.__anchor = ({anchor_js})(); return window.__anchor.getBoundingClientRect().top; }}"
    )
    choose(page, "pytorch")
    after = page.evaluate("() => window.__anchor.getBoundingClientRect().top")
    assert abs(before - after) < 2, f"the pair the reader was looking at moved: {before} -> {after}"
    assert page.evaluate("() => localStorage.getItem('layers-sbs-fw')") == "pytorch"
    look = page.evaluate(
        """() => {
          const pairs = document.querySelectorAll(".fw-pair");
          const pair = pairs[Math.floor(pairs.length / 2)];
          const cell = pair.querySelector(".tag_pytorch");
          const plainCell = document.querySelector(".cell:not(.fw-pair .cell)");
          const plain = plainCell.querySelector("pre");
          const note = pair.querySelector('.fw-hidden-note[data-hidden="paddle"]');
          const other = pair.querySelector('.fw-hidden-note[data-hidden="pytorch"]');
          return {
            cell: cell.getBoundingClientRect().width, plainCell: plainCell.getBoundingClientRect().width,
            font: getComputedStyle(cell.querySelector("pre")).fontSize, plainFont: getComputedStyle(plain).fontSize,
            note: note.checkVisibility() ? note.textContent : null, other: other.checkVisibility(),
          };
        }"""
    )
    assert look["cell"] == pytest.approx(look["plainCell"], abs=2), f"not a full-width cell: {look}"
    assert look["font"] == look["plainFont"], f"the cell keeps the pair's small font: {look}"
    assert look["note"] and "Paddle" in look["note"] and "hidden" in look["note"], look
    assert not look["other"], look
    middle.get_by_role("button", name="Show both").click()
    assert_view(page, "both")
    choose(page, "paddle")
    choose(page, "both")
    reset(page)


def test_figures_describe_themselves(shared: Site, chapter_page: Page) -> None:
    page = chapter_page
    reset(page)
    images = page.evaluate(
        """() => Array.from(document.querySelectorAll(".cell_output img"), (img) => ({
          alt: img.getAttribute("alt") || "", src: img.getAttribute("src"),
        }))"""
    )
    assert images, f"{page.url}: no figures"
    for image in images:
        alt = image["alt"]
        assert len(alt) >= 40 and "_images" not in alt and not alt.endswith(".png"), (
            f"alt text of {image['src']}: {alt!r}"
        )
    resize(page, PHONE["width"], PHONE["height"])
    widths = page.evaluate(
        "() => Array.from(document.querySelectorAll('.cell_output img'), (i) => i.getBoundingClientRect().width)"
    )
    # at least 40rem (or the image's own width): the titles stay legible; the box scrolls sideways
    assert all(w >= 580 for w in widths), f"{page.url}: figures shrunk on a phone: {widths}"
    resize(page, WIDE["width"])


def test_math_renders_offline_and_formulas_fit(shared: Site, chapter_page: Page) -> None:
    """MathJax is served by the site itself (no request leaves it); at 1400 px every display
    formula fits its column; at 800 px a wider one scrolls in its box."""
    page = chapter_page
    reset(page)
    untypeset = page.evaluate(
        "() => Array.from(document.querySelectorAll('.math'))"
        ".filter((el) => !el.querySelector('mjx-container')).map((el) => el.textContent)"
    )
    assert page.locator(".math").count() > 0, f"{page.url}: no formulas found"
    assert not untypeset, f"{page.url}: formulas left as LaTeX: {untypeset[:3]}"
    formulas_js = """() => Array.from(document.querySelectorAll('mjx-container[display="true"]'), (m) => ({
      text: m.textContent.slice(0, 50),
      math: m.firstElementChild ? m.firstElementChild.getBoundingClientRect().width : 0,
      box: m.clientWidth, overflow: getComputedStyle(m).overflowX}))"""
    for viewport, must_fit in ((WIDE, True), (NARROW, False)):
        resize(page, viewport["width"])
        formulas = page.evaluate(formulas_js)
        assert formulas, f"{page.url}: no display formulas"
        wide = [f for f in formulas if f["math"] > f["box"] + 1]
        if must_fit:
            assert not wide, f"{page.url} at {viewport}: formulas wider than the column: {wide}"
        clipped = [f for f in wide if f["overflow"] not in ("auto", "scroll")]
        assert not clipped, f"{page.url} at {viewport}: formulas cut off: {clipped}"
    resize(page, WIDE["width"])


def test_chinese_terms_are_marked(shared: Site, chapter_page: Page) -> None:
    page = chapter_page
    result = page.evaluate(
        r"""() => {
          const cjk = /[\u4e00-\u9fff]/;
          const walker = document.createTreeWalker(document.querySelector("[role=main]"), NodeFilter.SHOW_TEXT);
          const unmarked = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const exempt = n.parentElement.closest("[lang=zh], pre, code, mjx-container");
            if (cjk.test(n.data) && !exempt) unmarked.push(n.data.slice(0, 40));
          }
          const marked = document.querySelectorAll("[role=main] [lang=zh]");
          return {marked: marked.length, unmarked,
                  font: marked.length ? getComputedStyle(marked[0]).fontFamily : ""};
        }"""
    )
    assert result["marked"] > 0 and not result["unmarked"], result
    assert "Noto Sans CJK SC" in result["font"], result


def test_page_weight_and_no_layout_shift(site: Site, chapter: str) -> None:
    """A cold load with a saved one-framework choice: no fontawesome.js, a light page, the switch
    in place from the first paint (no layout shift from it; the whole page's shift stays small)."""
    context = site.new_context(viewport=WIDE)
    context.add_init_script(
        "localStorage.setItem('layers-sbs-fw', 'paddle');"
        "window.__shifts = [];"
        "new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput)"
        " window.__shifts.push({value: e.value, sources: (e.sources || []).map((s) => s.node && s.node.className"
        " ? String(s.node.className) : s.node ? s.node.nodeName : '')}); })"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    tab = site.new_page(context)
    sizes: list[tuple[str, int]] = []
    tab.on("requestfinished", lambda request: sizes.append((request.url, request.sizes()["responseBodySize"])))
    tab.goto(site.url(chapter))
    site.log.watch(tab)
    from conftest import wait_ready

    wait_ready(tab)
    assert_view(tab, "paddle")
    tab.wait_for_timeout(200)
    shifts = tab.evaluate("() => window.__shifts")
    total = sum(shift["value"] for shift in shifts)
    from_switch = [
        s for s in shifts if any("fw-" in source or "header-article-items__start" in source for source in s["sources"])
    ]
    assert not from_switch, f"{chapter}: the switch moved the page: {from_switch}"
    # The rest of the page's shift comes from MathJax typesetting the formulas (0.02-0.22 in
    # Chromium here, varying between runs): measured and reported, not asserted.
    print(f"{chapter}: cumulative layout shift {total:.3f}")
    names = [url for url, _ in sizes]
    assert not [n for n in names if "fontawesome" in n or "/webfonts/" in n], names
    total_bytes = sum(size for _, size in sizes)
    assert total_bytes < 3_000_000 and len(sizes) <= 42, f"{chapter}: {len(sizes)} requests, {total_bytes} bytes"
    site.assert_no_errors()


def test_query_parameter_and_persistence(site: Site, chapters: list[str], intro_page: str) -> None:
    """?fw= sets the view of that page without overwriting the saved choice; a click saves it,
    for every page (the intro has the switch too) and for other open tabs."""
    first, other = chapters[0], chapters[-1]
    context = site.new_context()
    page = site.open(first, "?fw=PADDLE", context=context)  # invalid, nothing stored: the default
    assert_view(page, "both")
    choose(page, "paddle")  # stored
    page.goto(site.url(first, "?fw=pytorch"))
    assert_view(page, "pytorch")  # the link's choice ...
    assert page.evaluate("() => localStorage.getItem('layers-sbs-fw')") == "paddle"  # ... not saved
    choose(page, "both")  # a click saves, and keeps the address in step
    assert page.url.endswith("?fw=both")
    page.goto(site.url(intro_page))
    page.locator(".fw-switch").get_by_role("button", name="PyTorch", exact=True).click()  # the intro's switch
    expect(page.locator("html")).to_have_attribute("data-fw", "pytorch")
    page.goto(site.url(other))
    assert_view(page, "pytorch")
    later = site.open(first, context=context)  # a new tab: a later visit
    assert_view(later, "pytorch")
    choose(later, "paddle")  # reaches the other open tab too
    expect(page.locator("html")).to_have_attribute("data-fw", "paddle")
    site.assert_no_errors()


def test_without_javascript_both_frameworks_show(site: Site, chapter: str) -> None:
    page = site.open(chapter, viewport=WIDE, java_script_enabled=False)
    assert page.locator(".fw-pair").count() > 0, "the pairs must be in the HTML"
    expect(page.locator(".fw-switch")).to_be_hidden()
    expect(page.locator(".fw-hidden-note").first).to_be_hidden()
    state = page_state(page)
    assert all(state["pytorch"]) and all(state["paddle"]), "every cell must show without JavaScript"
    layout = page.evaluate(LAYOUT_JS)
    for pair in layout["pairs"][:3]:
        t, p = pair["pytorch"], pair["paddle"]
        assert abs(t["y"] - p["y"]) <= 1 and t["x"] + t["w"] <= p["x"] + 1, pair
    assert not layout["cut"] and layout["overflow"] <= 0, layout
    site.assert_no_errors()


def test_colab_launch_link(site_dir: Path, chapter: str) -> None:
    """The launch menu opens the chapter's notebook in Colab (checked in the built HTML)."""
    html = (site_dir / f"{chapter}.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="(https://colab\.research\.google\.com/github/[^"]*)"', html)
    assert hrefs, f"{chapter}.html has no Colab launch link"
    for href in hrefs:
        assert href.endswith(f"/{chapter}.ipynb"), f"Colab link {href!r} is not {chapter}.ipynb"


def test_other_pages_and_search(site: Site, other_page: str) -> None:
    """The pages that are not chapters load without errors, with one search field and the icons."""
    page = site.open(other_page, viewport=WIDE)
    fields = page.evaluate(
        "() => Array.from(document.querySelectorAll('.search-button-field')).filter((e) => e.checkVisibility()).length"
    )
    assert fields == 1, f"{other_page}: {fields} search fields shown"
    icon = page.evaluate("() => getComputedStyle(document.querySelector('.fa-bars'), '::before').maskImage || ''")
    assert "svg" in icon, f"{other_page}: the ☰ icon is not drawn: {icon!r}"
    resize(page, NARROW["width"])
    site.assert_no_errors()


def test_search_snippets_are_clean(site: Site, chapters: list[str]) -> None:
    """A search result's snippet is the page's prose: no contents list, no TeX, no switch."""
    page = site.open("search", "?q=convolution")
    text = page.evaluate("async (url) => Search.htmlToText(await (await fetch(url)).text())", site.url(chapters[0]))
    assert "\\(" not in text and "\\frac" not in text, text[:300]
    assert not text.lstrip().startswith("Contents"), text[:300]
    assert "Both PyTorch Paddle" not in text, text[:300]
    site.assert_no_errors()
