"""Everything derived from answers leaves through the release layer: nothing else reads them."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cxculture"
RAW = "cxculture.disclosure.measures"
# Writing answers, deleting their text, erasing a person and seeding the demo touch responses;
# none of them shows a figure.
ANSWER_WRITERS = {
    "services/surveys/responses.py",
    "services/surveys/retention.py",
    "services/org/erasure.py",
    "demo/surveys.py",
    "models/__init__.py",
    "models/surveys.py",
}


def _imports(path: Path) -> set[str]:
    """Every module and every name ``path`` imports, as dotted names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), _imports(path)


def test_only_the_release_layer_reads_the_raw_measurements():
    readers = {name for name, imports in _modules() if RAW in imports}
    assert {name for name in readers if not name.startswith("disclosure/")} == set()
    assert readers, "the release layer reads the measurements"


def test_no_page_file_or_api_route_touches_responses_or_answers():
    touching = {
        name
        for name, imports in _modules()
        if {"cxculture.models.Response", "cxculture.models.Answer"} & imports
        or {"cxculture.models.surveys.Response", "cxculture.models.surveys.Answer"} & imports
    }
    outside = {
        name
        for name in touching
        if not name.startswith("disclosure/") and name not in ANSWER_WRITERS
    }
    assert outside == set(), "read answers through cxculture.disclosure"
