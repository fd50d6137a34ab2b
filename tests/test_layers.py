"""The package's folders are layers, and imports only point down them (README, "How it is built")."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cseboard"
LAYERS = ["base", "methods", "store", "intake", "access", "questions", "display", "tools"]
"""Lowest first: a module may import its own layer and those before it."""
DISPLAY_LIBRARIES = ("streamlit", "plotly")
MAY_DISPLAY = {"display", "tools"}


def layer_of(module: str) -> str:
    """cseboard.methods.stats -> methods; cseboard.config -> base; a shell entry point (cseboard.load) -> tools."""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in LAYERS:
        return parts[1]
    if len(parts) == 2 and (PACKAGE / "tools" / f"{parts[1]}.py").exists():
        return "tools"
    return "base"


def module_name(path: Path) -> str:
    return ".".join(("cseboard", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")


def imported(path: Path) -> set[str]:
    """Every module a file imports, wherever the import stands (inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "cseboard")
    return names


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path):
    own = LAYERS.index(layer_of(module_name(path)))
    upward = [name for name in imported(path) if name.startswith("cseboard.")
              and LAYERS.index(layer_of(name)) > own]
    assert not upward, f"{module_name(path)} ({LAYERS[own]}) imports a higher layer: {upward}"


@pytest.mark.parametrize("path", [p for p in MODULES if layer_of(module_name(p)) not in MAY_DISPLAY],
                         ids=lambda path: str(path.relative_to(PACKAGE)))
def test_only_display_and_tools_use_streamlit_or_plotly(path):
    used = [name for name in imported(path) if name.split(".")[0] in DISPLAY_LIBRARIES]
    assert not used, f"{module_name(path)} imports {used}"


def test_the_check_sees_an_upward_import(tmp_path):
    """The rule can fail: a methods module that imports display is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from cseboard.display import charts\nimport streamlit as st\n")
    assert LAYERS.index(layer_of("cseboard.display.charts")) > LAYERS.index("methods")
    assert "streamlit" in imported(bad)


PAGES = sorted((PACKAGE.parent / "pages").rglob("*.py"))


@pytest.mark.parametrize("path", PAGES, ids=lambda path: str(path.relative_to(PACKAGE.parent)))
def test_a_page_asks_for_a_section_and_draws_no_figure_itself(path):
    """Pages read filters and widgets and render sections: no Plotly, no chart call, no query run on the page."""
    tree = ast.parse(path.read_text())
    assert not [name for name in imported(path) if name.split(".")[0] == "plotly"]
    called = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Attribute)}
    assert not called & {"plotly_chart", "query", "run_query", "execute"}, called & {"plotly_chart", "query"}
