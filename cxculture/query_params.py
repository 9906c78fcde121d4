"""Query parameters, read in one place: a malformed value is a 400 (or is ignored where it only
preselects something), never a 500 and never a query with characters the database refuses."""

from __future__ import annotations

from flask import abort, request

from cxculture.characters import has_forbidden_characters
from cxculture.routing import ID_MAX

ID_DIGITS = len(str(ID_MAX))


def parse_id(raw: str | None) -> int | None:
    """``raw`` as a record id (ASCII digits, at most ``ID_MAX``), or None when it is not one.

    ``str.isdigit`` alone is not enough: it accepts "²", which ``int()`` refuses."""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > ID_DIGITS:
        return None
    value = int(raw)
    return value if value <= ID_MAX else None


def id_arg(name: str) -> int | None:
    """The id in the query parameter ``name``; None when there is none, 400 when malformed."""
    raw = request.args.get(name)
    if raw is None:
        return None
    value = parse_id(raw)
    if value is None:
        abort(400)
    return value


def number_arg(name: str, default: int, lowest: int, highest: int) -> int:
    """The whole number in ``name`` (``default`` when absent); 400 unless within the bounds."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = parse_id(raw)
    if value is None or not lowest <= value <= highest:
        abort(400)
    return value


def text_arg(name: str, max_length: int, default: str = "") -> str:
    """The text in ``name``, cut to ``max_length``; 400 when it holds a forbidden character."""
    raw = request.args.get(name, default)
    if has_forbidden_characters(raw):
        abort(400)
    return raw[:max_length]
