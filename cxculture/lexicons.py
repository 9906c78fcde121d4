"""The company's own words for the role-statement test: a folder of ``en.yaml``, ``pt.yaml``,
``es.yaml`` named by CX_LEXICON_DIR, added to the shipped lexicons wherever statements are
classified (answers, reflections, the command line); and CX_THEMES_DIR, the company's own
comment themes in the same shape as ``cxculture/content/themes``."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def lexicon_dir() -> Path | None:
    """The company's additions to the role-statement lexicons, if configured."""
    configured = current_app.config.get("CX_LEXICON_DIR")
    return Path(configured) if configured else None


def themes_dir() -> Path | None:
    """The company's additions to the comment themes, if configured."""
    configured = current_app.config.get("CX_THEMES_DIR")
    return Path(configured) if configured else None
