"""What may be published next, given everything published before: the release guard.

Results leave the product in snapshots. Snapshot ``k`` is taken at a moment ``t_k`` and, for
some groups (the company and departments, each a subtree of the department tree), publishes the
sums of every response given in that subtree up to ``t_k``: counts, scores, category and answer
counts are all such sums. A reader may keep every snapshot ever shown, so what they can work out
is any linear combination of published sums; free text is published as sets of texts, and from
sets they can work out any union, intersection or difference.

Responses are indistinguishable to every publication when they were given in the same exact
department path between the same two snapshots: such a *cell* is the finest thing a reader can
ever single out. The cells every publication treats alike form an *atom*. A set of fewer than
the minimum responses is exposed when its indicator lies in the span of the published sets
(numbers), or when it is an atom (texts). ``number_leak`` and ``text_leak`` find such a set;
``next_snapshot`` chooses the largest safe refresh greedily, so a group whose change since its
last publication, or any combination with other snapshots, would single out too few people
keeps its previous figures.

Pure: plain data in, plain data out; nothing here knows the database or Flask.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg

from cxculture.paths import ancestors, parent_of
from cxculture.scoring.anonymity import Group, suppressed_groups

Cell = tuple[str | None, int]  # (exact department path, index of the snapshot that first held it)
Publication = tuple[str, int]  # (group key, snapshot index)

# Beyond these sizes the exact check would take seconds: the guard then asks every atom, alone,
# to reach the minimum, which is stricter (never looser) than the exact check.
EXACT_MAX_ATOMS = 1500
EXACT_MAX_DIMENSION = 14  # 2**14 combinations of the derivable small atoms are tried at most
TOLERANCE = 1e-7


@dataclass(frozen=True)
class Snapshot:
    """One snapshot: cumulative responses per exact department path when it was taken, and the
    groups whose sums (``numbers``) and whose texts (``texts``) it published afresh."""

    counts: Mapping[str | None, int]
    numbers: frozenset[str] = frozenset()
    texts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Leak:
    """A set of responses that a reader could single out: the cells it is made of, and how many
    responses it holds (fewer than the minimum, more than none)."""

    cells: frozenset[Cell]
    size: int


def group_sizes(counts: Mapping[str | None, int]) -> dict[str, int]:
    """Responses per group (the company and every department above a path), from exact paths."""
    sizes: dict[str, int] = defaultdict(int)
    for path, n in counts.items():
        for key in ancestors(path):
            sizes[key] += n
    return dict(sizes)


def cells_of(history: Sequence[Mapping[str | None, int]]) -> dict[Cell, int]:
    """Responses per cell: what each exact path gained between consecutive snapshots."""
    cells: dict[Cell, int] = {}
    previous: Mapping[str | None, int] = {}
    for index, counts in enumerate(history):
        for path, n in counts.items():
            gained = n - previous.get(path, 0)
            if gained < 0:
                raise ValueError(f"responses of {path!r} went down between snapshots")
            if gained:
                cells[(path, index)] = gained
        previous = counts
    return cells


def _signatures(
    cells: Iterable[Cell], publications: Iterable[Publication]
) -> dict[Cell, tuple[Publication, ...]]:
    """For each cell, the publications whose sets contain it."""
    times: dict[str, list[int]] = defaultdict(list)
    for key, index in publications:
        times[key].append(index)
    signatures = {}
    for path, index in cells:
        signatures[(path, index)] = tuple(
            (key, time)
            for key in ancestors(path)
            for time in sorted(times.get(key, ()))
            if time >= index
        )
    return signatures


@dataclass
class _Atoms:
    """Cells grouped by the publications that contain them (those in none are left out: no
    combination of published sets says anything about them)."""

    signatures: list[tuple[Publication, ...]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    cells: list[list[Cell]] = field(default_factory=list)


def _atoms(cells: Mapping[Cell, int], publications: Sequence[Publication]) -> _Atoms:
    by_signature: dict[tuple[Publication, ...], int] = {}
    atoms = _Atoms()
    for cell, signature in _signatures(cells, publications).items():
        if not signature:
            continue
        number = by_signature.get(signature)
        if number is None:
            number = by_signature[signature] = len(atoms.sizes)
            atoms.signatures.append(signature)
            atoms.sizes.append(0)
            atoms.cells.append([])
        atoms.sizes[number] += cells[cell]
        atoms.cells[number].append(cell)
    return atoms


def _leak(atoms: _Atoms, chosen: Iterable[int]) -> Leak:
    numbers = list(chosen)
    return Leak(
        frozenset(cell for number in numbers for cell in atoms.cells[number]),
        sum(atoms.sizes[number] for number in numbers),
    )


def _publications(snapshots: Sequence[Snapshot], kind: str) -> list[Publication]:
    return [
        (key, index)
        for index, snapshot in enumerate(snapshots)
        for key in sorted(getattr(snapshot, kind))
    ]


def text_leak(snapshots: Sequence[Snapshot], minimum: int) -> Leak | None:
    """A set of fewer than ``minimum`` responses whose texts the published text sets single
    out. From sets a reader works out every intersection and difference, so every atom that
    any published set contains must reach the minimum."""
    cells = cells_of([snapshot.counts for snapshot in snapshots])
    atoms = _atoms(cells, _publications(snapshots, "texts"))
    small = [number for number, size in enumerate(atoms.sizes) if size < minimum]
    return _leak(atoms, small[:1]) if small else None


def number_leak(snapshots: Sequence[Snapshot], minimum: int) -> Leak | None:
    """A set of fewer than ``minimum`` responses whose sums some linear combination of the
    published sums gives away, if there is one (the smallest found first)."""
    cells = cells_of([snapshot.counts for snapshot in snapshots])
    publications = _publications(snapshots, "numbers")
    atoms = _atoms(cells, publications)
    small = [number for number, size in enumerate(atoms.sizes) if size < minimum]
    if not small:
        return None  # every combination of atoms is at least one atom: nothing small
    if len(atoms.sizes) > EXACT_MAX_ATOMS:
        return _leak(atoms, [min(small, key=lambda number: atoms.sizes[number])])
    return _exact_leak(atoms, publications, small, minimum)


def _exact_leak(
    atoms: _Atoms, publications: Sequence[Publication], small: list[int], minimum: int
) -> Leak | None:
    """The exact check: the published sums span a space over atoms; find a 0/1 vector in it that
    covers fewer than ``minimum`` responses. Such a vector is zero on every atom of ``minimum``
    or more, so it lies in the part of the span that lives on the small atoms only."""
    row = {publication: number for number, publication in enumerate(publications)}
    matrix = np.zeros((len(publications), len(atoms.sizes)))
    for number, signature in enumerate(atoms.signatures):
        for publication in signature:
            matrix[row[publication], number] = 1.0
    small_set = set(small)
    large = [number for number in range(len(atoms.sizes)) if number not in small_set]
    # Combinations of publications that cancel on every large atom...
    if large:
        combinations = linalg.null_space(matrix[:, large].T, rcond=TOLERANCE)
    else:
        combinations = np.eye(len(publications))
    if combinations.shape[1] == 0:
        return None
    # ...and what they leave on the small atoms: the derivable vectors living there.
    derivable = matrix[:, small].T @ combinations
    left, singular, _ = np.linalg.svd(derivable, full_matrices=False)
    rank = int((singular > TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
    if rank == 0:
        return None
    basis = left[:, :rank]  # orthonormal, one row per small atom
    if rank > EXACT_MAX_DIMENSION:
        # Too many combinations to try: single out the atom most in the span, and let the
        # caller publish less until the space is small enough to check exactly.
        return _leak(atoms, [small[int(np.argmax((basis**2).sum(axis=1)))]])
    # A vector of the space is fixed by its values on ``rank`` well-chosen atoms; a 0/1 vector
    # has 0/1 values there, so trying every 0/1 pattern on them finds every 0/1 vector.
    _q, _r, order = linalg.qr(basis.T, pivoting=True)
    pivots = order[:rank]
    expand = basis @ np.linalg.inv(basis[pivots])
    sizes = np.array([atoms.sizes[number] for number in small])
    patterns = np.array(list(itertools.product((0.0, 1.0), repeat=rank))[1:])
    patterns = patterns[patterns @ sizes[pivots] < minimum]
    if len(patterns) == 0:
        return None
    vectors = patterns @ expand.T
    is_binary = (np.abs(vectors - np.round(vectors)) < 1e-6).all(axis=1) & (
        (np.round(vectors) >= 0) & (np.round(vectors) <= 1)
    ).all(axis=1)
    weights = np.round(vectors) @ sizes
    found = np.flatnonzero(is_binary & (weights > 0) & (weights < minimum))
    if len(found) == 0:
        return None
    best = found[np.argmin(weights[found])]
    return _leak(atoms, [small[i] for i in np.flatnonzero(np.round(vectors[best]) == 1)])


def _last_published_sizes(history: Sequence[Snapshot], kind: str) -> dict[str, int]:
    """Each group's size when it was last published (numbers or texts)."""
    sizes: dict[str, int] = {}
    for snapshot in history:
        groups = getattr(snapshot, kind)
        if groups:
            at_the_time = group_sizes(snapshot.counts)
            for key in groups:
                sizes[key] = at_the_time.get(key, 0)
    return sizes


def _drop_one(candidates: set[str], leak: Leak, index: int, sizes: Mapping[str, int]) -> str | None:
    """The candidate to leave out next: the smallest one whose new set holds part of the leak."""
    involved = [
        key
        for key in candidates
        if any(key in ancestors(path) and time <= index for path, time in leak.cells)
    ]
    if not involved:
        return None
    return min(involved, key=lambda key: (sizes.get(key, 0), -key.count("/"), key))


def _settle(
    history: Sequence[Snapshot],
    counts: Mapping[str | None, int],
    candidates: set[str],
    sizes: Mapping[str, int],
    check: Callable[[list[Snapshot]], Leak | None],
    kind: str,
    fixed: Mapping[str, frozenset[str]],
) -> frozenset[str]:
    """Leave candidates out, smallest first, until ``check`` finds no leak."""
    index = len(history)
    while candidates:
        snapshot = Snapshot(counts, **{**fixed, kind: frozenset(candidates)})
        leak = check([*history, snapshot])
        if leak is None:
            break
        dropped = _drop_one(candidates, leak, index, sizes)
        if dropped is None:
            return frozenset()  # the leak is in what was published before (a raised minimum)
        candidates.discard(dropped)
    return frozenset(candidates)


def next_snapshot(
    history: Sequence[Snapshot],
    counts: Mapping[str | None, int],
    minimum: int,
    text_minimum: int | None = None,
) -> Snapshot:
    """The snapshot to publish now, given every earlier one and the responses per exact path.

    Numbers: every group the tree guard shows today whose figures changed since it was last
    published, less those whose publication would single out fewer than ``minimum`` responses
    together with anything published before. Texts (only when ``text_minimum`` is given, at a
    closing): groups whose numbers are current, of ``text_minimum`` or more, checked the same
    way with set algebra.
    """
    sizes = group_sizes(counts)
    tree = {key: Group(key, parent_of(key), n) for key, n in sizes.items()}
    shown = set(tree) - suppressed_groups(tree, minimum)
    published = _last_published_sizes(history, "numbers")
    changed = {key for key in shown if published.get(key) != sizes[key]}
    # A group published before that gained fewer than ``minimum`` responses since would give
    # those away by a mere difference of its two figures, so it can never be in the result: it
    # is left out now rather than by the exact check below, one full check per such group (a
    # live refresh of a large company has hundreds of them; minutes instead of a second).
    changed = {
        key for key in changed if key not in published or sizes[key] - published[key] >= minimum
    }
    if number_leak(list(history), minimum) is not None:
        changed = set()  # published before under a lower minimum: publish nothing new
    numbers = _settle(
        history,
        counts,
        changed,
        sizes,
        lambda snapshots: number_leak(snapshots, minimum),
        "numbers",
        {},
    )
    texts: frozenset[str] = frozenset()
    if text_minimum is not None:
        current = {key for key in shown if key in numbers or published.get(key) == sizes[key]}
        candidates = {key for key in current if sizes[key] >= text_minimum}
        if text_leak(list(history), text_minimum) is not None:
            candidates = set()
        texts = _settle(
            history,
            counts,
            candidates,
            sizes,
            lambda snapshots: text_leak(snapshots, text_minimum),
            "texts",
            {"numbers": numbers},
        )
    return Snapshot(dict(counts), frozenset(numbers), texts)
