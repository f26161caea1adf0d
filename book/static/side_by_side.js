/*
 * Framework switch for the side-by-side view (see book/side_by_side.py).
 *
 * Loaded in <head> without `defer`, so the chosen framework is set on
 * <html data-fw="both|pytorch|paddle"> before the first paint; the CSS does the
 * rest. Precedence: URL query `?fw=` (also saved), then localStorage, then
 * "both". The switch buttons are wired on DOMContentLoaded.
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

  function choose(value) {
    if (!isChoice(value)) return;
    store(value);
    show(value);
  }

  // Before first paint.
  var initial = fromQuery();
  if (initial) {
    store(initial);
  } else {
    initial = loadStored() || "both";
  }
  root.setAttribute("data-fw", initial);

  function wire() {
    var switches = document.querySelectorAll(".fw-switch");
    for (var i = 0; i < switches.length; i++) {
      switches[i].addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("button[data-fw]") : null;
        if (button) choose(button.getAttribute("data-fw"));
      });
      switches[i].removeAttribute("hidden");
    }
    apply(root.getAttribute("data-fw") || "both");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }

  // Another tab changed the choice.
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY && isChoice(event.newValue)) show(event.newValue);
  });

  // Back/forward cache: the reader may have chosen on another page since.
  window.addEventListener("pageshow", function (event) {
    var stored = event.persisted ? loadStored() : null;
    if (stored && stored !== root.getAttribute("data-fw")) show(stored);
  });
})();
