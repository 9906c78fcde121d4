"""Characters no text the product keeps may hold: NUL (PostgreSQL refuses it in text), the other
control characters but tab and line breaks (invisible, and XML, so XLSX, cannot hold them), lone
surrogates (they have no UTF-8) and the two XML non-characters."""

from __future__ import annotations

import re

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_forbidden_characters(text: str) -> bool:
    """Whether ``text`` holds a character no stored text may hold."""
    return FORBIDDEN.search(text) is not None
