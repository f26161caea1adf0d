"""The committed drift report, ``chapters/drift_report.json``: what each release changes.

Layout::

    {"command": "python -m book.drift", "pinned": {"torch": "2.13.0", "paddlepaddle": "3.3.1"},
     "chapters": {"chapters/pooling": {"title": "Pooling", "digest": "..."}},
     "releases": [{"package": "paddlepaddle", "version": "3.0.0", "imported": "3.0.0",
                   "seconds": 301.2, "error": null,
                   "chapters": {"chapters/pooling": {"seconds": 95.1, "changes": [...]}}}]}

``digest`` (:func:`book.drift.outputs.digest`) is that of the chapter as it was run; each change
is one entry of :func:`book.drift.run.changes`. A run of some releases or some chapters replaces
those entries and keeps the others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "chapters" / "drift_report.json"
COMMAND = "python -m book.drift"


def toc_chapters(root: Path = ROOT) -> list[str]:
    """The notebooks of ``_toc.yml``, in order, as ``chapters/<name>`` (no suffix)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("file"), str) and (root / f"{node['file']}.ipynb").is_file():
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    walk(child)

    walk(toc)
    return found


def empty(pinned: dict[str, str]) -> dict[str, Any]:
    return {"command": COMMAND, "pinned": pinned, "chapters": {}, "releases": []}


def load(path: Path = REPORT) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def save(report: dict[str, Any], path: Path = REPORT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def release_entry(report: dict[str, Any], package: str, version: str) -> dict[str, Any]:
    """The report's entry for one release, added (in release order) when missing."""
    for entry in report["releases"]:
        if (entry["package"], entry["version"]) == (package, version):
            return entry
    entry = {"package": package, "version": version, "imported": None, "seconds": 0.0, "error": None, "chapters": {}}
    report["releases"].append(entry)
    return entry


def prune(report: dict[str, Any], chapters: list[str]) -> None:
    """Drop chapters that are no longer in the book, and keep the chapters in book order."""
    order = {name: i for i, name in enumerate(chapters)}
    report["chapters"] = {
        k: v for k, v in sorted(report["chapters"].items(), key=lambda kv: order.get(kv[0], 0)) if k in order
    }
    for entry in report["releases"]:
        entry["chapters"] = {
            k: v for k, v in sorted(entry["chapters"].items(), key=lambda kv: order.get(kv[0], 0)) if k in order
        }
