"""``python -m book.drift``: run the chapters under other releases, update the report and the page.

    python -m book.drift                        # every default release (book.drift.releases)
    python -m book.drift --extra paddlepaddle==3.4.0    # ... and one more (make drift RELEASE=...)
    python -m book.drift --only torch==2.14.1   # just this release; the others' entries stay
    python -m book.drift --chapters chapters/pooling.ipynb   # just these chapters
    python -m book.drift --page                 # only rewrite the page from the report

Releases run one after the other, each kernel on one thread. The pinned releases are the stored
outputs themselves (strict nbval checks them), so they are not run unless named with ``--only``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from book.drift import outputs, page, releases, report
from book.drift.releases import Release
from book.drift.run import chapter_drift


def run_release(release: Release, chapters: list[str], data: dict, cache: Path | None) -> None:
    """Install (once) and run ``release`` on ``chapters``; record it in ``data``."""
    entry = report.release_entry(data, release.package, release.version)
    start = time.perf_counter()
    overlay = None if release.pinned else releases.install(release, cache)
    env = releases.kernel_env(overlay, report.ROOT)
    try:
        entry["imported"] = releases.installed_version(release, env)
        entry["error"] = None
    except RuntimeError as error:
        entry.update(imported=None, error=str(error), chapters={})
        print(f"{release.label}: {error}", flush=True)
        return
    for name in chapters:
        result = chapter_drift(report.ROOT / f"{name}.ipynb", env)
        entry["chapters"][name] = result
        kinds = [change["kind"] for change in result["changes"]]
        print(
            f"{release.label} {name}: {len(kinds)} changed cells "
            f"({kinds.count('raises')} raise, {kinds.count('check fails')} failed checks) "
            f"in {result['seconds']:.0f} s",
            flush=True,
        )
    entry["seconds"] = round(sum(c["seconds"] for c in entry["chapters"].values()), 1)
    print(f"{release.label}: {time.perf_counter() - start:.0f} s in all (install included)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", type=Release.parse, default=[], help="run just this release")
    parser.add_argument("--extra", action="append", type=Release.parse, default=[], help="run this one too")
    parser.add_argument("--chapters", nargs="+", type=Path, help="run just these notebooks")
    parser.add_argument("--page", action="store_true", help="only rewrite the page from the report")
    parser.add_argument("--cache", type=Path, help="where releases are installed (default: $DRIFT_CACHE)")
    args = parser.parse_args(argv)

    book_chapters = report.toc_chapters()
    data = report.load() or report.empty(releases.pinned())
    if not args.page:
        if data["pinned"] != releases.pinned():  # a new pin: every entry is stale
            data = report.empty(releases.pinned())
        chosen = args.only or [*releases.default_releases(), *args.extra]
        names = [str(p.with_suffix("")) for p in args.chapters] if args.chapters else book_chapters
        names = [str(Path(n).resolve().relative_to(report.ROOT)) if Path(n).is_absolute() else n for n in names]
        start = time.perf_counter()
        for name in names:
            notebook = outputs.read(report.ROOT / f"{name}.ipynb")
            data["chapters"][name] = {"title": outputs.title(notebook), "digest": outputs.digest(notebook)}
        for release in sorted(set(chosen), key=Release.sort_key):
            run_release(release, names, data, args.cache)
            report.prune(data, book_chapters)
            report.save(data)  # after each release, so that an interrupted run keeps what it did
        print(f"drift: {len(chosen)} releases x {len(names)} chapters in {time.perf_counter() - start:.0f} s")
    report.prune(data, book_chapters)
    data["releases"].sort(key=lambda e: Release(e["package"], e["version"]).sort_key())
    report.save(data)
    page.PAGE.write_text(page.render(data), encoding="utf-8")
    print(f"wrote {report.REPORT.relative_to(report.ROOT)} and {page.PAGE.relative_to(report.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
