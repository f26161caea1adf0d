"""Sphinx extension: show PyTorch and Paddle code cells side by side.

In a chapter notebook a *pair* is a code cell tagged ``pytorch`` immediately
followed by a code cell tagged ``paddle``. MyST-NB renders every code cell as a
``docutils.nodes.container`` with ``nb_element="cell_code"`` and one class
``tag_<tag>`` per cell tag, a sibling of the paragraphs and other cells of its
section. This extension

* wraps each pair in a ``container`` with class ``fw-pair`` (laid out in two
  columns by ``static/side_by_side.css``; no JavaScript needed), followed inside
  the pair by two notes, one per framework, that the CSS shows only when the
  reader's switch hides that framework's cell (so the check cell after the pair
  never silently refers to code the reader cannot see);
* warns, naming the document, about a ``pytorch`` cell that is not immediately
  followed by a ``paddle`` cell and about a lone ``paddle`` cell (the site is
  built with ``-W``, so a broken pair fails the build);
* warns about a figure (an image output of a code cell) without alt text: give
  it one in the cell's metadata, ``"mystnb": {"image": {"alt": "..."}}``;
* marks runs of Chinese characters in the prose as ``lang="zh"`` (the docutils
  class ``language-zh``), so browsers and screen readers use a Chinese font and voice;
* puts the framework switch (Both / PyTorch / Paddle) into the theme's sticky
  article header (``article_header_start``), on every page with a pair and on
  the book's root page, so it can be reached from anywhere in a chapter. It is
  in the HTML from the start (no layout shift); the CSS hides it when
  JavaScript is off, and ``static/side_by_side.js`` wires it;
* stops loading the theme's ``fontawesome.js`` (1.5 MB of JavaScript for about
  sixteen icons): ``static/side_by_side.css`` draws those icons as CSS masks.

The tree logic is in small pure functions (:func:`find_pairs`,
:func:`wrap_pairs`, :func:`mark_chinese`, :func:`figures_without_alt`,
:func:`apply_side_by_side`) that work on plain docutils trees.
:func:`on_doctree_read` connects them to Sphinx when a document is read, and a
document with a broken pair is read again on every build until it is fixed, so
an incremental ``-W`` build cannot pass silently. An edit to the CSS or
JavaScript rewrites every page (:func:`assets_digest`).

:func:`remove_duplicate_scripts` is an unrelated workaround kept here because
this is the book's only extension: Sphinx 7.4 lists sphinx-thebe's inline
script twice, which throws a SyntaxError on every page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from jinja2 import BaseLoader, Environment, TemplateNotFound
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

__version__ = "2.0.0"
#: Bump when the doctree transform changes: Sphinx then re-reads every document instead of
#: reusing doctrees that an older transform produced.
ENV_VERSION = 3

#: The two cell tags that make a pair, in reading order.
PYTORCH = "pytorch"
PADDLE = "paddle"
#: How the notes and the switch name the frameworks.
FRAMEWORK_NAMES = {PYTORCH: "PyTorch", PADDLE: "Paddle"}

#: Class of the container that holds one pair.
PAIR_CLASS = "fw-pair"
#: Class of the switch's HTML element.
SWITCH_CLASS = "fw-switch"
#: Class of the note that stands in for a cell the switch hides.
NOTE_CLASS = "fw-hidden-note"

#: Folder with ``side_by_side.css`` and ``side_by_side.js``.
STATIC_DIR = Path(__file__).parent / "static"
CSS_FILE = "side_by_side.css"
JS_FILE = "side_by_side.js"

#: Name of the switch's template in the theme's article header.
SWITCH_TEMPLATE = "fw-switch.html"
#: The template context flag that shows the switch on a page.
SWITCH_CONTEXT = "fw_switch"

#: The switch: a labelled group of toggle buttons, in the HTML from the start (its room is
#: there at first paint). The CSS hides it without JavaScript, which it needs; the pressed
#: look follows ``<html data-fw>``, set before first paint, and the script keeps
#: ``aria-pressed`` in step.
SWITCH_HTML = (
    f'<div class="{SWITCH_CLASS}" role="group" aria-label="Framework">\n'
    '<button type="button" data-fw="both" aria-pressed="true">Both</button>\n'
    '<button type="button" data-fw="pytorch" aria-pressed="false">PyTorch</button>\n'
    '<button type="button" data-fw="paddle" aria-pressed="false">Paddle</button>\n'
    "</div>\n"
)
SWITCH_TEMPLATE_SOURCE = "{% if " + SWITCH_CONTEXT + " %}" + SWITCH_HTML + "{% endif %}"

#: The theme template that loads ``fontawesome.js``; served without that script tag.
WEBPACK_MACROS = "static/webpack-macros.html"
_FONTAWESOME_SCRIPT = re.compile(r"[ \t]*<script[^>]*fontawesome\.js[^>]*></script>\n?")

#: Runs of Chinese characters (CJK ideographs with CJK and full-width punctuation).
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
#: The docutils class that HTML writers turn into ``lang="zh"``.
CHINESE_CLASS = "language-zh"
#: Text under these nodes is code or markup, not prose.
_NOT_PROSE = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.raw, nodes.comment)

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


def hidden_note(framework: str) -> nodes.raw:
    """The note that stands in for *framework*'s cell of a pair when the switch hides it.

    The CSS shows it only in the one-framework view that hides *framework*; its button
    shows both frameworks again.
    """
    name = FRAMEWORK_NAMES[framework]
    html = (
        f'<p class="{NOTE_CLASS}" data-hidden="{framework}">'
        f"{name}\u2019s cell of this pair is hidden by the framework switch; "
        "the check below still runs both. "
        '<button type="button" data-fw="both">Show both</button></p>\n'
    )
    return nodes.raw("", html, format="html")


def wrap_pair(pytorch_cell: nodes.Element, paddle_cell: nodes.Element) -> nodes.container:
    """Replace two sibling cells by one ``fw-pair`` container holding both and their notes."""
    parent = pytorch_cell.parent
    if parent is None or paddle_cell.parent is not parent:
        raise ValueError("the cells of a pair must be siblings")
    pair = nodes.container(classes=[PAIR_CLASS])
    pair.source, pair.line = pytorch_cell.source, pytorch_cell.line
    parent.replace(pytorch_cell, pair)
    parent.remove(paddle_cell)
    pair += [pytorch_cell, paddle_cell, hidden_note(PYTORCH), hidden_note(PADDLE)]
    return pair


def wrap_pairs(root: nodes.Node, docname: str = "<document>") -> tuple[int, list[PairProblem]]:
    """Wrap every pair under *root*; return ``(number of pairs, problems)``."""
    pairs, problems = find_pairs(root, docname)
    for pytorch_cell, paddle_cell in pairs:
        wrap_pair(pytorch_cell, paddle_cell)
    return len(pairs), problems


def has_pairs(root: nodes.Node) -> bool:
    """Return True if *root* holds a wrapped pair."""
    return any(PAIR_CLASS in node["classes"] for node in root.findall(nodes.container))


def _is_prose_text(node: nodes.Node) -> bool:
    if not isinstance(node, nodes.Text):
        return False
    parent = node.parent
    while parent is not None:
        if isinstance(parent, _NOT_PROSE) or is_code_cell(parent):
            return False
        parent = parent.parent
    return True


def mark_chinese(root: nodes.Node) -> int:
    """Wrap each run of Chinese characters in prose in an inline ``language-zh``; return how many."""
    count = 0
    for text in list(root.findall(_is_prose_text)):
        assert isinstance(text, nodes.Text)
        value = str(text)
        if not CJK_RUN.search(value) or text.parent is None:
            continue
        if isinstance(text.parent, nodes.inline) and CHINESE_CLASS in text.parent["classes"]:
            continue
        pieces: list[nodes.Node] = []
        position = 0
        for match in CJK_RUN.finditer(value):
            if match.start() > position:
                pieces.append(nodes.Text(value[position : match.start()]))
            pieces.append(nodes.inline(match.group(), match.group(), classes=[CHINESE_CLASS]))
            count += 1
            position = match.end()
        if position < len(value):
            pieces.append(nodes.Text(value[position:]))
        text.parent.replace(text, pieces)
    return count


def figures_without_alt(root: nodes.Node, docname: str = "<document>") -> list[PairProblem]:
    """One problem per image output of a code cell that has no alt text."""
    problems = []
    for cell in root.findall(is_code_cell):
        assert isinstance(cell, nodes.Element)
        for image in cell.findall(nodes.image):
            if not str(image.get("alt", "")).strip():
                message = (
                    f"{docname}: {_cell_label(cell)} shows a figure without alt text; describe it in "
                    'the cell\'s metadata: "mystnb": {"image": {"alt": "..."}}'
                )
                problems.append(PairProblem(image, message))
    return problems


def apply_side_by_side(document: nodes.Element, docname: str = "<document>") -> list[PairProblem]:
    """Wrap the pairs of *document*, mark its Chinese terms and check its figures' alt text.

    Returns the problems found; the caller turns them into warnings.
    """
    _, problems = wrap_pairs(document, docname)
    mark_chinese(document)
    return problems + figures_without_alt(document, docname)


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


def add_switch_to_header(app: Sphinx, config: Config) -> None:
    """Put :data:`SWITCH_TEMPLATE` after the sidebar button in the theme's article header (once)."""
    options = dict(config.html_theme_options or {})
    start = options.get("article_header_start", "toggle-primary-sidebar.html")
    items = [item.strip() for item in start.split(",")] if isinstance(start, str) else list(start)
    if SWITCH_TEMPLATE not in items:
        items.append(SWITCH_TEMPLATE)
    options["article_header_start"] = items
    config.html_theme_options = options


def theme_webpack_macros() -> str | None:
    """The theme's ``webpack-macros.html`` without the script tag of ``fontawesome.js``."""
    try:
        import pydata_sphinx_theme
    except ImportError:  # pragma: no cover - the book always has the theme
        return None
    path = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / WEBPACK_MACROS
    if not path.is_file():
        return None
    return _FONTAWESOME_SCRIPT.sub("", path.read_text(encoding="utf-8"))


class OverlayLoader(BaseLoader):
    """Templates this extension provides, looked up before the theme's own."""

    def __init__(self, sources: dict[str, Callable[[], str | None]]) -> None:
        self.sources = sources

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        make = self.sources.get(template)
        source = make() if make else None
        if source is None:
            raise TemplateNotFound(template)
        return source, None, lambda: True


def overlay_templates() -> OverlayLoader:
    """The switch's template and the theme's macros without ``fontawesome.js``."""
    return OverlayLoader({SWITCH_TEMPLATE: lambda: SWITCH_TEMPLATE_SOURCE, WEBPACK_MACROS: theme_webpack_macros})


def install_templates(app: Sphinx) -> None:
    """Put :func:`overlay_templates` first in the HTML builder's template loaders."""
    templates = getattr(app.builder, "templates", None)
    loaders = getattr(templates, "loaders", None)
    if templates is None or loaders is None:
        return  # not an HTML builder
    if not any(isinstance(loader, OverlayLoader) for loader in loaders):
        loaders.insert(0, overlay_templates())
        # '!name' lookups skip the project's own templates; ours count as those.
        templates.templatepathlen = getattr(templates, "templatepathlen", 0) + 1


def page_has_switch(doctree: nodes.Node | None, pagename: str, root_doc: str) -> bool:
    """The switch shows on the pages with pairs and on the book's root page."""
    return pagename == root_doc or (doctree is not None and has_pairs(doctree))


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Tell the switch's template whether to show it; drop Sphinx 7.4's duplicate scripts."""
    context[SWITCH_CONTEXT] = page_has_switch(doctree, pagename, app.config.root_doc)
    remove_duplicate_scripts(app, pagename, templatename, context, doctree)


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
    """Register the event handlers, the templates and the static files."""
    app.add_config_value("side_by_side_assets_digest", assets_digest(), "html", types=[str])
    app.connect("config-inited", add_static_path)
    app.connect("config-inited", add_switch_to_header)
    app.connect("builder-inited", install_templates)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("html-page-context", on_html_page_context)
    app.add_css_file(CSS_FILE)
    # No ``defer``/``async``: the script must set <html data-fw> before first paint.
    app.add_js_file(JS_FILE)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
