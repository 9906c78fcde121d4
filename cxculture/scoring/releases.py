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

The check is exact and grows with the tree, not with its square: the span is worked out down
the department tree (``_derivable_on_small_atoms``), what it leaves on the small atoms falls
into separate pieces searched one by one, and a piece of many dimensions is searched by trying
the few sets of atoms light enough to matter.

Pure: plain data in, plain data out; nothing here knows the database or Flask.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, sparse
from scipy.sparse.csgraph import connected_components

from cxculture.paths import ancestors, depth_of, parent_of
from cxculture.scoring.anonymity import Group, suppressed_groups

Cell = tuple[str | None, int]  # (exact department path, index of the snapshot that first held it)
Publication = tuple[str, int]  # (group key, snapshot index)

# Beyond these the exact search would take seconds: the guard then singles out the atom most in
# the span, which is stricter (never looser) than the exact check.
EXACT_MAX_DIMENSION = 14  # 2**14 combinations of the derivable small atoms are tried at most
SUBSETS_TRIED = 200_000  # past this dimension, sets of small atoms are tried instead
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
    leaks = number_leaks(snapshots, minimum)
    return leaks[0] if leaks else None


def number_leaks(snapshots: Sequence[Snapshot], minimum: int) -> list[Leak]:
    """Sets of fewer than ``minimum`` responses that combinations of the published sums give
    away, sharing no atom, lightest first (empty when there is none): what the guard leaves
    out a candidate for, several at a time."""
    cells = cells_of([snapshot.counts for snapshot in snapshots])
    publications = _publications(snapshots, "numbers")
    atoms = _atoms(cells, publications)
    small = [number for number, size in enumerate(atoms.sizes) if size < minimum]
    if not small:
        return []  # every combination of atoms is at least one atom: nothing small
    return _exact_leaks(atoms, publications, small, minimum)


def _exact_leaks(
    atoms: _Atoms, publications: Sequence[Publication], small: list[int], minimum: int
) -> list[Leak]:
    """The exact check: the published sums span a space over atoms; find 0/1 vectors in it that
    cover fewer than ``minimum`` responses. Such a vector is zero on every atom of ``minimum``
    or more, so it lies in the part of the span that lives on the small atoms only.

    That part splits into pieces on separate atoms (its projector is block diagonal), and a 0/1
    vector of it is one in each piece, so each piece is searched on its own."""
    derivable = _derivable_on_small_atoms(atoms, publications, small)
    if derivable.shape[1] == 0:
        return []
    left, singular, _ = np.linalg.svd(derivable, full_matrices=False)
    rank = int((singular > TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
    if rank == 0:
        return []
    basis = left[:, :rank]  # orthonormal, one row per small atom
    projector = basis @ basis.T
    pieces, piece_of = connected_components(
        sparse.csr_matrix(np.abs(projector) > 1e-9), directed=False
    )
    sizes = np.array([atoms.sizes[number] for number in small], dtype=float)
    leaks = []
    for piece in range(pieces):
        members = np.flatnonzero(piece_of == piece)
        vectors, values, _ = np.linalg.svd(projector[np.ix_(members, members)])
        dimension = int((values > 0.5).sum())  # a projector's eigenvalues are 0 or 1
        if dimension == 0:
            continue
        for found in _small_binaries(vectors[:, :dimension], sizes[members], minimum):
            leaks.append(_leak(atoms, [small[members[i]] for i in found]))
    return sorted(leaks, key=lambda leak: leak.size)


def _small_binaries(basis: np.ndarray, sizes: np.ndarray, minimum: int) -> list[list[int]]:
    """The 0/1 vectors of a space over atoms (rows of ``basis``, an orthonormal basis of it)
    that weigh more than nothing and less than ``minimum``, as the atoms they hold: the
    lightest first, then each next lightest that shares no atom with those before."""
    rank = basis.shape[1]
    if rank > EXACT_MAX_DIMENSION:
        return _small_sets_in_space(basis @ basis.T, sizes, minimum)
    # A vector of the space is fixed by its values on ``rank`` well-chosen atoms; a 0/1 vector
    # has 0/1 values there, so trying every 0/1 pattern on them finds every 0/1 vector.
    _q, _r, order = linalg.qr(basis.T, pivoting=True)
    pivots = order[:rank]
    expand = basis @ np.linalg.inv(basis[pivots])
    patterns = np.array(list(itertools.product((0.0, 1.0), repeat=rank))[1:])
    patterns = patterns[patterns @ sizes[pivots] < minimum]
    if len(patterns) == 0:
        return []
    vectors = patterns @ expand.T
    is_binary = (np.abs(vectors - np.round(vectors)) < 1e-6).all(axis=1) & (
        (np.round(vectors) >= 0) & (np.round(vectors) <= 1)
    ).all(axis=1)
    weights = np.round(vectors) @ sizes
    found = np.flatnonzero(is_binary & (weights > 0) & (weights < minimum))
    chosen: list[list[int]] = []
    taken: set[int] = set()
    for vector in found[np.argsort(weights[found], kind="stable")]:
        atoms = [int(i) for i in np.flatnonzero(np.round(vectors[vector]) == 1)]
        if taken.isdisjoint(atoms):
            chosen.append(atoms)
            taken.update(atoms)
    return chosen


def _small_sets_in_space(projector: np.ndarray, sizes: np.ndarray, minimum: int) -> list[list[int]]:
    """As ``_small_binaries`` for a space of many dimensions, from its ``projector``: every set
    of atoms weighing less than ``minimum`` is tried (so at most ``minimum - 1`` atoms), and
    one lies in the space exactly when its projection keeps its length (the sum of the
    projector over the set equals the set's size). Past SUBSETS_TRIED sets the search stops and
    singles out the atom most in the space, which is stricter than the exact answer."""
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    found: list[tuple[float, list[int]]] = []
    tried = 0

    def extend(chosen: list[int], weight: float, inner: float, start: int) -> bool:
        nonlocal tried
        for position in range(start, len(order)):
            atom = order[position]
            if weight + sizes[atom] >= minimum:
                break  # sorted by size: every later atom is heavier still
            tried += 1
            if tried > SUBSETS_TRIED:
                return False
            grown = inner + projector[atom, atom] + 2 * projector[atom, chosen].sum()
            members = [*chosen, atom]
            if abs(grown - len(members)) < 1e-6:
                found.append((weight + sizes[atom], members))
            if not extend(members, weight + sizes[atom], grown, position + 1):
                return False
        return True

    if not extend([], 0.0, 0.0, 0):
        return [[int(np.argmax(np.diag(projector)))]]
    chosen_sets: list[list[int]] = []
    taken: set[int] = set()
    for _weight, members in sorted(found, key=lambda pair: pair[0]):
        if taken.isdisjoint(members):
            chosen_sets.append(sorted(members))
            taken.update(members)
    return chosen_sets


@dataclass
class _Subtree:
    """What a subtree allows, seen from above. With small cells: the pairs (u, y) whose columns
    ``span`` spans, where u is the sum of the coefficients its ancestors' publications carry at
    each snapshot (one row per snapshot) and y the values left on its small cells (one row per
    cell, in ``cells``) by a combination that cancels on all of its large cells. Without: only
    the conditions ``conditions @ u == 0`` it puts on u (no rows: none)."""

    span: np.ndarray | None = None
    cells: list[int] = field(default_factory=list)  # positions in the list of small atoms
    conditions: np.ndarray | None = None


# Below this a singular value is zero. The matrices of the tree-wise check hold 0/1 entries and
# orthonormal columns, so their scale is one: an absolute cut, never one relative to the matrix
# itself (that would take rounding noise in a matrix that is all but zero for a direction).
ZERO = 1e-9


def _null_space(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the vectors ``matrix`` sends to zero (as columns)."""
    if matrix.shape[0] == 0:
        return np.eye(matrix.shape[1])
    _u, singular, rows = np.linalg.svd(matrix, full_matrices=True)
    return rows[int((singular > ZERO).sum()) :].T


def _column_space(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of what ``matrix`` spans (as columns)."""
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        return np.zeros((matrix.shape[0], 0))
    columns, singular, _rows = np.linalg.svd(matrix, full_matrices=False)
    return columns[:, : int((singular > ZERO).sum())]


def _conditions_on_u(on_f: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """The conditions on u that ``on_f @ (u + blocks @ w) == 0`` leaves for some w: the
    combinations of the rows that ``blocks`` cannot meet. A leaf asks only that its large cells
    be zero, and is worked out by counting: a snapshot in none of its blocks must be zero in u,
    and snapshots in one block must be equal in u."""
    slots = on_f.shape[1]
    if on_f.shape[0] == 0:
        return on_f
    if blocks.shape[1] == 0:
        return on_f if on_f.shape[0] <= slots else _column_space(on_f.T).T
    is_selection = ((on_f == 0) | (on_f == 1)).all() and (on_f.sum(axis=1) == 1).all()
    if not is_selection:
        left = _null_space((on_f @ blocks).T)
        found = left.T @ on_f
        return found if found.shape[0] <= slots else _column_space(found.T).T
    chosen = sorted({int(np.argmax(row)) for row in on_f})
    rows = []
    first_in_block: dict[int, int] = {}
    for slot in chosen:
        holding = np.flatnonzero(blocks[slot])
        if len(holding) == 0:
            rows.append(np.eye(slots)[slot])
        elif int(holding[0]) in first_in_block:
            rows.append(np.eye(slots)[first_in_block[int(holding[0])]] - np.eye(slots)[slot])
        else:
            first_in_block[int(holding[0])] = slot
    return np.array(rows).reshape(len(rows), slots)


def _derivable_on_small_atoms(
    atoms: _Atoms, publications: Sequence[Publication], small: list[int]
) -> np.ndarray:
    """Columns spanning what the combinations of published sums that cancel on every large atom
    leave on the small atoms (one row per atom of ``small``).

    Worked out down the department tree rather than over the whole matrix of publications and
    atoms. A publication of group g at snapshot t is, in a better basis, a set of *blocks*: g's
    subtree times the snapshots since g's previous publication. A combination then gives a
    response of exact path p arrived at snapshot i the sum, over p's groups, of the coefficient
    of their block holding i: a vector over snapshots accumulated from the company down. Each
    subtree is summed up, leaves first, as the space of (what its ancestors add, what its small
    cells get) that keeps its large cells at zero; the company adds nothing above it. The cost
    grows with the tree and the number of snapshots, not with the square of the tree."""
    slots = 1 + max((index for atom in atoms.cells for _path, index in atom), default=0)
    slots = max(slots, 1 + max((index for _key, index in publications), default=0))
    times: dict[str, list[int]] = defaultdict(list)
    for key, index in publications:
        times[key].append(index)
    small_position = {number: position for position, number in enumerate(small)}
    large_slots: dict[str, set[int]] = defaultdict(set)
    small_cells: dict[str, list[tuple[int, int]]] = defaultdict(list)
    nodes: set[str] = set()
    for number, cells in enumerate(atoms.cells):
        for path, index in cells:
            node = path or ""
            nodes.update(ancestors(path))
            if number in small_position:
                small_cells[node].append((index, small_position[number]))
            else:
                large_slots[node].add(index)
    children: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        parent = parent_of(node)
        if parent is not None:
            children[parent].append(node)

    done: dict[str, _Subtree] = {}
    for node in sorted(nodes, key=lambda key: -key.count("/") - (key != "")):
        blocks = np.zeros((slots, len(times.get(node, ()))))
        previous = -1
        for column, time in enumerate(sorted(times.get(node, ()))):
            blocks[previous + 1 : time + 1, column] = 1.0
            previous = time
        below = [done.pop(child) for child in children.get(node, ())]
        # Conditions on F (= u + blocks @ w): its large cells are zero, and what the children
        # without small cells ask of it.
        on_f = [np.eye(slots)[sorted(large_slots[node])]]
        on_f += [child.conditions for child in below if child.conditions is not None]
        carried = [(child.span, child.cells) for child in below if child.span is not None]
        if not carried and not small_cells[node]:
            done[node] = _Subtree(conditions=_conditions_on_u(np.vstack(on_f), blocks))
            continue
        own = np.hstack([np.eye(slots), blocks])  # F over (u, w)
        width = own.shape[1] + sum(span.shape[1] for span, _positions in carried)
        rows = np.pad(np.vstack(on_f) @ own, ((0, 0), (0, width - own.shape[1])))
        outputs = np.vstack([np.eye(slots, own.shape[1]), own[[i for i, _ in small_cells[node]]]])
        outputs = np.pad(outputs, ((0, 0), (0, width - own.shape[1])))
        positions = [position for _index, position in small_cells[node]]
        start = own.shape[1]
        for span, below_positions in carried:
            size = span.shape[1]
            consistent = np.zeros((slots, width))
            consistent[:, : own.shape[1]] = -own
            consistent[:, start : start + size] = span[:slots]
            values = np.zeros((len(below_positions), width))
            values[:, start : start + size] = span[slots:]
            rows = np.vstack([rows, consistent])
            outputs = np.vstack([outputs, values])
            positions += below_positions
            start += size
        done[node] = _Subtree(_column_space(outputs @ _null_space(rows)), positions)

    top = done.get("", _Subtree())
    if top.span is None:
        return np.zeros((len(small), 0))
    values = top.span[slots:] @ _null_space(top.span[:slots])  # nothing above the company
    first_cell: dict[int, int] = {}
    for row, position in enumerate(top.cells):
        first_cell.setdefault(position, row)
    derivable = np.zeros((len(small), values.shape[1]))
    for position, row in first_cell.items():
        derivable[position] = values[row]
    return derivable


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
    """The candidate to leave out next: the smallest one whose new set holds part of the leak;
    when none does (the leak is worked out through its relatives' figures), the one nearest to
    it in the tree. None when no candidate is left to blame: the leak is in what was published
    before."""
    involved = [
        key
        for key in candidates
        if any(key in ancestors(path) and time <= index for path, time in leak.cells)
    ]
    if involved:
        return min(involved, key=lambda key: (sizes.get(key, 0), -key.count("/"), key))
    leaked = [set(ancestors(path)) for path, _time in leak.cells]
    # How deep the closest department shared with the leak lies (the company shares -1).
    nearness = {
        key: max(depth_of(shared) for groups in leaked for shared in groups & set(ancestors(key)))
        for key in candidates
    }
    if not nearness:
        return None
    return min(candidates, key=lambda key: (-nearness[key], sizes.get(key, 0), key))


def _settle(
    history: Sequence[Snapshot],
    counts: Mapping[str | None, int],
    candidates: set[str],
    sizes: Mapping[str, int],
    check: Callable[[list[Snapshot]], list[Leak]],
    kind: str,
    fixed: Mapping[str, frozenset[str]],
) -> frozenset[str]:
    """Leave candidates out, smallest first, until ``check`` finds no leak: for every leak it
    reports, the candidate ``_drop_one`` blames (several leaks, several at once)."""
    index = len(history)
    while candidates:
        snapshot = Snapshot(counts, **{**fixed, kind: frozenset(candidates)})
        leaks = check([*history, snapshot])
        if not leaks:
            break
        for leak in leaks:
            dropped = _drop_one(candidates, leak, index, sizes)
            if dropped is None:
                break
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
        lambda snapshots: number_leaks(snapshots, minimum),
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
            lambda snapshots: [leak] if (leak := text_leak(snapshots, text_minimum)) else [],
            "texts",
            {"numbers": numbers},
        )
    return Snapshot(dict(counts), frozenset(numbers), texts)
