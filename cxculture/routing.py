"""URL converters that turn an id or a name no record can have into a 404 before any query runs.

Werkzeug's own accept any number of digits (a 20-digit id overflows the database's integer: a
500) and any character but ``/`` (PostgreSQL refuses a NUL in a query parameter: a 500 too).
Registered in ``create_app`` for ``<int:...>`` and ``<name>``.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter, IntegerConverter, Map

ID_MAX = 2**31 - 1  # the largest value of an INTEGER column (PostgreSQL's; SQLite's is larger)


class IdConverter(IntegerConverter):
    """``<int:...>``: one to ten ASCII digits, at most ``ID_MAX``."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int = ID_MAX):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


class NameConverter(BaseConverter):
    """``<name>``: one path segment of printable characters (no control character, no ``/``)."""

    regex = r"[^/\x00-\x1f\x7f]+"


def register_converters(url_map: Map) -> None:
    """Use the converters above for every rule added from now on."""
    url_map.converters["int"] = IdConverter
    url_map.converters["default"] = NameConverter
    url_map.converters["string"] = NameConverter
