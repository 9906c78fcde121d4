"""Pages of a list: ``limit`` items and an opaque ``next_cursor`` naming where the next starts.

A cursor is the URL-safe base64 of the last id served, so pages stay right while records are
added or changed between two calls; it is opaque to callers and checked when it comes back.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from cxculture.api.errors import ApiError

Item = TypeVar("Item")
VERSION = "v1"


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{VERSION}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id after which the page starts; a 400 for a cursor this API did not make."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        text = ""
    version, _, number = text.partition(":")
    if version != VERSION or not number.isascii() or not number.isdigit() or len(number) > 18:
        raise ApiError(400, "invalid_cursor", "This cursor was not made by this API.")
    return int(number)


def page(items: Sequence[Item], limit: int, key: Callable[[Item], int]) -> dict:
    """The page body from up to ``limit + 1`` items fetched (one more tells there is a next)."""
    shown = list(items[:limit])
    more = len(items) > limit and bool(shown)
    return {"data": shown, "next_cursor": encode_cursor(key(shown[-1])) if more else None}
