"""What the browser tests look at, and how: every page of the suite, loaded once, gone over once.

``collect`` opens every page the tests look at at once, in one Chromium, with Playwright's async
API, so that the pages load and are measured side by side (the machine's cores work together
instead of one page waiting for another), and returns what it recorded; the tests of
test_browser.py then assert on that, each on one point. For each chapter, ``collect_chapter`` goes
over one cold load: the view, weight, layout shift, figures, formulas and Chinese terms; the
framework switch from mid-page and the one-framework view; the saved choice in another tab; the
pairs at 1400, 1920 and 1200 px; the navigation at 1200, 800 and 390 px. It resizes the page
instead of reloading it, measures with one ``evaluate`` per width, clicks where a reader would
(``page.mouse`` at a point checked to be on the button), and waits on the page's own readiness
(MathJax's promise, document.fonts), never on network idle or a fixed delay.

This is a module of its own, not part of conftest.py, so that test_browser.py can import it
(``import conftest`` is ambiguous when tests/unit's conftest.py is on sys.path too).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    async_playwright,
)
from playwright.async_api import (
    TimeoutError as PlaywrightTimeoutError,
)

WIDE = {"width": 1400, "height": 900}
NARROW = {"width": 800, "height": 900}
PHONE = {"width": 390, "height": 844}
#: Two-column widths at which no pair line may be cut off and nothing may cover a pair.
TWO_COLUMN_WIDTHS = (1200, 1400, 1920)
#: The switch's buttons: data-fw value and label.
BUTTONS = {"both": "Both", "pytorch": "PyTorch", "paddle": "Paddle"}
#: Where side_by_side.js saves the reader's choice.
STORAGE_KEY = "layers-sbs-fw"
#: A chapter's cold load finds SAVED_FW saved by an earlier visit and comes from a ``?fw=LINK_FW`` link.
SAVED_FW, LINK_FW = "paddle", "pytorch"
DRAWERS = {".primary-toggle": "#pst-primary-sidebar-modal", ".secondary-toggle": "#pst-secondary-sidebar-modal"}


# --- what was recorded ------------------------------------------------------------------------


@dataclass
class ErrorLog:
    """Console errors, uncaught exceptions, failed responses and off-site requests of one tab."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))
        page.on("response", self._on_response)
        return page

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            url = message.page.url if message.page else "?"
            self.errors.append(f"{url}: console: {message.text}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status} for {response.url}")


def assert_no_errors(what: str, *logs: ErrorLog) -> None:
    """Fail if one of the tabs of *logs* reported an error."""
    errors = [error for log in logs for error in log.errors]
    if errors:
        pytest.fail(f"{what}: the pages reported errors:\n  " + "\n  ".join(errors), pytrace=False)


@dataclass
class Report:
    """What was measured on one page, by step; a step that raised fails only the tests that read it."""

    name: str
    data: dict[str, Any] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    #: the error logs of the page's tabs
    logs: list[ErrorLog] = field(default_factory=list)
    #: seconds each step took (printed by test_page_weight)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[dict[str, Any]]:
        """Record what the block measures under *name* (a dict it fills); an exception is recorded."""
        result: dict[str, Any] = {}
        start = time.perf_counter()
        try:
            yield result
        except Exception as error:  # noqa: BLE001 - reported by the tests that read this step
            self.failed[name] = f"{type(error).__name__}: {error}"
        else:
            self.data[name] = result
        finally:
            self.seconds[name] = round(time.perf_counter() - start, 2)

    def __getitem__(self, name: str) -> dict[str, Any]:
        if name in self.failed:
            pytest.fail(f"{self.name}: could not measure {name!r}: {self.failed[name]}", pytrace=False)
        if name not in self.data:
            reasons = "; ".join(f"{step}: {error}" for step, error in self.failed.items()) or "?"
            pytest.fail(f"{self.name}: {name!r} was not measured ({reasons})", pytrace=False)
        result: dict[str, Any] = self.data[name]
        return result


@dataclass
class Results:
    """Everything ``collect`` recorded, per page."""

    chapters: dict[str, Report]
    no_js: dict[str, Report]
    others: dict[str, Report]
    search: Report
    seconds: float


# --- opening pages ----------------------------------------------------------------------------


@dataclass
class Tab:
    """A tab of the site, with its errors and the requests its load finished."""

    page: Page
    log: ErrorLog
    started: float = field(default_factory=time.perf_counter)
    finished: list[Request] = field(default_factory=list)


@dataclass
class Site:
    """Opens pages of the site; a request that leaves the site is blocked and reported."""

    browser: Browser
    base_url: str
    _logs: dict[Page, ErrorLog] = field(default_factory=dict)

    def url(self, page: str, query: str = "") -> str:
        """URL of a book page given as in _toc.yml (``chapters/convolution``)."""
        return f"{self.base_url}{page}.html{query}"

    async def new_context(self, **options: Any) -> BrowserContext:
        """A fresh context (own localStorage and cache) whose off-site requests are errors."""
        options.setdefault("viewport", WIDE)
        context = await self.browser.new_context(**options)
        # Hermetic: the site must work offline (MathJax included), so nothing may be fetched from
        # elsewhere; such a request is reported (and fails: no host name resolves in this browser,
        # conftest.CHROMIUM_ARGS). Watched, not routed: routing would pause every request of the
        # site on its way through Playwright and turn the HTTP cache off.
        context.on("request", self._check_request)
        return context

    def _check_request(self, request: Request) -> None:
        url = request.url
        if url.startswith(self.base_url) or url.split(":", 1)[0] in ("data", "blob", "about"):
            return
        try:
            logs = [self._logs[request.frame.page]]
        except Exception:  # noqa: BLE001 - a request of no page of ours (a worker): report it everywhere
            logs = list(self._logs.values())
        for log in logs:
            log.errors.append(f"external request (the site must work offline): {url}")

    async def open(self, context: BrowserContext, page: str, query: str = "", ready: bool = True) -> Tab:
        """Load *page* in a new tab of *context*; wait until it is *ready* (see ``wait_ready``)."""
        log = ErrorLog()
        tab = Tab(page=log.watch(await context.new_page()), log=log)
        self._logs[tab.page] = log
        tab.page.on("requestfinished", lambda request: tab.finished.append(request))
        await tab.page.goto(self.url(page, query), wait_until="commit")
        if ready:
            await wait_ready(tab.page)
        return tab


#: Resolves when the page is ready: loaded, its formulas typeset (MathJax's own promise) and its
#: fonts loaded, then two frames so that it has been painted. Never network idle, never a sleep.
READY_JS = """async () => {
  if (document.readyState !== "complete") await new Promise((r) => addEventListener("load", r, {once: true}));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await document.fonts.ready;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return "ready";
}"""

#: Without JavaScript there is no MathJax and no requestAnimationFrame to wait on.
READY_NO_JS = "() => document.fonts.ready.then(() => 'ready')"


async def wait_ready(page: Page, javascript: bool = True) -> None:
    """Wait until *page* has loaded, typeset its formulas and loaded its fonts."""
    await page.wait_for_load_state("load")
    await page.evaluate(READY_JS if javascript else READY_NO_JS)


#: Records a page's layout shifts from its first paint (added to the chapters' cold loads).
SHIFTS_INIT_JS = """
window.__shifts = [];
window.__recordShift = (e) => {
  if (e.hadRecentInput) return;
  window.__shifts.push({value: e.value, sources: (e.sources || []).map((s) =>
    s.node && s.node.className ? String(s.node.className) : s.node ? s.node.nodeName : "")});
};
window.__shiftObserver = new PerformanceObserver((list) => list.getEntries().forEach(window.__recordShift));
window.__shiftObserver.observe({type: "layout-shift", buffered: true});
"""

# --- what a page shows ------------------------------------------------------------------------

#: The <html data-fw> choice, the switch's buttons, the visibility of every tagged cell, the saved
#: choice, the address, and how far the page scrolls sideways.
STATE_JS = """(key) => {
  const shown = (selector) => Array.from(document.querySelectorAll(selector), (el) => el.checkVisibility());
  return {
    fw: document.documentElement.getAttribute("data-fw"),
    pressed: Object.fromEntries(Array.from(document.querySelectorAll(".fw-switch button[data-fw]"),
      (b) => [b.textContent.trim(), b.getAttribute("aria-pressed")])),
    pytorch: shown(".cell.tag_pytorch"),
    paddle: shown(".cell.tag_paddle"),
    stored: localStorage.getItem(key),
    url: location.href,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


async def page_state(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = await page.evaluate(STATE_JS, STORAGE_KEY)
    return state


def view_problems(state: dict[str, Any], fw: str, cells: bool = True) -> list[str]:
    """What is wrong with *state* (``page_state``) for a page showing *fw*: empty if nothing."""
    problems = []
    expected = {name: "true" if value == fw else "false" for value, name in BUTTONS.items()}
    if state["pressed"] != expected:
        problems.append(f"the switch says {state['pressed']}, expected {expected}")
    if state["fw"] != fw:
        problems.append(f"<html data-fw> is {state['fw']!r}, expected {fw!r}")
    if cells:
        if not (state["pytorch"] and state["paddle"]):
            problems.append("no tagged cells")
        show_pytorch, show_paddle = fw in ("both", "pytorch"), fw in ("both", "paddle")
        if not all(shown == show_pytorch for shown in state["pytorch"]):
            problems.append(f"PyTorch cells shown: {state['pytorch']}, expected all {show_pytorch}")
        if not all(shown == show_paddle for shown in state["paddle"]):
            problems.append(f"Paddle cells shown: {state['paddle']}, expected all {show_paddle}")
    return problems


def pair_problems(layout: dict[str, Any], width: int) -> list[str]:
    """What is wrong with the pairs at a two-column *width* (a ``LAYOUT_JS`` result): not two readable
    columns, a line cut off, the page scrolling sideways, something covering a pair, the contents
    sidebar folded away where it is a column (from 1600 px)."""
    problems = []
    for index, pair in enumerate(layout["pairs"]):
        t, p = pair["pytorch"], pair["paddle"]
        if not (abs(t["y"] - p["y"]) <= 1 and t["x"] + t["w"] <= p["x"] + 1 and min(t["w"], p["w"]) >= 440):
            problems.append(f"pair {index} is not two readable columns: {t}, {p}")
    problems += [f"a pair line is cut off: {line!r}" for line in layout["cut"]]
    if layout["overflow"] > 0:
        problems.append(f"the page scrolls sideways by {layout['overflow']}px")
    problems += [f"something covers pair {hit['pair']}: {hit}" for hit in layout["problems"]]
    if width >= 1600 and not all(layout["sidebarShown"]):
        shown = dict(zip(layout["sample"], layout["sidebarShown"], strict=True))
        problems.append(f"the contents sidebar folded away: {shown}")
    return problems


# --- acting on a page -------------------------------------------------------------------------

#: Back to the top of the page, drawers closed, primary sidebar shown, nothing focused. Only what is
#: not so already is changed: each change of a drawer's or the sidebar's state costs a full style
#: recalculation of a 30,000-element page.
RESET_BODY = """
  document.querySelectorAll("dialog[open]").forEach((d) => d.close());
  const primary = document.getElementById("pst-primary-sidebar");
  if (primary && primary.classList.contains("pst-sidebar-hidden")) primary.classList.remove("pst-sidebar-hidden");
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur?.();
  if (window.scrollY || window.scrollX) window.scrollTo(0, 0);
"""
RESET_JS = "() => {" + RESET_BODY + "}"

#: Waits two frames: a resize's handlers have run.
SETTLE_BODY = "await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));"

#: Where a reader would click the first visible element of *selector* (inside ``window[within]`` if
#: given), once nothing on the page is moving, scrolled into view first if *scroll*; an error if it
#: is hidden, off screen or covered. With *midPage*, the page is first scrolled to its middle (as a
#: reader halfway through) and ``from`` is where it then is.
CLICK_TARGET_JS = """async ({selector, within, scroll, midPage}) => {
  const from = midPage ? (window.scrollTo(0, document.documentElement.scrollHeight / 2), window.scrollY) : null;
  // what moves (a sidebar folding) moves the button: wait for the page's finite animations first
  const moving = document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(moving.map((a) => a.finished.catch(() => null)));
  const root = within ? window[within] : document;
  const el = Array.from(root.querySelectorAll(selector)).find((e) => e.checkVisibility());
  if (!el) return {error: `no visible ${selector}`};
  let r = el.getBoundingClientRect();
  const outside = () => {  // its middle, where the click goes
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    return x < 0 || y < 0 || x >= innerWidth || y >= innerHeight;
  };
  if (outside() && scroll) { el.scrollIntoView({block: "center"}); r = el.getBoundingClientRect(); }
  if (outside()) return {error: `${selector} is off screen: ${JSON.stringify(r)}`};
  const x = r.x + r.width / 2, y = r.y + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  const what = hit ? hit.className || hit.tagName : null;
  if (!hit || !el.contains(hit)) return {error: `${selector} is covered by ${what}`};
  return {x, y, from, anchorTop: window.__anchor ? window.__anchor.getBoundingClientRect().top : null};
}"""


async def click(
    page: Page, selector: str, within: str | None = None, scroll: bool = True, mid_page: bool = False
) -> dict[str, Any]:
    """Click the visible *selector* with the mouse, as a reader would (see CLICK_TARGET_JS);
    return where, where the anchor pair (ANCHOR_JS) was just before and, *mid_page*, where the page
    was scrolled to first."""
    options = {"selector": selector, "within": within, "scroll": scroll, "midPage": mid_page}
    target: dict[str, Any] = await page.evaluate(CLICK_TARGET_JS, options)
    if "error" in target:
        raise AssertionError(f"{page.url} at {page.viewport_size}: cannot click: {target['error']}")
    await page.mouse.click(target["x"], target["y"])
    return target


async def choose(page: Page, fw: str) -> None:
    """Click the switch's button for *fw* where it is (no scrolling: the switch must be in view)."""
    await click(page, f'.fw-switch button[data-fw="{fw}"]', scroll=False)


async def resize(page: Page, width: int, height: int = 900) -> None:
    """Resize the viewport; the next measurement first waits two frames (SETTLE_BODY)."""
    await page.set_viewport_size({"width": width, "height": height})


# --- measurements -----------------------------------------------------------------------------

#: After the cold load: its layout shifts (pending records flushed), load time, figures, formulas
#: and Chinese terms.
LOAD_JS = r"""async () => {
  await new Promise((r) => setTimeout(r, 0));
  window.__shiftObserver.takeRecords().forEach(window.__recordShift);
  const nav = performance.getEntriesByType("navigation")[0];
  const cjk = /[\u4e00-\u9fff]/;
  const walker = document.createTreeWalker(document.querySelector("[role=main]"), NodeFilter.SHOW_TEXT);
  const unmarked = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const exempt = n.parentElement.closest("[lang=zh], pre, code, mjx-container");
    if (cjk.test(n.data) && !exempt) unmarked.push(n.data.slice(0, 40));
  }
  const marked = document.querySelectorAll("[role=main] [lang=zh]");
  return {
    shifts: window.__shifts,
    loadMs: nav ? Math.round(nav.loadEventEnd) : null,
    images: Array.from(document.querySelectorAll(".cell_output img"), (img) => ({
      alt: img.getAttribute("alt") || "", src: img.getAttribute("src")})),
    math: document.querySelectorAll(".math").length,
    untypeset: Array.from(document.querySelectorAll(".math"))
      .filter((el) => !el.querySelector("mjx-container")).map((el) => el.textContent.slice(0, 60)),
    chinese: {marked: marked.length, unmarked, font: marked.length ? getComputedStyle(marked[0]).fontFamily : ""},
  };
}"""

#: At the current width: every pair's cells' boxes; every visible <pre> of a pair that scrolls
#: sideways; how far the page scrolls sideways; with ``overlap``, for a sample of pairs scrolled to
#: the middle of the screen, what is on top at a grid of points over both cells (below the sticky
#: header), and whether the on-this-page sidebar is shown; with ``formulas``, every display formula.
#: First (with ``settle``) two frames, then RESET_BODY; only ``fw`` if both frameworks are not shown.
LAYOUT_JS = (
    """async ({overlap, formulas, settle}) => {
  if (settle) { """
    + SETTLE_BODY
    + """ }"""
    + RESET_BODY
    + """
  const fw = document.documentElement.getAttribute("data-fw");
  if (fw !== "both") return {fw};
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const all = document.querySelectorAll(".fw-pair");
  const pairs = Array.from(all, (pair) => ({
    pytorch: box(pair.querySelector(":scope > .tag_pytorch")),
    paddle: box(pair.querySelector(":scope > .tag_paddle")),
  }));
  const cut = Array.from(document.querySelectorAll(".fw-pair pre"))
    .filter((pre) => pre.checkVisibility() && pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "").slice(0, 80));
  const result = {fw, pairs, cut, overflow: document.documentElement.scrollWidth - window.innerWidth};
  if (overlap) {
    const n = all.length;
    const sample = [...new Set([0, Math.floor(n / 3), Math.floor(n / 2), Math.floor((2 * n) / 3), n - 1])]
      .filter((i) => i >= 0).sort((a, b) => a - b);
    const header = document.querySelector(".bd-header-article");
    const sidebar = document.querySelector(".bd-sidebar-secondary");
    const problems = [], sidebarShown = [];
    for (const i of sample) {
      const pair = all[i];
      pair.scrollIntoView({block: "center"});
      const top = header ? header.getBoundingClientRect().bottom : 0;
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
    Object.assign(result, {sample, problems, sidebarShown});
  }
  if (formulas) {
    result.formulas = Array.from(document.querySelectorAll('mjx-container[display="true"]'), (m) => ({
      text: m.textContent.slice(0, 50),
      math: m.firstElementChild ? m.firstElementChild.getBoundingClientRect().width : 0,
      box: m.clientWidth, overflow: getComputedStyle(m).overflowX}));
  }
  return result;
}"""
)

#: Scroll to the middle of the page; where the switch is, and the viewport.
SWITCH_MID_PAGE_JS = """() => {
  window.scrollTo(0, document.documentElement.scrollHeight / 2);
  const r = document.querySelector(".fw-switch").getBoundingClientRect();
  return {scrollY: window.scrollY, x: r.x, y: r.y, w: r.width, h: r.height, vw: innerWidth, vh: innerHeight};
}"""

#: Put the middle pair in the middle of the screen (window.__anchor) and return its top.
ANCHOR_JS = """() => {
  const pairs = document.querySelectorAll(".fw-pair");
  window.__anchor = pairs[Math.floor(pairs.length / 2)];
  window.__anchor.scrollIntoView({block: "center"});
  return window.__anchor.getBoundingClientRect().top;
}"""

ANCHOR_TOP_JS = "() => window.__anchor.getBoundingClientRect().top"

#: The one-framework view of the anchor pair while *shown* is shown: the shown cell against a cell
#: outside the pairs, and the notes where the hidden cell was.
ONE_FRAMEWORK_JS = """(shown) => {
  const hidden = shown === "pytorch" ? "paddle" : "pytorch";
  const pair = window.__anchor;
  const cell = pair.querySelector(".tag_" + shown);
  const plainCell = document.querySelector(".cell:not(.fw-pair .cell)");
  const note = pair.querySelector(`.fw-hidden-note[data-hidden="${hidden}"]`);
  const other = pair.querySelector(`.fw-hidden-note[data-hidden="${shown}"]`);
  return {
    top: pair.getBoundingClientRect().top,
    cell: cell.getBoundingClientRect().width, plainCell: plainCell.getBoundingClientRect().width,
    font: getComputedStyle(cell.querySelector("pre")).fontSize,
    plainFont: getComputedStyle(plainCell.querySelector("pre")).fontSize,
    note: note && note.checkVisibility() ? note.textContent : null, other: other ? other.checkVisibility() : null,
  };
}"""

#: Whether the drawer *selector* is open with links in it, and where the page is; then, with *close*,
#: closes it (each opening and closing of a drawer, the rest of the page inert or no longer, costs a
#: full style recalculation: the last drawer of the pass is left open, as the context closes next).
DRAWER_JS = """({selector, close}) => {
  const d = document.querySelector(selector);
  const result = {open: !!(d && d.open), links: d ? d.querySelectorAll("a").length : 0, scrollY: window.scrollY};
  if (d && d.open && close) d.close();
  return result;
}"""

SIDEBAR_HIDDEN_JS = "() => document.getElementById('pst-primary-sidebar').classList.contains('pst-sidebar-hidden')"

FIGURE_WIDTHS_JS = (
    "() => Array.from(document.querySelectorAll('.cell_output img'), (i) => i.getBoundingClientRect().width)"
)

#: A page without JavaScript: its pairs, switch, notes and cells as shown, the first pairs' boxes.
NO_JS_JS = """() => {
  const shown = (selector) => Array.from(document.querySelectorAll(selector), (el) => el.checkVisibility());
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const pairs = Array.from(document.querySelectorAll(".fw-pair"));
  return {
    pairs: pairs.length,
    switchShown: shown(".fw-switch"),
    notesShown: shown(".fw-hidden-note").filter(Boolean).length,
    pytorch: shown(".cell.tag_pytorch"), paddle: shown(".cell.tag_paddle"),
    first: pairs.slice(0, 3).map((pair) => ({
      pytorch: box(pair.querySelector(":scope > .tag_pytorch")),
      paddle: box(pair.querySelector(":scope > .tag_paddle")),
    })),
    cut: Array.from(document.querySelectorAll(".fw-pair pre"))
      .filter((pre) => pre.checkVisibility() && pre.scrollWidth > pre.clientWidth + 1).length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


async def _drawers(page: Page, result: dict[str, Any], width: int) -> None:
    """Click ☰, then the contents button, each halfway down the page, at *width* (< 1200), and record
    whether their drawers opened and where the page was before and after; each is closed again. The
    page is reset (RESET_BODY) when this is called."""
    for toggle, drawer in DRAWERS.items():
        target = await click(page, toggle, mid_page=True)
        result[f"{width} {toggle} from"] = target["from"]  # opened mid-page
        result[f"{width} {toggle}"] = await page.evaluate(DRAWER_JS, {"selector": drawer, "close": True})


async def _measure_layout(page: Page, overlap: bool, formulas: bool) -> dict[str, Any]:
    """LAYOUT_JS, after two frames and RESET_BODY, with both frameworks shown (they are, unless a step
    before failed half-way)."""
    options = {"overlap": overlap, "formulas": formulas, "settle": True}
    result: dict[str, Any] = await page.evaluate(LAYOUT_JS, options)
    if result["fw"] != "both":
        await choose(page, "both")
        result = await page.evaluate(LAYOUT_JS, options)
    return result


async def _layout(page: Page, report: Report, width: int, shots: Path, formulas: bool) -> None:
    """The pairs at a two-column *width*; a screenshot where something is wrong."""
    with report.step(f"layout {width}") as layout:
        if page.viewport_size != {"width": width, "height": WIDE["height"]}:
            await resize(page, width)
        layout.update(await _measure_layout(page, overlap=True, formulas=formulas))
        if pair_problems(layout, width):
            path = shots / f"{report.name.replace('/', '-')}-{width}.png"
            await page.screenshot(path=str(path), full_page=True)
            layout["screenshot"] = str(path)


#: From mid-page: where the switch is (SWITCH_MID_PAGE_JS); then the middle pair in the middle of
#: the screen (ANCHOR_JS) and, with *shown*, its one-framework view (ONE_FRAMEWORK_JS); the choice shown.
MID_PAGE_SWITCH_JS = f"""(shown) => {{
  const midPage = ({SWITCH_MID_PAGE_JS})();
  const anchorTop = ({ANCHOR_JS})();
  const fw = document.documentElement.getAttribute("data-fw");
  return {{midPage, anchorTop, fw, look: shown ? ({ONE_FRAMEWORK_JS})(shown) : null}};
}}"""

#: After a click: the page's state (STATE_JS) and, with *shown*, the anchor pair's one-framework view.
STATE_LOOK_JS = f"""({{key, shown}}) => ({{
  state: ({STATE_JS})(key), anchorTop: ({ANCHOR_TOP_JS})(), look: shown ? ({ONE_FRAMEWORK_JS})(shown) : null,
}})"""

#: At 390 px, after the resize: two frames, RESET_BODY, the switch from mid-page, the figures' widths.
PHONE_JS = (
    "async () => {"
    + SETTLE_BODY
    + RESET_BODY
    + f"  return {{midPage: ({SWITCH_MID_PAGE_JS})(), figures: ({FIGURE_WIDTHS_JS})()}};\n}}"
)

#: Set once a chapter's load is measured: the reader's end states without the animation between
#: them (the page's timeline runs this much faster, CDP Animation.setPlaybackRate). A folding
#: sidebar animates its width for 0.25 s, and every frame of that re-lays out a 40,000 px page; a
#: stylesheet that turns transitions off would cost a full style recalculation of its own.
PLAYBACK_RATE = 1_000_000


async def collect_chapter(site: Site, chapter: str, intro_page: str | None, shots: Path) -> Report:
    """One pass over one cold load of *chapter*: everything test_browser.py asserts about it.

    The load comes from a ``?fw=pytorch`` link with Paddle saved, at 1400 px. There, mid-page:
    PyTorch alone (the link's view), then a note's "Show both", and the pairs; the pairs at 1920;
    at 800 the stacked pairs and the drawers; at 390 the switch mid-page, the figures and the
    drawers; at 1200 the pairs, ☰ folding the sidebar, the switch's Paddle from mid-page, with an
    *intro_page* the saved choice in another tab (once for the book: it is the same script on every
    page), and last the contents drawer. Every view change, resize and drawer opening or closing
    costs a full style recalculation of a long page, so each is done once, in this order (the
    contents drawer last, left open).
    """
    report = Report(chapter)
    origin = site.base_url.rstrip("/")
    saved = {"cookies": [], "origins": [{"origin": origin, "localStorage": [{"name": STORAGE_KEY, "value": SAVED_FW}]}]}

    with report.step("load") as load:
        context = await site.new_context(storage_state=saved)  # cold: an empty cache
        await context.add_init_script(SHIFTS_INIT_JS)
        tab = await site.open(context, chapter, f"?fw={LINK_FW}")
        report.logs.append(tab.log)
        load["readyS"] = round(time.perf_counter() - tab.started, 2)
        load["state"] = await page_state(tab.page)
        load.update(await tab.page.evaluate(LOAD_JS))
        load["requests"] = [(r.url, (await r.sizes())["responseBodySize"]) for r in list(tab.finished)]
    if "load" in report.failed:
        return report
    page = tab.page
    cdp = await context.new_cdp_session(page)
    await cdp.send("Animation.setPlaybackRate", {"playbackRate": PLAYBACK_RATE})

    with report.step("switch 1400") as switch:
        mid = await page.evaluate(MID_PAGE_SWITCH_JS, LINK_FW)  # the middle pair, in the middle of the screen
        switch["mid-page"], switch["pytorch look"] = mid["midPage"], mid["look"]
        target = await click(page, '.fw-hidden-note[data-hidden="paddle"] button', within="__anchor")
        after = await page.evaluate(STATE_LOOK_JS, {"key": STORAGE_KEY, "shown": None})
        switch["show both"] = after["state"]
        switch["show both moved"] = after["anchorTop"] - target["anchorTop"]

    await _layout(page, report, WIDE["width"], shots, formulas=True)
    await _layout(page, report, 1920, shots, formulas=False)

    with report.step("narrow 800") as narrow:
        await resize(page, NARROW["width"], NARROW["height"])
        narrow.update(await _measure_layout(page, overlap=False, formulas=True))
        await _drawers(page, narrow, NARROW["width"])

    with report.step("phone 390") as phone:
        await resize(page, PHONE["width"], PHONE["height"])
        measured = await page.evaluate(PHONE_JS)
        phone["mid-page"], phone["figures"] = measured["midPage"], measured["figures"]
        await _drawers(page, phone, PHONE["width"])

    await _layout(page, report, 1200, shots, formulas=False)

    with report.step("navigation 1200") as navigation:
        await click(page, ".primary-toggle")
        navigation["folded"] = await page.evaluate(SIDEBAR_HIDDEN_JS)
        await click(page, ".primary-toggle")
        navigation["unfolded"] = not await page.evaluate(SIDEBAR_HIDDEN_JS)

    with report.step("switch 1200 paddle") as switch:
        mid = await page.evaluate(MID_PAGE_SWITCH_JS, None)
        if mid["fw"] != "both":  # a step before failed half-way
            await choose(page, "both")
            mid = await page.evaluate(MID_PAGE_SWITCH_JS, None)
        switch["mid-page"] = mid["midPage"]
        await choose(page, "paddle")
        after = await page.evaluate(STATE_LOOK_JS, {"key": STORAGE_KEY, "shown": "paddle"})
        switch["paddle"], switch["paddle look"] = after["state"], after["look"]
        switch["paddle moved"] = after["look"]["top"] - mid["anchorTop"]

    if intro_page:
        with report.step("persistence") as persistence:
            # Saved now: paddle (the last click). A later visit to another page, by a link whose
            # ?fw= is invalid (so it is ignored, and the tab follows the saved choice):
            intro = await site.open(page.context, intro_page, "?fw=PADDLE")
            report.logs.append(intro.log)
            persistence["intro opened"] = await page_state(intro.page)
            await choose(page, "both")  # a click in the chapter reaches the other open tab
            persistence["chapter clicked"] = await page_state(page)
            try:
                await intro.page.wait_for_function(
                    "() => document.documentElement.getAttribute('data-fw') === 'both'", timeout=5000
                )
            except PlaywrightTimeoutError:
                pass
            persistence["intro followed"] = await page_state(intro.page)
            await choose(intro.page, "pytorch")  # the intro's switch saves too
            persistence["intro clicked"] = await page_state(intro.page)

    with report.step("contents 1200") as contents:
        await page.evaluate(RESET_JS)
        target = await click(page, ".secondary-toggle", mid_page=True)
        contents["contents from"] = target["from"]  # opened mid-page
        # left open: the context closes next
        contents["contents"] = await page.evaluate(
            DRAWER_JS, {"selector": DRAWERS[".secondary-toggle"], "close": False}
        )

    await context.close()
    return report


async def collect_no_js(site: Site, chapters: list[str]) -> dict[str, Report]:
    """Each chapter without JavaScript, in one context, at 1400 px."""
    reports = {chapter: Report(chapter) for chapter in chapters}
    context = await site.new_context(java_script_enabled=False)
    tabs = {chapter: await site.open(context, chapter, ready=False) for chapter in chapters}
    for chapter, tab in tabs.items():
        report = reports[chapter]
        report.logs.append(tab.log)
        with report.step("no-js") as result:
            await wait_ready(tab.page, javascript=False)
            result.update(await tab.page.evaluate(NO_JS_JS))
    await context.close()
    return reports


async def collect_others(site: Site, pages: list[str], chapter: str) -> tuple[dict[str, Report], Report]:
    """The pages that are not chapters, then the search page, one after the other in one context
    (each the front tab while it is checked): their search fields and ☰ icon at 1400 px, then 800
    px; the text that Sphinx's search makes a result's snippet from, for *chapter* (no query is
    run: Search.htmlToText is what makes the snippet)."""
    context = await site.new_context()
    reports = {}
    for name in pages:
        report = reports[name] = Report(name)
        with report.step("page") as result:
            tab = await site.open(context, name)
            report.logs.append(tab.log)
            result["fields"] = await tab.page.evaluate(
                "() => Array.from(document.querySelectorAll('.search-button-field'))"
                ".filter((e) => e.checkVisibility()).length"
            )
            result["icon"] = await tab.page.evaluate(
                "() => getComputedStyle(document.querySelector('.fa-bars'), '::before').maskImage || ''"
            )
            await resize(tab.page, NARROW["width"], NARROW["height"])
            await tab.page.close()
    search = Report("search")
    with search.step("snippet") as result:
        tab = await site.open(context, "search")
        search.logs.append(tab.log)
        result["text"] = await tab.page.evaluate(
            "async (url) => Search.htmlToText(await (await fetch(url)).text())", site.url(chapter)
        )
    await context.close()
    return reports, search


async def _collect(
    chromium: Path, args: list[str], base_url: str, chapters: list[str], others: list[str], intro: str, shots: Path
) -> Results:
    start = time.perf_counter()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium), args=args)
        site = Site(browser=browser, base_url=base_url)
        try:
            # all at once: the chapters first, as they take longest
            chapter_reports, no_js, (other_reports, search) = await asyncio.gather(
                asyncio.gather(
                    *(collect_chapter(site, ch, intro if ch == chapters[0] else None, shots) for ch in chapters)
                ),
                collect_no_js(site, chapters),
                collect_others(site, others, chapters[0]),
            )
        finally:
            await browser.close()
    return Results(
        chapters=dict(zip(chapters, chapter_reports, strict=True)),
        no_js=no_js,
        others=other_reports,
        search=search,
        seconds=time.perf_counter() - start,
    )


def collect(
    chromium: Path, args: list[str], base_url: str, chapters: list[str], others: list[str], intro: str, shots: Path
) -> Results:
    """Open every page of the suite at once in one Chromium and record what the tests assert."""
    return asyncio.run(_collect(chromium, args, base_url, chapters, others, intro, shots))
