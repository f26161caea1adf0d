"""Unit tests of book.side_by_side on hand-built docutils trees (no Sphinx build)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from book import side_by_side as sbs

# --- helpers ----------------------------------------------------------------------------------

NO_APP: Any = None  # handlers that ignore their Sphinx app



def cell(index: int, *tags: str) -> nodes.container:
    """A code cell as MyST-NB renders it: a container with nb_element and tag_ classes."""
    node = nodes.container(
        nb_element="cell_code",
        cell_index=index,
        classes=["cell", *(f"tag_{tag}" for tag in tags)],
    )
    node += nodes.literal_block("", f"print({index})")
    return node


def document(*children: nodes.Node, title: str | None = "Chapter") -> nodes.document:
    """A document with one section (titled, unless title is None) holding *children*."""
    doc = new_document("test", get_default_settings(Parser))
    section = nodes.section(ids=["chapter"])
    if title is not None:
        section += nodes.title("", title)
    section += list(children)
    doc += section
    return doc


def para(text: str = "Some prose.") -> nodes.paragraph:
    return nodes.paragraph("", text)


def pairs_in(doc: nodes.Node) -> list[nodes.container]:
    return [n for n in doc.findall(nodes.container) if sbs.PAIR_CLASS in n["classes"]]


# --- cell classification ----------------------------------------------------------------------


def test_is_code_cell() -> None:
    assert sbs.is_code_cell(cell(0))
    assert not sbs.is_code_cell(nodes.container(classes=["cell"]))
    assert not sbs.is_code_cell(para())


def test_cell_frameworks() -> None:
    assert sbs.cell_frameworks(cell(0, "pytorch")) == {"pytorch"}
    assert sbs.cell_frameworks(cell(0, "paddle", "hide-input")) == {"paddle"}
    assert sbs.cell_frameworks(cell(0)) == set()
    assert sbs.cell_frameworks(cell(0, "pytorch", "paddle")) == {"pytorch", "paddle"}
    # a tagged container that is not a code cell does not count
    assert sbs.cell_frameworks(nodes.container(classes=["tag_pytorch"])) == set()


# --- pairing ----------------------------------------------------------------------------------


def test_find_pairs_in_order() -> None:
    a, b, c, d = cell(1, "pytorch"), cell(2, "paddle"), cell(4, "pytorch"), cell(5, "paddle")
    doc = document(para(), a, b, para(), cell(3), c, d)
    pairs, problems = sbs.find_pairs(doc, "chapters/x.ipynb")
    assert pairs == [(a, b), (c, d)]
    assert problems == []


def test_pairs_in_nested_sections() -> None:
    sub = nodes.section(ids=["sub"])
    a, b = cell(1, "pytorch"), cell(2, "paddle")
    sub += [nodes.title("", "Sub"), a, b]
    pairs, problems = sbs.find_pairs(document(sub))
    assert pairs == [(a, b)] and problems == []


def test_pytorch_cell_followed_by_prose_is_a_problem() -> None:
    lone = cell(1, "pytorch")
    doc = document(lone, para(), cell(2, "paddle"))
    pairs, problems = sbs.find_pairs(doc, "chapters/conv.ipynb")
    assert pairs == []
    assert [p.node["cell_index"] for p in problems] == [1, 2]
    assert problems[0].node is lone
    assert "chapters/conv.ipynb" in problems[0].message
    assert "'pytorch'" in problems[0].message and "code cell 1" in problems[0].message
    assert "'paddle'" in problems[1].message and "code cell 2" in problems[1].message


@pytest.mark.parametrize(
    "children, bad_indexes",
    [
        ([cell(1, "pytorch")], [1]),  # pytorch cell at the end of its section
        ([cell(1, "pytorch"), cell(2)], [1]),  # followed by an untagged cell
        ([cell(1, "pytorch"), cell(2, "pytorch"), cell(3, "paddle")], [1]),  # two pytorch in a row
        ([cell(1, "paddle")], [1]),  # lone paddle cell
        ([cell(1, "paddle"), cell(2, "pytorch")], [1, 2]),  # wrong order
        ([cell(1, "pytorch"), cell(2, "paddle"), cell(3, "paddle")], [3]),  # extra paddle
        ([cell(1, "pytorch", "paddle")], [1]),  # both tags on one cell
        ([cell(1, "pytorch"), cell(2, "paddle", "pytorch")], [1, 2]),
    ],
)
def test_broken_pairs(children: list[nodes.Node], bad_indexes: list[int]) -> None:
    _, problems = sbs.find_pairs(document(*children), "doc")
    assert [p.node["cell_index"] for p in problems] == bad_indexes
    assert all(p.message.startswith("doc: code cell ") for p in problems)


def test_pair_split_across_sections_is_a_problem() -> None:
    """A heading between the cells puts them in different sections: not a pair."""
    sub = nodes.section(ids=["sub"])
    sub += [nodes.title("", "Next"), cell(2, "paddle")]
    _, problems = sbs.find_pairs(document(cell(1, "pytorch"), sub))
    assert [p.node["cell_index"] for p in problems] == [1, 2]


def test_untagged_cells_are_ignored() -> None:
    assert sbs.find_pairs(document(cell(0), para(), cell(1, "hide-input"))) == ([], [])


# --- wrapping ---------------------------------------------------------------------------------


def test_wrap_pairs_wraps_in_place() -> None:
    a, b, c, d = cell(1, "pytorch"), cell(2, "paddle"), cell(3, "pytorch"), cell(4, "paddle")
    doc = document(para("first"), a, b, para(), c, d)
    count, problems = sbs.wrap_pairs(doc)
    assert (count, problems) == (2, [])
    section = doc[0]
    kinds = [type(child).__name__ for child in section.children]
    assert kinds == ["title", "paragraph", "container", "paragraph", "container"]
    pair1, pair2 = pairs_in(doc)
    assert pair1["classes"] == ["fw-pair"]
    assert list(pair1.children)[:2] == [a, b] and list(pair2.children)[:2] == [c, d]
    assert a.parent is pair1 and pair1.parent is section


def test_wrap_pairs_keeps_broken_cells_unwrapped() -> None:
    a, b, lone = cell(1, "pytorch"), cell(2, "paddle"), cell(3, "paddle")
    doc = document(a, b, lone)
    count, problems = sbs.wrap_pairs(doc)
    assert count == 1 and [p.node for p in problems] == [lone]
    assert lone.parent is doc[0]


def test_wrap_pair_requires_siblings() -> None:
    sub = nodes.section()
    b = cell(2, "paddle")
    sub += b
    a = cell(1, "pytorch")
    document(a, sub)
    with pytest.raises(ValueError):
        sbs.wrap_pair(a, b)


# --- the switch, the notes, Chinese terms, figures ---------------------------------------------


def test_switch_html() -> None:
    html = sbs.SWITCH_HTML
    assert 'role="group"' in html and 'aria-label="Framework"' in html
    assert "hidden" not in html  # in the page from the start: no layout shift when the script runs
    for value, name in [("both", "Both"), ("pytorch", "PyTorch"), ("paddle", "Paddle")]:
        assert f'data-fw="{value}"' in html and f">{name}</button>" in html
    assert html.count("aria-pressed=") == 3
    assert sbs.SWITCH_TEMPLATE_SOURCE.startswith("{% if fw_switch %}")


def test_a_pair_holds_its_cells_then_two_notes() -> None:
    doc = document(cell(1, "pytorch"), cell(2, "paddle"))
    assert sbs.apply_side_by_side(doc, "doc") == []
    [pair] = pairs_in(doc)
    assert pair["classes"] == [sbs.PAIR_CLASS]  # not full-width: the contents sidebar never folds
    assert [c["cell_index"] for c in pair.children[:2]] == [1, 2]
    notes = [n.astext() for n in pair.children[2:]]
    assert 'data-hidden="pytorch"' in notes[0] and 'data-hidden="paddle"' in notes[1]
    assert all("Show both" in n and sbs.NOTE_CLASS in n for n in notes)
    assert sbs.has_pairs(doc) and not sbs.has_pairs(document(para()))


def test_page_has_switch() -> None:
    doc = document(cell(1, "pytorch"), cell(2, "paddle"))
    sbs.apply_side_by_side(doc)
    assert sbs.page_has_switch(doc, "chapters/conv", "chapters/intro")
    assert sbs.page_has_switch(document(para()), "chapters/intro", "chapters/intro")
    assert not sbs.page_has_switch(document(para()), "chapters/appendix", "chapters/intro")
    assert not sbs.page_has_switch(None, "search", "chapters/intro")


def test_mark_chinese() -> None:
    code = cell(3)
    code += nodes.paragraph("", "卷积 in code")
    doc = document(para("Convolution (卷积) and 飞桨：PyTorch 与飞桨."), code)
    assert sbs.mark_chinese(doc) == 3
    marked = [n.astext() for n in doc.findall(nodes.inline) if sbs.CHINESE_CLASS in n["classes"]]
    assert marked == ["卷积", "飞桨：", "与飞桨"]
    assert doc[0][1].astext() == "Convolution (卷积) and 飞桨：PyTorch 与飞桨."
    assert sbs.mark_chinese(doc) == 0  # idempotent


def test_figures_without_alt() -> None:
    with_alt, without = cell(1), cell(2)
    with_alt += nodes.image(uri="a.png", alt="A grid of cells")
    without += nodes.image(uri="b.png")
    problems = sbs.figures_without_alt(document(with_alt, without), "chapters/x.ipynb")
    assert [p.node["uri"] for p in problems] == ["b.png"]
    assert "chapters/x.ipynb: code cell 2 (0-based)" in problems[0].message and '"alt"' in problems[0].message


def test_switch_goes_into_the_article_header() -> None:
    config: Any = SimpleNamespace(html_theme_options={})
    sbs.add_switch_to_header(NO_APP, config)
    sbs.add_switch_to_header(NO_APP, config)
    assert config.html_theme_options["article_header_start"] == ["toggle-primary-sidebar.html", sbs.SWITCH_TEMPLATE]
    config = SimpleNamespace(html_theme_options={"article_header_start": "a.html, b.html"})
    sbs.add_switch_to_header(NO_APP, config)
    assert config.html_theme_options["article_header_start"] == ["a.html", "b.html", sbs.SWITCH_TEMPLATE]


def test_overlay_templates_drop_fontawesome() -> None:
    from jinja2 import Environment, TemplateNotFound

    loader = sbs.overlay_templates()
    source, _, uptodate = loader.get_source(Environment(), sbs.WEBPACK_MACROS)
    assert "fontawesome.js" not in source and "pydata-sphinx-theme.js" in source and uptodate()
    assert loader.get_source(Environment(), sbs.SWITCH_TEMPLATE)[0] == sbs.SWITCH_TEMPLATE_SOURCE
    with pytest.raises(TemplateNotFound):
        loader.get_source(Environment(), "layout.html")


def test_install_templates_once() -> None:
    templates = SimpleNamespace(loaders=["theme"], templatepathlen=0)
    app: Any = SimpleNamespace(builder=SimpleNamespace(templates=templates))
    sbs.install_templates(app)
    sbs.install_templates(app)
    assert isinstance(templates.loaders[0], sbs.OverlayLoader) and templates.loaders[1:] == ["theme"]
    assert templates.templatepathlen == 1
    bare: Any = SimpleNamespace(builder=SimpleNamespace())
    sbs.install_templates(bare)  # not an HTML builder: nothing


# --- script de-duplication --------------------------------------------------------------------


def test_dedupe_scripts() -> None:
    def script(filename: str | None, **attributes: str) -> SimpleNamespace:
        return SimpleNamespace(filename=filename, priority=500, attributes=attributes)

    inline = script(None, body="const A = 1")
    same_inline = script("", body="const A = 1")
    other = script(None, body="const B = 2")
    file_ = script("_static/x.js")
    assert sbs.dedupe_scripts([inline, file_, same_inline, other, file_]) == [inline, file_, other]


# --- Sphinx glue ------------------------------------------------------------------------------


class FakeApp:
    """Records what setup() registers."""

    def __init__(self) -> None:
        self.connected: dict[str, list[Any]] = {}
        self.css: list[str] = []
        self.js: list[tuple[str, dict[str, Any]]] = []
        self.config_values: dict[str, tuple[Any, Any]] = {}

    def connect(self, event: str, callback: Any, priority: int = 500) -> int:
        self.connected.setdefault(event, []).append(callback)
        return len(self.connected)

    def add_config_value(self, name: str, default: Any, rebuild: Any, types: Any = ()) -> None:
        self.config_values[name] = (default, rebuild)

    def add_css_file(self, filename: str, **kwargs: Any) -> None:
        self.css.append(filename)

    def add_js_file(self, filename: str, **kwargs: Any) -> None:
        self.js.append((filename, kwargs))


def test_setup_registers_everything() -> None:
    app: Any = FakeApp()
    meta = sbs.setup(app)
    assert meta["parallel_read_safe"] is True and meta["parallel_write_safe"] is True
    assert meta["version"] == sbs.__version__
    assert app.connected["doctree-read"] == [sbs.on_doctree_read]
    assert app.connected["config-inited"] == [sbs.add_static_path, sbs.add_switch_to_header]
    assert app.connected["builder-inited"] == [sbs.install_templates]
    assert app.connected["html-page-context"] == [sbs.on_html_page_context]
    for event in ("env-purge-doc", "env-merge-info", "env-get-outdated"):
        assert event in app.connected
    assert app.css == ["side_by_side.css"]
    assert app.js == [("side_by_side.js", {})]  # no defer / async: runs before first paint
    # editing the CSS or JS changes the config, so every page is written again
    assert app.config_values["side_by_side_assets_digest"] == (sbs.assets_digest(), "html")


def test_static_files_exist() -> None:
    assert (sbs.STATIC_DIR / sbs.CSS_FILE).is_file()
    assert (sbs.STATIC_DIR / sbs.JS_FILE).is_file()


def test_assets_digest_is_stable() -> None:
    digest = sbs.assets_digest()
    assert re.fullmatch(r"[0-9a-f]{16}", digest) and digest == sbs.assets_digest()


def test_add_static_path_once() -> None:
    config: Any = SimpleNamespace(html_static_path=["_static"])
    sbs.add_static_path(NO_APP, config)
    sbs.add_static_path(NO_APP, config)
    assert config.html_static_path == ["_static", str(sbs.STATIC_DIR)]


def fake_env(docname: str) -> Any:
    return SimpleNamespace(docname=docname, doc2path=lambda name, base=True: f"{name}.ipynb")


class FakeLogger:
    def __init__(self) -> None:
        self.warnings: list[tuple[str, dict[str, Any]]] = []

    def warning(self, message: str, **kwargs: Any) -> None:
        self.warnings.append((message, kwargs))


def test_on_doctree_read_warns_and_remembers_broken_docs(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = FakeLogger()
    monkeypatch.setattr(sbs, "logger", logger)
    env = fake_env("chapters/conv")
    app: Any = SimpleNamespace(env=env)
    lone = cell(1, "pytorch")
    sbs.on_doctree_read(app, document(lone, para()))
    [(message, kwargs)] = logger.warnings
    assert message.startswith("chapters/conv.ipynb: code cell 1 (0-based) is tagged 'pytorch'")
    assert kwargs["location"] is lone and kwargs["type"] == "side_by_side"
    assert sbs.broken_docs(env) == {"chapters/conv"}
    # read again on the next build, until fixed
    assert sbs.on_env_get_outdated(app, env, set(), set(), set()) == ["chapters/conv"]
    assert sbs.on_env_get_outdated(app, env, set(), set(), {"chapters/conv"}) == []

    fixed = document(cell(1, "pytorch"), cell(2, "paddle"))
    sbs.on_doctree_read(app, fixed)
    assert sbs.broken_docs(env) == set()
    assert len(pairs_in(fixed)) == 1


def test_env_purge_and_merge() -> None:
    env, other = fake_env("a"), fake_env("b")
    sbs.broken_docs(env).update({"a", "c"})
    sbs.broken_docs(other).update({"b", "x"})
    sbs.on_env_merge_info(NO_APP, env, {"b"}, other)
    assert sbs.broken_docs(env) == {"a", "b", "c"}
    sbs.on_env_purge_doc(NO_APP, env, "a")
    assert sbs.broken_docs(env) == {"b", "c"}
