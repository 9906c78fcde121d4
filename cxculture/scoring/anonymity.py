"""The anonymity guard: no group below the minimum is shown, directly or by subtraction.

Groups form a tree (the company, its departments, their sub-departments). Every group's numbers
are sums over its members, so where a parent is shown, ``parent - shown children`` gives away
whatever is hidden below it. ``suppressed_groups`` hides every group under the minimum and then
hides more groups until no small group (nor the parent's own members outside its children,
nor a union of hidden siblings) can be worked out from what is shown. Every page, chart, export
and API call takes its cuts through this one function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Guarded:
    """A group's figure after the guard: ``value`` is None whenever ``is_suppressed``."""

    n: int
    value: float | None
    minimum: int

    @property
    def is_suppressed(self) -> bool:
        return self.value is None


def guard(n: int, value: float | None, minimum: int, *, suppressed: bool = False) -> Guarded:
    """Let ``value`` through only for a group of at least ``minimum`` that is not suppressed."""
    if suppressed or n < minimum:
        return Guarded(n=n, value=None, minimum=minimum)
    return Guarded(n=n, value=value, minimum=minimum)


@dataclass(frozen=True)
class Group:
    """A group of respondents: ``n`` counts everyone in it, sub-groups included."""

    key: str
    parent: str | None
    n: int


@dataclass(frozen=True)
class _Family:
    """A parent, its children and the parent's own members outside them (the residual)."""

    parent: str
    children: tuple[str, ...]
    residual: str  # a pseudo-group, never shown on its own

    @property
    def members(self) -> tuple[str, ...]:
        return (self.parent, *self.children, self.residual)


def families_of(groups: Mapping[str, Group]) -> tuple[list[_Family], dict[str, int]]:
    """Each parent's family, and the sizes of groups and residuals together."""
    children: dict[str, list[str]] = defaultdict(list)
    for group in groups.values():
        if group.parent is not None and group.parent in groups:
            children[group.parent].append(group.key)
    sizes = {key: group.n for key, group in groups.items()}
    families = []
    for parent, kids in children.items():
        residual = f"{parent}\x00residual"
        sizes[residual] = sizes[parent] - sum(sizes[kid] for kid in kids)
        families.append(_Family(parent, tuple(sorted(kids)), residual))
    return families, sizes


def _derivable(families: list[_Family], known: set[str]) -> set[str]:
    """Everything that follows from ``known`` through ``parent = children + residual``."""
    known = set(known)
    changed = True
    while changed:
        changed = False
        for family in families:
            unknown = [member for member in family.members if member not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                changed = True
    return known


def _violation(
    families: list[_Family], sizes: dict[str, int], shown: set[str], minimum: int
) -> _Family | None:
    """A family through which a group under the minimum can be worked out, if any."""
    known = _derivable(families, shown | {key for key, n in sizes.items() if n == 0})
    for family in families:
        unknown = [member for member in family.members if member not in known]
        for member in family.members:
            if member in known and member not in shown and 0 < sizes[member] < minimum:
                return family
        # Several hidden members whose union is known, and small.
        union = sum(sizes[member] for member in unknown)
        if family.parent in known and len(unknown) >= 2 and 0 < union < minimum:
            return family
    return None


def suppressed_groups(groups: Mapping[str, Group], minimum: int) -> frozenset[str]:
    """Keys of the groups whose numbers must not be shown."""
    families, sizes = families_of(groups)
    hidden = {key for key, group in groups.items() if group.n < minimum}
    while True:
        shown = set(groups) - hidden
        family = _violation(families, sizes, shown, minimum)
        if family is None:
            return frozenset(hidden)
        hidden.add(_next_to_hide(family, families, sizes, shown, minimum))


def _next_to_hide(
    family: _Family, families: list[_Family], sizes: dict[str, int], shown: set[str], minimum: int
) -> str:
    """The group to hide next to close a leak through ``family``."""
    # Usually the smallest shown sibling: it costs the least information.
    candidates = sorted(
        (kid for kid in family.children if kid in shown and sizes[kid] > 0),
        key=lambda kid: (sizes[kid], kid),
    )
    if candidates:
        return candidates[0]
    if family.parent in shown:
        return family.parent
    # The leak runs through groups worked out in other families: hide the smallest shown group
    # that stops this family leaking, or failing that the smallest one (each step hides one more
    # group, so this ends, at worst with nothing shown).
    by_size = sorted(shown, key=lambda key: (sizes[key], key))
    for key in by_size:
        if _violation(families, sizes, shown - {key}, minimum) is not family:
            return key
    return by_size[0]
