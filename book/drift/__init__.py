"""Version drift: run every chapter under other framework releases and record what changes.

The book's stored outputs are a record of how the pinned releases behave. ``make drift`` (the
command ``python -m book.drift``) re-runs every chapter of ``_toc.yml`` under other releases,
one release at a time and one framework at a time (the other stays pinned), and compares each
code cell's text output with the stored one, as strict nbval does:

* :mod:`book.drift.releases` names the releases and installs each one once into a cache
  folder, overlaid on the book's ``.venv`` with ``PYTHONPATH`` (``pip install --no-deps
  --target``, plus whatever requirement the venv does not meet);
* :mod:`book.drift.outputs` reads a notebook's cells: their text output, their section, and
  whether a cell is a check (a stored ``PASS`` line);
* :mod:`book.drift.run` executes a chapter in a fresh kernel and lists the cells whose output
  changed, the checks that fail and the cells that raise;
* :mod:`book.drift.report` keeps the committed report, ``chapters/drift_report.json``;
* :mod:`book.drift.page` writes the appendix "Which releases behave how"
  (``chapters/appendix_releases.md``) from that report.

A unit test keeps the page in step with the report, and the report in step with the
chapters' stored outputs, so a changed chapter asks for a new ``make drift``.
"""
