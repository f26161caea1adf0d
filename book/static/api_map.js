/*
 * The API map's filter (book/api_map.py writes the page, book/appendices.py loads this file on
 * it alone). The page holds an empty <div class="api-map-filter" data-categories="a|b|...">
 * followed by the map's table; this script puts two menus into the div, Chapter and Category,
 * built from the table's own "chapter" and "category" columns, and hides the rows that do not
 * match. A row matches a category when the category is one of its comma-separated categories.
 * The choice is kept in the address (?chapter=...&category=...), so a filtered map can be
 * linked to. Without JavaScript the div stays empty and the whole table shows.
 */
(function () {
  "use strict";

  var ALL = "";

  function columnIndex(table, name) {
    var cells = table.tHead ? table.tHead.rows[0].cells : [];
    for (var i = 0; i < cells.length; i++) {
      if (cells[i].textContent.trim().toLowerCase() === name) return i;
    }
    return -1;
  }

  function tableAfter(marker) {
    var tables = document.querySelectorAll("table");
    for (var i = 0; i < tables.length; i++) {
      if (marker.compareDocumentPosition(tables[i]) & Node.DOCUMENT_POSITION_FOLLOWING) return tables[i];
    }
    return null;
  }

  function categoriesOf(row, column) {
    return row.cells[column].textContent.split(",").map(function (word) {
      return word.trim();
    });
  }

  function menu(id, label, everything, values) {
    var wrapper = document.createElement("label");
    wrapper.className = "api-map-filter__item";
    wrapper.setAttribute("for", id);
    wrapper.appendChild(document.createTextNode(label + " "));
    var select = document.createElement("select");
    select.id = id;
    [[ALL, everything]].concat(values.map(function (v) { return [v, v]; })).forEach(function (pair) {
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      select.appendChild(option);
    });
    wrapper.appendChild(select);
    return {wrapper: wrapper, select: select};
  }

  function fromQuery(name, allowed) {
    try {
      var value = new URLSearchParams(window.location.search).get(name);
      return value && allowed.indexOf(value) !== -1 ? value : ALL;
    } catch (err) {
      return ALL;
    }
  }

  function toQuery(values) {
    try {
      var url = new URL(window.location.href);
      Object.keys(values).forEach(function (key) {
        if (values[key]) url.searchParams.set(key, values[key]);
        else url.searchParams.delete(key);
      });
      window.history.replaceState(window.history.state, "", url.toString());
    } catch (err) {
      /* a sandboxed page: the filter still works, the address stays */
    }
  }

  function wire(marker) {
    var table = tableAfter(marker);
    if (!table || !table.tBodies.length) return;
    var chapterColumn = columnIndex(table, "chapter");
    var categoryColumn = columnIndex(table, "category");
    if (chapterColumn < 0 || categoryColumn < 0) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var chapters = [];
    var used = [];
    rows.forEach(function (row) {
      var chapter = row.cells[chapterColumn].textContent.trim();
      if (chapters.indexOf(chapter) === -1) chapters.push(chapter);
      categoriesOf(row, categoryColumn).forEach(function (c) {
        if (used.indexOf(c) === -1) used.push(c);
      });
    });
    var order = (marker.getAttribute("data-categories") || "").split("|").filter(function (c) {
      return used.indexOf(c) !== -1;
    });
    used.forEach(function (c) {
      if (order.indexOf(c) === -1) order.push(c);
    });

    var chapterMenu = menu("api-map-chapter", "Chapter", "All chapters", chapters);
    var categoryMenu = menu("api-map-category", "Category", "All categories", order);
    var count = document.createElement("output");
    count.className = "api-map-filter__count";
    count.setAttribute("aria-live", "polite");
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "api-map-filter__reset";
    reset.textContent = "Show all";

    function apply() {
      var chapter = chapterMenu.select.value;
      var category = categoryMenu.select.value;
      var shown = 0;
      rows.forEach(function (row) {
        var match = (chapter === ALL || row.cells[chapterColumn].textContent.trim() === chapter) &&
          (category === ALL || categoriesOf(row, categoryColumn).indexOf(category) !== -1);
        row.hidden = !match;
        if (match) shown++;
      });
      count.textContent = shown === rows.length
        ? "All " + rows.length + " pairs"
        : shown + " of " + rows.length + " pairs";
      reset.disabled = chapter === ALL && category === ALL;
    }

    function changed() {
      apply();
      toQuery({chapter: chapterMenu.select.value, category: categoryMenu.select.value});
    }

    chapterMenu.select.value = fromQuery("chapter", chapters);
    categoryMenu.select.value = fromQuery("category", order);
    chapterMenu.select.addEventListener("change", changed);
    categoryMenu.select.addEventListener("change", changed);
    reset.addEventListener("click", function () {
      chapterMenu.select.value = ALL;
      categoryMenu.select.value = ALL;
      changed();
    });
    marker.appendChild(chapterMenu.wrapper);
    marker.appendChild(categoryMenu.wrapper);
    marker.appendChild(reset);
    marker.appendChild(count);
    marker.classList.add("api-map-filter--ready");
    apply();
  }

  function start() {
    var markers = document.querySelectorAll(".api-map-filter");
    for (var i = 0; i < markers.length; i++) wire(markers[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
