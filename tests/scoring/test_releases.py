"""Releases over time: no reader who keeps every snapshot can single out a small group.

The property test plays the attacker: random department trees, responses arriving over time,
snapshots taken live or only at closing (with reopenings), and an independent solver that works
on individual respondents (linear algebra for sums, set algebra for texts).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxculture.paths import ancestors
from cxculture.scoring import releases
from cxculture.scoring.releases import (
    Snapshot,
    cells_of,
    group_sizes,
    next_snapshot,
    number_leak,
    number_leaks,
    text_leak,
)

MINIMUM = 5
TEXT_MINIMUM = 10


@dataclass(frozen=True)
class Respondent:
    path: str | None
    arrived: int  # the index of the first snapshot that counted them


def _respondents(history: list[Snapshot]) -> list[Respondent]:
    return [
        Respondent(path, index)
        for (path, index), size in sorted(
            cells_of([s.counts for s in history]).items(), key=lambda kv: (str(kv[0][0]), kv[0][1])
        )
        for _ in range(size)
    ]


def _member(respondent: Respondent, key: str, index: int) -> bool:
    return key in ancestors(respondent.path) and respondent.arrived <= index


def exposed_by_sums(history: list[Snapshot], minimum: int) -> list[Respondent] | None:
    """A set of fewer than ``minimum`` respondents whose sum some combination of the published
    sums gives: its indicator lies in the row space of the published sets (respondents as
    coordinates). Only unions of whole cells can (every published set holds whole cells)."""
    people = _respondents(history)
    rows = [
        [1.0 if _member(person, key, index) else 0.0 for person in people]
        for index, snapshot in enumerate(history)
        for key in snapshot.numbers
    ]
    if not rows or not people:
        return None
    published = np.array(rows)
    projector = np.linalg.pinv(published) @ published
    cells: dict[tuple, list[int]] = {}
    for number, person in enumerate(people):
        cells.setdefault((person.path, person.arrived), []).append(number)
    small = [members for members in cells.values() if len(members) < minimum]
    for count in range(1, minimum):
        for chosen in itertools.combinations(small, count):
            members = [number for cell in chosen for number in cell]
            if len(members) >= minimum:
                continue
            vector = np.zeros(len(people))
            vector[members] = 1.0
            if np.linalg.norm(vector - projector @ vector) < 1e-8:
                return [people[number] for number in members]
    return None


def exposed_by_texts(history: list[Snapshot], minimum: int) -> list[Respondent] | None:
    """Respondents that unions, intersections and differences of the published text sets single
    out: everyone sharing the same memberships, when they are fewer than ``minimum``."""
    people = _respondents(history)
    by_membership: dict[tuple, list[Respondent]] = {}
    for person in people:
        memberships = tuple(
            (key, index)
            for index, snapshot in enumerate(history)
            for key in sorted(snapshot.texts)
            if _member(person, key, index)
        )
        if memberships:
            by_membership.setdefault(memberships, []).append(person)
    small = [group for group in by_membership.values() if len(group) < minimum]
    return small[0] if small else None


# ---------------------------------------------------------------- the attacker, at random


@st.composite
def trees(draw, most: int = 6, deepest: int = 6) -> list[str | None]:
    """Exact department paths: None (no department) and up to ``most`` departments in a tree
    of at most ``deepest`` levels below the top."""
    size = draw(st.integers(min_value=1, max_value=most))
    paths: list[str | None] = [None]
    named: list[str] = []
    for node in range(size):
        parent = draw(st.integers(min_value=-1, max_value=len(named) - 1))
        path = f"d{node}" if parent < 0 else f"{named[parent]}/d{node}"
        named.append(path if path.count("/") <= deepest else f"d{node}")
    return paths + named


@st.composite
def waves(draw):
    """A tree, arrivals in up to five steps, and after each step whether results are read
    (live), the survey closes, or it reopens."""
    paths = draw(trees())
    steps = []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        arrivals = {path: draw(st.integers(min_value=0, max_value=4)) for path in paths}
        event = draw(st.sampled_from(["read", "close", "nothing"]))
        steps.append((arrivals, event))
    is_live = draw(st.booleans())
    minimum = draw(st.integers(min_value=3, max_value=5))
    return paths, steps, is_live, minimum


def _play(paths, steps, is_live, minimum):
    """Run a wave through the release guard; every snapshot ever published."""
    text_minimum = minimum + 2
    counts = dict.fromkeys(paths, 0)
    history: list[Snapshot] = []
    for arrivals, event in steps:
        for path, n in arrivals.items():
            counts[path] += n
        closing = event == "close"
        if closing or (event == "read" and is_live):
            snapshot = next_snapshot(
                history,
                {path: n for path, n in counts.items() if n},
                minimum,
                text_minimum if closing else None,
            )
            history.append(snapshot)
    return history, text_minimum


@settings(max_examples=150, deadline=None, derandomize=True)
@given(waves())
def test_no_combination_of_snapshots_exposes_a_small_group(wave):
    paths, steps, is_live, minimum = wave
    history, text_minimum = _play(paths, steps, is_live, minimum)
    assert exposed_by_sums(history, minimum) is None
    assert exposed_by_texts(history, text_minimum) is None


@settings(max_examples=150, deadline=None, derandomize=True)
@given(waves())
def test_the_guard_finds_what_the_independent_solver_finds(wave):
    """The guard's own check agrees with the attacker on what was published."""
    paths, steps, is_live, minimum = wave
    history, text_minimum = _play(paths, steps, is_live, minimum)
    for end in range(1, len(history) + 1):
        assert (number_leak(history[:end], minimum) is None) == (
            exposed_by_sums(history[:end], minimum) is None
        )
        assert (text_leak(history[:end], text_minimum) is None) == (
            exposed_by_texts(history[:end], text_minimum) is None
        )


def published_at_random(draw, paths, snapshots: int, arrivals: int, published: int | None):
    """Snapshots of ``paths`` with up to ``arrivals`` new answers per path each time, and any
    groups (up to ``published`` of them) published at each, as no guard would choose them."""
    groups = sorted({key for path in paths for key in ancestors(path)})
    counts = dict.fromkeys(paths, 0)
    history = []
    for _ in range(snapshots):
        for path in paths:
            counts[path] += draw(st.integers(min_value=0, max_value=arrivals))
        chosen = draw(st.sets(st.sampled_from(groups), max_size=published))
        history.append(Snapshot({p: n for p, n in counts.items() if n}, frozenset(chosen)))
    return history


@st.composite
def any_publications(draw):
    """A tree, arrivals over up to four snapshots, and any groups published at each: histories
    that leak, and histories that do not."""
    snapshots = draw(st.integers(min_value=1, max_value=4))
    history = published_at_random(draw, draw(trees()), snapshots, 4, None)
    return history, draw(st.integers(min_value=3, max_value=5))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(any_publications())
def test_the_check_finds_a_leak_exactly_when_the_solver_does_whatever_was_published(case):
    """The check works the span out down the tree; the solver, over every respondent."""
    history, minimum = case
    leak = number_leak(history, minimum)
    exposed = exposed_by_sums(history, minimum)
    assert (leak is None) == (exposed is None)
    if leak is not None:
        assert 0 < leak.size < minimum


@settings(max_examples=200, deadline=None, derandomize=True)
@given(any_publications())
def test_the_search_by_sets_of_atoms_agrees_with_the_solver(case):
    """Spaces of many dimensions are searched by trying every light set of atoms: forced here
    on every space, it must find what the solver finds."""
    history, minimum = case
    with mock.patch.object(releases, "EXACT_MAX_DIMENSION", 0):
        leak = number_leak(history, minimum)
    assert (leak is None) == (exposed_by_sums(history, minimum) is None)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.integers(min_value=1, max_value=9).flatmap(
        lambda atoms: st.tuples(
            st.lists(
                st.lists(st.booleans(), min_size=atoms, max_size=atoms), min_size=1, max_size=6
            ),
            st.lists(st.integers(min_value=1, max_value=4), min_size=atoms, max_size=atoms),
        )
    )
)
def test_both_searches_find_the_same_light_sets(space):
    """Over any space of vectors on a few atoms: trying every 0/1 pattern on a basis and trying
    every light set of atoms find the same lightest set."""
    rows, sizes = space
    spanning = np.array(rows, dtype=float).T
    left, singular, _ = np.linalg.svd(spanning, full_matrices=False)
    basis = left[:, : int((singular > 1e-9).sum())]
    if basis.shape[1] == 0:
        return
    weights = np.array(sizes, dtype=float)
    by_patterns = releases._small_binaries(basis, weights, MINIMUM)
    by_sets = releases._small_sets_in_space(basis @ basis.T, weights, MINIMUM)
    lightest = [
        min((weights[found].sum() for found in each), default=None)
        for each in (by_patterns, by_sets)
    ]
    assert lightest[0] == lightest[1]
    for found in by_sets:
        vector = np.zeros(len(sizes))
        vector[found] = 1.0
        assert np.allclose(basis @ (basis.T @ vector), vector)


def test_a_department_whose_teams_ask_opposite_things_of_it_is_not_mistaken_for_a_condition():
    # d0/d5 is published with two unpublished branches below it: what they ask of it cancels,
    # which is no condition at all; read as one (rounding noise scaled up), it hid the leak:
    # the company less d0/d5 less d1 is the one answer in d0/d2/d9/d24.
    counts = {
        "d0/d5": 1,
        "d0/d5/d8": 1,
        "d0/d5/d18/d20": 1,
        "d0/d5/d18/d22/d30/d32": 1,
        "d0/d2/d9/d24": 1,
        "d1/d4/d26": 1,
        "d1/d4/d12/d28": 1,
        "d1/d7/d19/d33": 1,
    }
    history = [Snapshot(counts, frozenset({"", "d0/d5", "d1"}))]
    leak = number_leak(history, 3)
    assert leak is not None
    assert leak.cells == {("d0/d2/d9/d24", 0)}
    assert exposed_by_sums(history, 3) is not None


@st.composite
def deep_publications(draw):
    """Deeper and bushier trees than ``any_publications`` (up to fourteen departments, six
    levels), one or two snapshots of up to three answers per path, up to six groups published."""
    snapshots = draw(st.integers(min_value=1, max_value=2))
    return published_at_random(draw, draw(trees(most=14)), snapshots, 3, 6), 3


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(deep_publications())
def test_on_deep_trees_the_check_finds_a_leak_exactly_when_the_solver_does(case):
    history, minimum = case
    assert (number_leak(history, minimum) is None) == (exposed_by_sums(history, minimum) is None)


def test_every_leak_reported_at_once_is_a_leak_of_its_own():
    # Two departments each with a one-person change between two reads: two separate leaks.
    history = [
        Snapshot({"a": 5, "b": 6}, frozenset({"", "a", "b"})),
        Snapshot({"a": 6, "b": 7}, frozenset({"", "a", "b"})),
    ]
    leaks = number_leaks(history, MINIMUM)
    assert sorted(sorted(leak.cells) for leak in leaks) == [[("a", 1)], [("b", 1)]]
    for leak in leaks:
        assert leak.size == 1


def large_company(teams: int) -> dict[str, int]:
    """Divisions of ten teams of about twenty, one team in twenty of three people."""
    return {
        f"d{team // 10:03d}/t{team:04d}": 3 if team % 20 == 19 else 20 + team % 7
        for team in range(teams)
    }


def test_a_live_refresh_of_a_large_company_shows_what_gained_enough():
    """After a closing-time-like first release, a refresh in which one team in ten gained two
    answers still shows the company and every division that gained five or more, instead of
    giving up on a leak that only small sets of teams could explain."""
    counts = large_company(400)
    first = next_snapshot([], counts, MINIMUM, TEXT_MINIMUM)
    later = {
        path: n + (2 if number % 10 == 0 else 0)
        for number, (path, n) in enumerate(sorted(counts.items()))
    }
    second = next_snapshot([first], later, MINIMUM)
    gained = {key: n - group_sizes(counts).get(key, 0) for key, n in group_sizes(later).items()}
    assert "" in second.numbers
    assert number_leak([first, second], MINIMUM) is None
    # Nothing that gained fewer than five since it was shown is shown again.
    shown_before = first.numbers
    assert all(gained[key] >= MINIMUM for key in second.numbers & shown_before)


# ---------------------------------------------------------------- the solver is not blind


def test_the_solver_sees_a_one_person_change_between_two_reads():
    history = [
        Snapshot({"a": 5}, frozenset({"", "a"})),
        Snapshot({"a": 6}, frozenset({"", "a"})),
    ]
    assert len(exposed_by_sums(history, MINIMUM)) == 1
    assert number_leak(history, MINIMUM).size == 1


def test_the_solver_sees_a_text_set_difference():
    history = [Snapshot({"a": 12, "b": 3}, texts=frozenset({"", "a"}))]
    assert len(exposed_by_texts(history, TEXT_MINIMUM)) == 3
    assert text_leak(history, TEXT_MINIMUM).size == 3


# ---------------------------------------------------------------- what the guard publishes


def test_a_closing_release_shows_what_the_tree_guard_shows():
    snapshot = next_snapshot([], {"a": 6, "a/x": 5, "b": 7}, MINIMUM, TEXT_MINIMUM)
    assert snapshot.numbers == {"", "a", "a/x", "b"}
    # The company's texts minus a's would be b's seven: only a (11 people) shows texts.
    assert snapshot.texts == {"a"}


def test_the_company_waits_for_five_new_answers():
    first = next_snapshot([], {"a": 5}, MINIMUM)
    assert first.numbers == {"", "a"}
    second = next_snapshot([first], {"a": 8}, MINIMUM)
    assert second.numbers == frozenset()  # 3 new answers would be read by subtraction
    third = next_snapshot([first, second], {"a": 10}, MINIMUM)
    assert third.numbers == {"", "a"}


def test_a_group_whose_change_is_too_small_keeps_its_figures_while_others_move_on():
    first = next_snapshot([], {"a": 5, "b": 5}, MINIMUM)
    second = next_snapshot([first], {"a": 10, "b": 7}, MINIMUM)
    assert "a" in second.numbers
    assert "b" not in second.numbers
    assert "" not in second.numbers  # the company's change holds b's two new answers
    assert exposed_by_sums([first, second], MINIMUM) is None


def test_a_team_first_shown_after_its_parent_moved_is_shown_when_nothing_small_follows():
    # The parent refreshed while the team was still small; the team's cumulative figures and
    # the rest of the parent's are both large, and nothing smaller can be worked out.
    first = next_snapshot([], {"p": 5, "p/t": 2}, MINIMUM)
    second = next_snapshot([first], {"p": 8, "p/t": 5}, MINIMUM)
    assert {"p", "p/t"} <= second.numbers
    assert exposed_by_sums([first, second], MINIMUM) is None


def test_a_leak_through_three_snapshots_that_pairwise_checks_miss_is_refused():
    # h at snapshots 0 and 2, its team g first at 1 and again at 2: g's three new answers at 1
    # plus the rest of h's answers at 1 and 2 make a set of three, worked out from all four.
    history = [
        Snapshot({"h": 3, "h/g": 4}, frozenset({"", "h"})),
        Snapshot({"h": 4, "h/g": 5}, frozenset({"h/g"})),
        Snapshot({"h": 5, "h/g": 10}, frozenset({"", "h", "h/g"})),
    ]
    assert number_leak(history, MINIMUM) is not None
    assert exposed_by_sums(history, MINIMUM) is not None


def test_a_raised_minimum_publishes_nothing_new():
    first = Snapshot({"a": 5}, frozenset({"", "a"}))
    assert next_snapshot([first], {"a": 20}, 6).numbers == frozenset()


def test_group_sizes_add_up_the_tree():
    assert group_sizes({"a/b": 2, "a": 1, None: 4}) == {"": 7, "a": 3, "a/b": 2}


def test_counts_that_go_down_are_refused():
    with pytest.raises(ValueError, match="went down"):
        cells_of([{"a": 3}, {"a": 2}])
