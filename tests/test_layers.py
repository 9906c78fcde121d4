"""The layers of the README's architecture map hold: every import points down, never up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cxculture"
PURE = ("cxculture.scoring", "cxculture.charts", "cxculture.text_outlines")
PURE += ("cxculture.pdf_report", "cxculture.paths")
PURE += ("cxculture.exports", "cxculture.emails", "cxculture.characters", "cxculture.code_cards")
BLUEPRINTS = tuple(
    f"cxculture.{name}"
    for name in (
        "api",
        "audit",
        "auth",
        "catalogue",
        "dashboards",
        "home",
        "hr",
        "instruments",
        "people",
        "plans",
        "roster",
        "surveys",
        "training",
    )
)
APP = ("cxculture.access", "cxculture.templating", "cxculture.jobs", "cxculture.cli")
APP += ("cxculture.errors", "cxculture.wsgi", "cxculture.demo")


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "cxculture":
            found.update(f"cxculture.{alias.name}" for alias in node.names)  # a module of ours
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


MODULES = {_module(path): _imports(path) for path in PACKAGE.rglob("*.py")}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _offending(importers: tuple[str, ...], forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    return {
        module: {name for name in imports if _within(name, forbidden)}
        for module, imports in MODULES.items()
        if _within(module, importers) and any(_within(name, forbidden) for name in imports)
    }


def test_the_pure_core_imports_nothing_of_flask_the_database_or_the_rest_of_the_app():
    allowed = PURE
    offending = {
        module: {
            name
            for name in imports
            if name.split(".")[0] in {"flask", "flask_babel", "sqlalchemy", "werkzeug"}
            or (name.startswith("cxculture") and not _within(name, allowed))
        }
        for module, imports in MODULES.items()
        if _within(module, PURE)
    }
    assert {module: names for module, names in offending.items() if names} == {}


@pytest.mark.parametrize(
    ("importers", "forbidden"),
    [
        pytest.param(
            ("cxculture.models",), ("cxculture.services", "cxculture.disclosure"), id="models"
        ),
        pytest.param(("cxculture.disclosure",), ("cxculture.services",), id="release layer"),
        pytest.param(("cxculture.services",), BLUEPRINTS + APP, id="services"),
        pytest.param(("cxculture.disclosure",), BLUEPRINTS + APP, id="release layer to pages"),
    ],
)
def test_imports_point_down(importers, forbidden):
    assert _offending(importers, forbidden) == {}


def test_the_use_case_packages_import_each_other_downwards_only():
    order = ["mail", "audit", "accounts", "org", "training", "surveys", "plans", "results"]
    packages = {area: f"cxculture.services.{area}" for area in order}
    upward = {}
    for rank, area in enumerate(order):
        higher = tuple(packages[other] for other in order[rank + 1 :])
        found = _offending((packages[area],), higher)
        if found:
            upward[area] = found
    assert upward == {}
