"""The anonymity promise: no group under the minimum is revealed, directly or by subtraction."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cxculture.scoring.anonymity import Group, families_of, guard, suppressed_groups

MINIMUM = 5


def _tree(parents: list[int], own: list[int]) -> dict[str, Group]:
    """Groups from parent indexes (node i's parent is < i) and each node's own members."""
    totals = list(own)
    for node in range(len(parents) - 1, 0, -1):
        totals[parents[node]] += totals[node]
    return {
        f"g{node}": Group(f"g{node}", None if node == 0 else f"g{parents[node]}", totals[node])
        for node in range(len(parents))
    }


@st.composite
def trees(draw):
    size = draw(st.integers(min_value=1, max_value=12))
    parents = [0] + [draw(st.integers(min_value=0, max_value=node - 1)) for node in range(1, size)]
    own = [draw(st.integers(min_value=0, max_value=12)) for _ in range(size)]
    return _tree(parents, own)


def _revealed(groups: dict[str, Group], hidden: frozenset[str]) -> list[str]:
    """Every group, residual or union of hidden siblings under the minimum that linear algebra
    can work out from the shown groups (an independent check of the guard)."""
    families, sizes = families_of(groups)
    shown = {key for key in groups if key not in hidden}
    unknowns = sorted(key for key in sizes if key not in shown and sizes[key] != 0)
    index = {key: i for i, key in enumerate(unknowns)}
    rows = []
    for family in families:
        row = np.zeros(len(unknowns))
        for member, sign in [(family.parent, 1)] + [(m, -1) for m in family.members[1:]]:
            if member in index:
                row[index[member]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return []
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)

    def determined(vector) -> bool:
        return np.linalg.matrix_rank(np.vstack([system, vector])) == rank

    leaks = []
    for key in unknowns:
        vector = np.zeros(len(unknowns))
        vector[index[key]] = 1
        if 0 < sizes[key] < MINIMUM and determined(vector):
            leaks.append(key)
    for family in families:
        members = [m for m in family.members[1:] if m in index]
        total = sum(sizes[m] for m in members)
        if len(members) >= 2 and 0 < total < MINIMUM:
            vector = np.zeros(len(unknowns))
            for member in members:
                vector[index[member]] = 1
            if determined(vector):
                leaks.append("+".join(members))
    return leaks


@settings(max_examples=300, deadline=None)
@given(trees())
def test_no_group_under_the_minimum_is_ever_shown(groups):
    hidden = suppressed_groups(groups, MINIMUM)
    assert all(group.n >= MINIMUM for key, group in groups.items() if key not in hidden)


@settings(max_examples=300, deadline=None)
@given(trees())
def test_no_small_group_can_be_worked_out_by_subtraction(groups):
    hidden = suppressed_groups(groups, MINIMUM)
    assert _revealed(groups, hidden) == []


def test_a_lone_small_child_hides_a_sibling_too():
    groups = _tree([0, 0, 0], [0, 10, 3])  # company 13 = big 10 + small 3
    hidden = suppressed_groups(groups, MINIMUM)
    assert "g2" in hidden  # the small one
    assert "g1" in hidden or "g0" in hidden  # else 13 - 10 = 3 gives it away


def test_a_parents_own_small_group_is_protected():
    groups = _tree([0, 0, 0], [2, 10, 10])  # 2 people sit in the parent itself
    hidden = suppressed_groups(groups, MINIMUM)
    assert hidden & {"g0", "g1", "g2"}


def test_large_groups_all_show():
    groups = _tree([0, 0, 0, 1], [6, 7, 8, 9])
    assert suppressed_groups(groups, MINIMUM) == frozenset()


def test_guard_returns_no_value_below_the_minimum_or_when_suppressed():
    assert guard(4, 80.0, 5).is_suppressed
    assert guard(9, 80.0, 5, suppressed=True).value is None
    assert guard(5, 80.0, 5).value == 80.0


def test_the_independent_check_catches_a_guard_that_only_hides_small_groups():
    groups = _tree([0, 0, 0], [0, 10, 3])
    naive = frozenset(key for key, group in groups.items() if group.n < MINIMUM)
    assert _revealed(groups, naive) == ["g2"]


def test_a_leak_through_a_chain_of_single_children_is_closed():
    # Found by the property test: g2 (6) holds g4 (5) holds g6 (5), so g2's own single person
    # could be worked out through the chain even with g2 and g4 hidden.
    groups = {
        "g0": Group("g0", None, 6),
        "g1": Group("g1", "g0", 0),
        "g2": Group("g2", "g0", 6),
        "g4": Group("g4", "g2", 5),
        "g6": Group("g6", "g4", 5),
    }
    hidden = suppressed_groups(groups, MINIMUM)
    assert _revealed(groups, hidden) == []
