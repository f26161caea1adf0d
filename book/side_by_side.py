"""Sphinx extension: show PyTorch and Paddle code cells side by side.

In a chapter notebook a *pair* is a code cell tagged ``pytorch`` immediately
followed by a code cell tagged ``paddle``. MyST-NB renders every code cell as a
``docutils.nodes.container`` with ``nb_element="cell_code"`` and one class
``tag_<tag>`` per cell tag, a sibling of the paragraphs and other cells of its
section. This extension

* wraps each pair in a ``container`` with class ``fw-pair`` (laid out in two
  columns by ``static/side_by_side.css``; no JavaScript needed);
* warns, naming the document, about a ``pytorch`` cell that is not immediately
  followed by a ``paddle`` cell and about a lone ``paddle`` cell (the site is
  built with ``-W``, so a broken pair fails the build);
* puts the framework switch (Both / PyTorch / Paddle) after the title of every
  page that has a pair. The switch is rendered ``hidden``;
  ``static/side_by_side.js`` reveals and wires it, so readers without
  JavaScript simply see both frameworks.

The tree logic is in small pure functions (:func:`find_pairs`,
:func:`wrap_pairs`, :func:`insert_switch`, :func:`apply_side_by_side`) that work
on plain docutils trees. :func:`on_doctree_read` connects them to Sphinx when a
document is read, and a document with a broken pair is read again on every
build until it is fixed, so an incremental ``-W`` build cannot pass silently.
An edit to the CSS or JavaScript rewrites every page (:func:`assets_digest`).

:func:`remove_duplicate_scripts` is an unrelated workaround kept here because
this is the book's only extension: Sphinx 7.4 lists sphinx-thebe's inline
script twice, which throws a SyntaxError on every page.
"""

from __future__ import annotations

from collections.abc import Iterable
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

__version__ = "1.1.0"
#: Bump when the doctree transform changes: Sphinx then re-reads every document instead of
#: reusing doctrees that an older transform produced.
ENV_VERSION = 2

#: The two cell tags that make a pair, in reading order.
PYTORCH = "pytorch"
PADDLE = "paddle"

#: Class of the container that holds one pair.
PAIR_CLASS = "fw-pair"
#: sphinx-book-theme's class for content wider than the text column: on a wide screen the
#: pair spreads under the on-this-page sidebar, which the theme folds away while a pair
#: is in view (the reader gets it back by hovering). Our CSS applies it from 1200px only.
WIDE_CLASS = "full-width"
#: Class of the switch's HTML element.
SWITCH_CLASS = "fw-switch"

#: Folder with ``side_by_side.css`` and ``side_by_side.js``.
STATIC_DIR = Path(__file__).parent / "static"
CSS_FILE = "side_by_side.css"
JS_FILE = "side_by_side.js"

#: The switch: a labelled group of toggle buttons. ``hidden`` until the script
#: runs, because without JavaScript it cannot work.
SWITCH_HTML = (
    f'<div class="{SWITCH_CLASS}" role="group" aria-label="Framework" hidden>\n'
    '<button type="button" data-fw="both" aria-pressed="true">Both</button>\n'
    '<button type="button" data-fw="pytorch" aria-pressed="false">PyTorch</button>\n'
    '<button type="button" data-fw="paddle" aria-pressed="false">Paddle</button>\n'
    "</div>\n"
)

#: Attribute of the build environment: docnames whose pairs are broken.
ENV_BROKEN_DOCS = "side_by_side_broken_docs"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairProblem:
    """A tagged cell that should be part of a pair but is not."""

    node: nodes.Element
    message: str


# ---------------------------------------------------------------------------
# Pure functions on docutils trees
# ---------------------------------------------------------------------------


def is_code_cell(node: nodes.Node) -> bool:
    """Return True if *node* is a MyST-NB code cell container."""
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


def cell_frameworks(node: nodes.Node) -> set[str]:
    """Return the frameworks (``pytorch``, ``paddle``) a code cell is tagged with."""
    if not is_code_cell(node):
        return set()
    assert isinstance(node, nodes.Element)
    classes = node.get("classes", [])
    return {fw for fw in (PYTORCH, PADDLE) if f"tag_{fw}" in classes}


def _next_sibling(node: nodes.Element) -> nodes.Node | None:
    """Return the node right after *node* in its parent, or None."""
    parent = node.parent
    if parent is None:
        return None
    index = parent.index(node)
    return parent[index + 1] if index + 1 < len(parent) else None


def _cell_label(node: nodes.Element) -> str:
    """Describe a cell for a warning, e.g. ``code cell 4 (0-based)``."""
    index = node.get("cell_index")
    return "code cell" if index is None else f"code cell {index} (0-based)"


def find_pairs(
    root: nodes.Node, docname: str = "<document>"
) -> tuple[list[tuple[nodes.Element, nodes.Element]], list[PairProblem]]:
    """Find the pairs under *root* and the tagged cells that break the contract.

    Returns ``(pairs, problems)``: ``pairs`` holds ``(pytorch_cell,
    paddle_cell)`` in document order; ``problems`` holds one entry, with a
    message naming *docname*, per tagged cell that is not part of a pair.
    """
    pairs: list[tuple[nodes.Element, nodes.Element]] = []
    problems: list[PairProblem] = []
    paired: list[nodes.Node] = []  # paddle cells already in a pair
    for node in root.findall(is_code_cell):
        assert isinstance(node, nodes.Element)
        frameworks = cell_frameworks(node)
        if not frameworks or any(node is cell for cell in paired):
            continue
        label = _cell_label(node)
        if frameworks == {PYTORCH, PADDLE}:
            message = f"{docname}: {label} is tagged both 'pytorch' and 'paddle'"
        elif frameworks == {PADDLE}:
            message = (
                f"{docname}: {label} is tagged 'paddle' but does not directly "
                "follow a code cell tagged 'pytorch'"
            )
        else:
            partner = _next_sibling(node)
            if partner is not None and cell_frameworks(partner) == {PADDLE}:
                assert isinstance(partner, nodes.Element)
                pairs.append((node, partner))
                paired.append(partner)
                continue
            message = (
                f"{docname}: {label} is tagged 'pytorch' but is not directly "
                "followed by a code cell tagged 'paddle'"
            )
        problems.append(PairProblem(node, message))
    return pairs, problems


def wrap_pair(pytorch_cell: nodes.Element, paddle_cell: nodes.Element) -> nodes.container:
    """Replace two sibling cells by one ``fw-pair`` container holding both."""
    parent = pytorch_cell.parent
    if parent is None or paddle_cell.parent is not parent:
        raise ValueError("the cells of a pair must be siblings")
    pair = nodes.container(classes=[PAIR_CLASS, WIDE_CLASS])
    pair.source, pair.line = pytorch_cell.source, pytorch_cell.line
    parent.replace(pytorch_cell, pair)
    parent.remove(paddle_cell)
    pair += [pytorch_cell, paddle_cell]
    return pair


def wrap_pairs(root: nodes.Node, docname: str = "<document>") -> tuple[int, list[PairProblem]]:
    """Wrap every pair under *root*; return ``(number of pairs, problems)``."""
    pairs, problems = find_pairs(root, docname)
    for pytorch_cell, paddle_cell in pairs:
        wrap_pair(pytorch_cell, paddle_cell)
    return len(pairs), problems


def make_switch() -> nodes.raw:
    """Return the framework switch as a raw HTML node (other builders skip it)."""
    return nodes.raw("", SWITCH_HTML, format="html")


def insert_switch(document: nodes.Element, switch: nodes.Node | None = None) -> nodes.Node:
    """Insert *switch* (default: :func:`make_switch`) right after the page title.

    The title is the first ``title`` of the first top-level ``section``; a page
    without one gets the switch at the very top. Returns the inserted node.
    """
    switch = make_switch() if switch is None else switch
    section = next((child for child in document.children if isinstance(child, nodes.section)), None)
    if section is not None:
        title = next((child for child in section.children if isinstance(child, nodes.title)), None)
        if title is not None:
            section.insert(section.index(title) + 1, switch)
            return switch
    document.insert(0, switch)
    return switch


def apply_side_by_side(document: nodes.Element, docname: str = "<document>") -> list[PairProblem]:
    """Wrap the pairs of *document* and, if it has any, insert the switch.

    Returns the problems found; the caller turns them into warnings.
    """
    count, problems = wrap_pairs(document, docname)
    if count:
        insert_switch(document)
    return problems


def script_key(script: Any) -> tuple[str, int, tuple[tuple[str, str], ...]]:
    """Identify a page script by file name (``None`` and ``""`` alike), priority, attributes."""
    attributes = getattr(script, "attributes", None) or {}
    return (
        getattr(script, "filename", script) or "",
        getattr(script, "priority", 500),
        tuple(sorted((str(key), str(value)) for key, value in attributes.items())),
    )


def dedupe_scripts(scripts: Iterable[Any]) -> list[Any]:
    """Return *scripts* without repeats (see :func:`script_key`), keeping the first of each."""
    seen: set[tuple[str, int, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for script in scripts:
        key = script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    return unique


# ---------------------------------------------------------------------------
# Sphinx glue
# ---------------------------------------------------------------------------


def broken_docs(env: BuildEnvironment) -> set[str]:
    """Return (creating it if needed) the set of docnames with broken pairs."""
    if not hasattr(env, ENV_BROKEN_DOCS):
        setattr(env, ENV_BROKEN_DOCS, set())
    docs: set[str] = getattr(env, ENV_BROKEN_DOCS)
    return docs


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Apply :func:`apply_side_by_side` to a freshly read document; warn about broken pairs."""
    env = app.env
    docname = env.docname
    problems = apply_side_by_side(doctree, str(env.doc2path(docname, False)))
    for problem in problems:
        logger.warning(problem.message, location=problem.node, type="side_by_side", subtype="pair")
    if problems:
        broken_docs(env).add(docname)
    else:
        broken_docs(env).discard(docname)


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget a document that is about to be re-read or was removed."""
    broken_docs(env).discard(docname)


def on_env_merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    """Merge what a parallel reader found."""
    broken_docs(env).update(broken_docs(other) & set(docnames))


def on_env_get_outdated(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """Read documents with broken pairs again, so their warnings come back every build."""
    return sorted(broken_docs(env) - set(removed))


def assets_digest() -> str:
    """Return a short digest of the CSS and JavaScript files.

    It is the default of the config value ``side_by_side_assets_digest``, so an
    edit to either file changes the config and rewrites every page; otherwise an
    incremental build with no changed document copies no static files at all.
    """
    digest = hashlib.sha256()
    for name in (CSS_FILE, JS_FILE):
        digest.update((STATIC_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def add_static_path(app: Sphinx, config: Config) -> None:
    """Add ``book/static`` to ``html_static_path`` (once)."""
    static = str(STATIC_DIR)
    if static not in config.html_static_path:
        config.html_static_path.append(static)


def remove_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Drop inline scripts that Sphinx 7.4 lists twice on every page.

    A workaround, not part of the side-by-side view: an inline script added
    after the builder starts (sphinx-thebe's ``const THEBE_JS_URL = ...``) is
    listed once with file name ``None`` and once with ``""``, and the second
    ``const`` declaration throws a SyntaxError in the browser on every page.
    """
    if "script_files" in context:
        context["script_files"] = dedupe_scripts(context["script_files"])


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the event handlers and the static files."""
    app.add_config_value("side_by_side_assets_digest", assets_digest(), "html", types=[str])
    app.connect("config-inited", add_static_path)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("html-page-context", remove_duplicate_scripts)
    app.add_css_file(CSS_FILE)
    # No ``defer``/``async``: the script must set <html data-fw> before first paint.
    app.add_js_file(JS_FILE)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
