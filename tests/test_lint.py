"""The security lint (ruff's bandit rules, S) runs on everything, and every finding silenced
says why it is safe: beside the noqa, or in the comment just above it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOQA = re.compile(r"#\s*noqa:\s*(S\d+(?:\s*,\s*S\d+)*)(.*)$")
SOURCES = ("cxculture", "tests", "bench", "config.py", "gunicorn.conf.py")


def _python_files() -> list[Path]:
    found = []
    for name in SOURCES:
        path = ROOT / name
        found += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return found


def test_every_silenced_security_finding_says_why():
    unexplained = []
    for path in _python_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            match = NOQA.search(line)
            if match is None:
                continue
            beside = match.group(2).strip(" -")
            above = " ".join(lines[max(0, number - 2) : number])  # the statement's comment
            if not beside and "is safe here" not in above:
                unexplained.append(f"{path.relative_to(ROOT)}:{number + 1}")
    assert unexplained == []


def test_the_security_rules_are_on_and_each_exception_is_explained():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    lint = tomllib.loads(text)["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    assert not [code for code in lint.get("ignore", []) if code.startswith("S")]
    section = text.split("[tool.ruff.lint.per-file-ignores]")[1].split("\n[")[0]
    for pattern, codes in lint["per-file-ignores"].items():
        comment = section.split(f'"{pattern}"')[0].rsplit("\n\n", 1)[-1]
        for code in (code for code in codes if code.startswith("S")):
            assert code in comment, f"{pattern}: say why {code} is ignored"
