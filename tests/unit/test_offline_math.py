"""book.offline_math: MathJax is copied into the site and Sphinx is pointed at the copy."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from book import offline_math


def test_the_pinned_mathjax_package_has_every_needed_file() -> None:
    source = offline_math.mathjax_source()
    for name in offline_math.NEEDED:
        assert (source / name).exists(), name


def test_copy_mathjax_keeps_the_layout(tmp_path: Path) -> None:
    source = tmp_path / "es5"
    (source / "output/chtml/fonts/woff-v2").mkdir(parents=True)
    (source / "output/chtml/fonts/woff-v2/font.woff").write_text("font")
    (source / "input/tex/extensions").mkdir(parents=True)
    (source / "input/tex/extensions/cancel.js").write_text("ext")
    (source / "tex-mml-chtml.js").write_text("js")
    (source / "sre").mkdir()  # not needed, not copied
    target = tmp_path / "site" / "_static" / "mathjax"
    offline_math.copy_mathjax(source, target)
    offline_math.copy_mathjax(source, target)  # a rebuild copies over the old files
    copied = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert copied == ["input/tex/extensions/cancel.js", "output/chtml/fonts/woff-v2/font.woff", "tex-mml-chtml.js"]


def test_copy_mathjax_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="tex-mml-chtml.js"):
        offline_math.copy_mathjax(tmp_path, tmp_path / "out")


def test_the_config_points_at_the_copy() -> None:
    config = SimpleNamespace(mathjax_path="https://cdn.example/mathjax.js")
    offline_math.use_local_mathjax(None, config)  # type: ignore[arg-type]
    assert config.mathjax_path == "mathjax/tex-mml-chtml.js"


def test_build_finished_copies_only_after_a_successful_html_build(tmp_path: Path) -> None:
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path))
    offline_math.on_build_finished(app, RuntimeError("failed"))  # type: ignore[arg-type]
    assert not (tmp_path / "_static").exists()
    offline_math.on_build_finished(SimpleNamespace(builder=SimpleNamespace(format="latex"), outdir=str(tmp_path)), None)  # type: ignore[arg-type]
    assert not (tmp_path / "_static").exists()
    offline_math.on_build_finished(app, None)  # type: ignore[arg-type]
    assert (tmp_path / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()


def test_setup_registers_both_steps() -> None:
    events: list[str] = []
    app = SimpleNamespace(connect=lambda event, handler: events.append(event))
    result = offline_math.setup(app)  # type: ignore[arg-type]
    assert events == ["config-inited", "build-finished"]
    assert result["parallel_read_safe"] and result["parallel_write_safe"]
