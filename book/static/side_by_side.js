/*
 * Framework switch for the side-by-side view (see book/side_by_side.py).
 *
 * Loaded in <head> without `defer`, so the chosen framework is set on
 * <html data-fw="both|pytorch|paddle"> before the first paint; the CSS does the
 * rest (the switch is in the HTML already, so nothing moves when this runs).
 * Precedence: URL query `?fw=` (for this page only: a shared link does not
 * overwrite the reader's saved choice), then localStorage, then "both". A click
 * on the switch (or on a "Show both" note) saves the choice.
 *
 * Two fixes for the theme, unrelated to the switch, also live here:
 * - navigation drawers: pydata-sphinx-theme 0.17 and sphinx-book-theme 1.3 wire
 *   their drawer and sidebar handlers to the FIRST `.primary-toggle` /
 *   `.secondary-toggle` of the page, a button in a header that the book theme
 *   never shows; the visible buttons did nothing (pydata-sphinx-theme #2451,
 *   sphinx-book-theme #865). A click on a visible button is handed to the
 *   wired one, unless a handler of the theme already took it.
 * - search snippets: Sphinx builds them from the page's text; drop the
 *   contents list, the raw TeX of the formulas and the switch from it.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "layers-sbs-fw";
  var CHOICES = ["both", "pytorch", "paddle"];
  var root = document.documentElement;

  function isChoice(value) {
    return CHOICES.indexOf(value) !== -1;
  }

  function loadStored() {
    try {
      var value = window.localStorage.getItem(STORAGE_KEY);
      return isChoice(value) ? value : null;
    } catch (err) {
      return null; // storage disabled or blocked
    }
  }

  function store(value) {
    try {
      window.localStorage.setItem(STORAGE_KEY, value);
    } catch (err) {
      /* storage disabled or full: the choice lasts for this page only */
    }
  }

  function fromQuery() {
    try {
      var value = new URLSearchParams(window.location.search).get("fw");
      return isChoice(value) ? value : null;
    } catch (err) {
      return null;
    }
  }

  function apply(value) {
    root.setAttribute("data-fw", value);
    var buttons = document.querySelectorAll(".fw-switch button[data-fw]");
    for (var i = 0; i < buttons.length; i++) {
      var pressed = buttons[i].getAttribute("data-fw") === value;
      buttons[i].setAttribute("aria-pressed", pressed ? "true" : "false");
    }
  }

  /* Keep a `?fw=` in the address bar in step with a click, so a reload or a
   * shared link shows what the reader chose. */
  function syncQuery(value) {
    try {
      var url = new URL(window.location.href);
      if (url.searchParams.has("fw")) {
        url.searchParams.set("fw", value);
        window.history.replaceState(window.history.state, "", url.toString());
      }
    } catch (err) {
      /* old browser or sandboxed page: leave the URL alone */
    }
  }

  function show(value) {
    syncQuery(value);
    apply(value);
  }

  /* A click: save, show, and keep what the reader was looking at in place. */
  function choose(value, button) {
    if (!isChoice(value)) return;
    var anchor = button && button.closest ? button.closest(".fw-pair") : null;
    if (!anchor && document.elementFromPoint) {
      var middle = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 2);
      anchor = middle && middle.closest
        ? middle.closest(".fw-pair") || middle.closest(".cell, p, li, h1, h2, h3, h4, section")
        : null;
    }
    var before = anchor ? anchor.getBoundingClientRect().top : 0;
    store(value);
    show(value);
    if (anchor) window.scrollBy({ top: anchor.getBoundingClientRect().top - before, behavior: "instant" });
  }

  // Before first paint.
  root.setAttribute("data-fw", fromQuery() || loadStored() || "both");

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("button[data-fw]") : null;
    if (button && button.closest(".fw-switch, .fw-hidden-note")) {
      choose(button.getAttribute("data-fw"), button);
    }
  });

  /* ---- Navigation drawers: hand a click on a visible toggle to the wired one ---- */
  function fixToggles() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (selector) {
      var buttons = document.querySelectorAll(selector);
      var wired = buttons[0];
      for (var i = 1; i < buttons.length; i++) {
        buttons[i].addEventListener("click", function (event) {
          if (event.defaultPrevented) return; // the theme handled this button itself
          event.preventDefault();
          wired.click();
        });
      }
    });
  }

  /* ---- Search snippets without the contents list, TeX or the switch ---- */
  var SNIPPET_NOISE = [".headerlink", "script", "style", "nav", ".toctree-wrapper", ".math",
    "mjx-container", ".fw-switch", ".fw-hidden-note", ".bd-toc", ".cell_output"];

  function fixSearchSnippets() {
    // searchtools.js declares `const Search`, a global binding but no property of window
    var search = typeof Search !== "undefined" ? Search : window.Search; // eslint-disable-line no-undef
    if (!search || typeof search.htmlToText !== "function" || search.htmlToText.fwClean) return;
    var original = search.htmlToText;
    var clean = function (htmlString, anchor) {
      try {
        var doc = new DOMParser().parseFromString(htmlString, "text/html");
        doc.querySelectorAll(SNIPPET_NOISE.join(",")).forEach(function (el) {
          el.remove();
        });
        var main = doc.querySelector('[role="main"]');
        var part = main && anchor ? main.querySelector(anchor) : null;
        var text = (part || main || doc.body).textContent || "";
        return text.replace(/\s+/g, " ").trim();
      } catch (err) {
        return original(htmlString, anchor);
      }
    };
    clean.fwClean = true;
    search.htmlToText = clean;
  }

  function wire() {
    apply(root.getAttribute("data-fw") || "both");
    fixToggles();
    fixSearchSnippets();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }

  // Another tab changed the choice.
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY && isChoice(event.newValue) && !fromQuery()) show(event.newValue);
  });

  // Back/forward cache: the reader may have chosen on another page since.
  window.addEventListener("pageshow", function (event) {
    var stored = event.persisted && !fromQuery() ? loadStored() : null;
    if (stored && stored !== root.getAttribute("data-fw")) show(stored);
  });
})();
