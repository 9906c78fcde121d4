"""Department paths: where a department sits in the tree, spelt ``Operations/Contact Center``.

Pure: plain strings in and out, nothing of Flask or the database, so access checks, services,
the release guard and the API all ask the same functions. The company is the empty path.
"""

from __future__ import annotations

from collections.abc import Iterable

PATH_SEPARATOR = "/"
PATH_MAX_LENGTH = 1000  # characters of a department's path, and of every copy of one
COMPANY = ""  # the group of everyone: the root above every top-level department


def names(path: str) -> list[str]:
    """The department names along ``path``, from the top."""
    return path.split(PATH_SEPARATOR) if path else []


def name_of(path: str) -> str:
    """The last name of ``path`` (empty for the company)."""
    return path.rpartition(PATH_SEPARATOR)[2]


def depth_of(path: str) -> int:
    """-1 for the company, 0 for a top-level department, and so on down."""
    return path.count(PATH_SEPARATOR) if path else -1


def parent_of(path: str) -> str | None:
    """The path just above ``path`` (the company above a top-level one; None above the
    company)."""
    if path == COMPANY:
        return None
    return path.rpartition(PATH_SEPARATOR)[0]


def ancestors(path: str | None) -> list[str]:
    """The groups a member of ``path`` belongs to: the company, then every department from the
    top down to ``path`` itself (only the company for someone in no department)."""
    found = [COMPANY]
    parts = names(path or "")
    found += [PATH_SEPARATOR.join(parts[: level + 1]) for level in range(len(parts))]
    return found


def child_path(parent: str | None, name: str) -> str:
    """The path of a department called ``name`` under ``parent`` (None: the top level)."""
    return f"{parent}{PATH_SEPARATOR}{name}" if parent else name


def is_below(path: str, ancestor: str) -> bool:
    """Whether ``path`` sits strictly below ``ancestor`` ('Ops' is not above 'Opsx')."""
    return path.startswith(ancestor + PATH_SEPARATOR)


def is_at_or_below(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or a department below it (everything is below the
    company)."""
    return root == COMPANY or path == root or path.startswith(root + PATH_SEPARATOR)


def within(path: str, roots: Iterable[str]) -> bool:
    """Whether ``path`` is at or below one of ``roots``: the reach of a person who heads them."""
    return any(is_at_or_below(path, root) for root in roots)
