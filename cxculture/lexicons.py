"""The company's own words for the role-statement test: a folder of ``en.yaml``, ``pt.yaml``,
``es.yaml`` named by CX_LEXICON_DIR, added to the shipped lexicons wherever statements are
classified (answers, reflections, the command line)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def lexicon_dir() -> Path | None:
    """The company's additions to the role-statement lexicons, if configured."""
    configured = current_app.config.get("CX_LEXICON_DIR")
    return Path(configured) if configured else None
