"""What people wrote: released at closing only, for groups the release guard lets through, and
never so that comparing this wave's texts with an earlier wave's singles out a few people.

A closed wave's released texts never change: responses are only ever added, and none can be
added once a survey has closed and its closing snapshot has settled. They are read once per
process and kept (``_Kept``), keyed by everything that would change what the release layer lets
out: the survey, the closing snapshot that released them (its id and when it was taken), the
group and its number of responses, and whether the texts were deleted at the end of their
retention period. Reopening a survey takes its texts out of the release (they are released for
closed surveys only) and closing it again takes a new snapshot or keeps the same responses.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select

from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import Instrument, ResultSnapshot, Survey
from cxculture.paths import COMPANY, is_at_or_below

if TYPE_CHECKING:
    from cxculture.disclosure.release import Release

PAGE_SIZE = 50  # texts shown at a time: ten thousand in one list are not read anyway
# Texts kept per process across every group (about the statements and comments of a company of
# 100,000 people); the group read longest ago is dropped first.
KEPT_TEXTS = 200_000


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# A fingerprint set carries this check of the key it was made with: after the key changes its
# fingerprints match nothing, and a wave compared with them would look entirely new.
_KEY_CHECK = b"cxculture text fingerprints"

Fingerprints = list[tuple[str, ...]]  # one tuple per response, of its texts' fingerprints


def _fingerprint(key: bytes, text: str) -> str:
    return hmac.new(key, b"text\0" + _normalised(text).encode(), hashlib.sha256).hexdigest()[:32]


def _key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def _key_check() -> str:
    return hmac.new(_key(), _KEY_CHECK, hashlib.sha256).hexdigest()[:16]


def _response_fingerprints(key: bytes, row: tuple[str | None, str | None]) -> tuple[str, ...]:
    return tuple(sorted(_fingerprint(key, text) for text in row if text))


def fingerprints(rows: Iterable[tuple[str | None, str | None]]) -> Fingerprints:
    """Each response's texts as keyed fingerprints of their normalised words (what a reader
    would match across waves), sorted, so they keep neither the texts nor any order."""
    key = _key()
    return sorted(_response_fingerprints(key, row) for row in rows)


def _changed(mine: Fingerprints, theirs: Fingerprints) -> int:
    """How many of ``mine`` wrote something ``theirs`` did not (as a multiset of texts)."""
    available = Counter(text for row in theirs for text in row)
    changed = 0
    for row in mine:
        unmatched = False
        for text in row:
            if available[text] > 0:
                available[text] -= 1
            else:
                unmatched = True
        changed += unmatched
    return changed


def kept_fingerprints(snapshot: ResultSnapshot) -> dict[str, Fingerprints]:
    """The fingerprints a snapshot keeps of the texts it released, by group; empty when it
    keeps none or they were made with another key."""
    stored = snapshot.text_fingerprints or {}
    if stored.get("check") != _key_check():
        return {}
    return {key: [tuple(row) for row in rows] for key, rows in stored.get("groups", {}).items()}


def fingerprint_released(survey: Survey, snapshot: ResultSnapshot) -> None:
    """Keep on ``snapshot`` the fingerprints of every group's texts it released (the caller
    commits): from then on a later wave is compared with them even after the texts are deleted.
    Each text is read and fingerprinted once, then counted in every group above it."""
    key = _key()
    by_path = {
        path: [_response_fingerprints(key, row) for row in rows]
        for path, rows in measures.texts_by_path(survey).items()
    }
    snapshot.text_fingerprints = {
        "check": _key_check(),
        "groups": {
            group: [
                list(row)
                for row in sorted(
                    row
                    for path, rows in by_path.items()
                    if group == COMPANY or (path is not None and is_at_or_below(path, group))
                    for row in rows
                )
            ]
            for group in snapshot.text_groups or ()
        },
    }


def keep_text_fingerprints(survey: Survey) -> None:
    """Before a survey's texts are deleted: fingerprint whatever its closing snapshots released
    without fingerprints of the current key (releases made before fingerprints were kept)."""
    for snapshot in db.session.execute(
        select(ResultSnapshot).where(
            ResultSnapshot.survey_id == survey.id, ResultSnapshot.is_closing.is_(True)
        )
    ).scalars():
        if snapshot.text_groups and not kept_fingerprints(snapshot):
            fingerprint_released(survey, snapshot)


def _earlier_waves(survey: Survey) -> list[tuple[Survey, ResultSnapshot]]:
    """Every earlier launched wave of the questionnaire with its last closing snapshot."""
    waves = db.session.execute(
        select(Survey)
        .join(Instrument, Instrument.id == Survey.instrument_id)
        .where(
            Instrument.key == survey.instrument.key,
            Survey.id != survey.id,
            Survey.launched_at.is_not(None),
            Survey.opens_at < survey.opens_at,
        )
        .order_by(Survey.opens_at.desc())
    ).scalars()
    found = []
    for wave in waves:
        last = db.session.execute(
            select(ResultSnapshot)
            .where(ResultSnapshot.survey_id == wave.id, ResultSnapshot.is_closing.is_(True))
            .order_by(ResultSnapshot.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        if last is not None and last.text_groups:
            found.append((wave, last))
    return found


def _earlier_texts(
    earlier: list[tuple[Survey, ResultSnapshot]], key: str
) -> list[Fingerprints | None]:
    """The group's released texts in each earlier wave that released them, as fingerprints;
    None for a wave whose texts were deleted without fingerprints kept (they cannot be compared
    with any more, though a reader may have kept them)."""
    found: list[Fingerprints | None] = []
    for wave, snapshot in earlier:
        if key not in snapshot.text_groups:
            continue
        kept = kept_fingerprints(snapshot).get(key)
        if kept is not None:
            found.append(kept)
        elif wave.free_text_deleted_at is None:
            found.append(fingerprints(measures.group_texts(wave, key)))
        else:
            found.append(None)
    return found


def without_wave_differences(survey: Survey, keys: Iterable[str], minimum: int) -> set[str]:
    """``keys`` less the groups whose texts, set beside the same group's texts in any earlier
    wave that released them, would show that only a few people wrote something new, or stopped
    writing something: many people write the same words twice, and what changed is then the
    newcomers' or leavers' own. Earlier texts deleted at the end of their retention are compared
    through the fingerprints kept of them (a reader may have kept the texts); where none were
    kept, the group's texts stay hidden."""
    earlier = _earlier_waves(survey)
    kept = set()
    for key in keys:
        before = _earlier_texts(earlier, key)
        if before:
            if any(wave is None for wave in before):
                continue
            now = fingerprints(measures.group_texts(survey, key))
            if any(
                0 < changed < minimum
                for wave in before
                if wave is not None
                for changed in (_changed(now, wave), _changed(wave, now))
            ):
                continue
        kept.add(key)
    return kept


@dataclass
class ReleasedTexts:
    """A group's released texts, in the order every reader is shown them.

    The order is worked out from the texts alone (a keyed hash of each), so it cannot follow
    submission or department, nor put a comment beside its own statement, and it is the same on
    every request and every server process: a reader paging through sees each text once.
    ``derived`` keeps what is worked out from the texts (their themes), under the caller's key.
    """

    rows: tuple[tuple[str, ...], ...]  # one tuple per response (what themes count over)
    texts: tuple[str, ...]
    derived: dict[Hashable, object] = field(default_factory=dict)


class _Kept:
    """Released texts per group, the group read longest ago dropped first past ``budget`` texts."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict[Hashable, ReleasedTexts] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> ReleasedTexts | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: Hashable, entry: ReleasedTexts) -> None:
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.size += len(entry.texts)
            while self.size > self.budget and len(self.entries) > 1:
                _key, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.texts)


def _kept() -> _Kept:
    # One per application, so two apps in one process (tests, benchmarks) never share texts.
    kept: _Kept = current_app.extensions.setdefault("cxculture.released_texts", _Kept(KEPT_TEXTS))
    return kept


def _order_key(salt: bytes) -> Callable[[tuple[str, ...] | str], tuple[bytes, str]]:
    def key(value: tuple[str, ...] | str) -> tuple[bytes, str]:
        joined = "\x1f".join(value) if isinstance(value, tuple) else value
        digest = hashlib.blake2b(joined.encode("utf-8"), key=salt, digest_size=16).digest()
        return digest, joined  # equal texts are alike wherever they fall

    return key


def _salt(release: Release, key: str) -> bytes:
    """A key for the order of one group's texts in one release: secret (drawn from the
    application's secret key), so nobody can word a text to come first."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    label = f"released-texts:{release.survey.id}:{release.texts_snapshot_id}:{key}"
    return hmac.new(secret, label.encode("utf-8"), hashlib.sha256).digest()


def _read(release: Release, key: str, n: int) -> ReleasedTexts | None:
    rows = measures.group_texts(release.survey, key)
    if len(rows) != n:
        return None  # the responses are not those the snapshot released
    order = _order_key(_salt(release, key))
    kept_rows = sorted((tuple(text for text in row if text) for row in rows), key=order)
    texts = sorted((text for row in kept_rows for text in row), key=order)
    return ReleasedTexts(tuple(kept_rows), tuple(texts))


def released(release: Release, key: str) -> ReleasedTexts | None:
    """The texts of the group ``key`` as released: None unless the release lets them out (a
    closed survey's closing snapshot, for a group the guard chose) and the group's responses
    are still those it released."""
    if key not in release.text_groups or release.texts_snapshot_id is None:
        return None
    n = release.group(key).n or 0
    survey = release.survey
    kept_as = (
        survey.id,
        release.texts_snapshot_id,
        release.latest_at,
        key,
        n,
        survey.free_text_deleted_at,
    )
    kept = _kept()
    found = kept.get(kept_as)
    if found is None:
        found = _read(release, key, n)
        if found is None:
            return None
        kept.put(kept_as, found)
    return found


def released_rows(release: Release, key: str) -> list[tuple[str, ...]] | None:
    """The released texts of the group ``key``, one tuple per response, in released order;
    None when they are not released."""
    found = released(release, key)
    return None if found is None else list(found.rows)


def released_texts(release: Release, key: str) -> list[str] | None:
    """The released texts of the group ``key`` in released order, without names, dates or any
    other attribute; None when they are not released."""
    found = released(release, key)
    return None if found is None else list(found.texts)


@dataclass(frozen=True)
class TextPage:
    """One page of a group's released texts."""

    texts: tuple[str, ...]
    number: int  # 1, 2, ...
    pages: int
    total: int

    def __bool__(self) -> bool:
        return self.total > 0  # nothing written, or deleted at the end of its retention

    @property
    def first(self) -> int:
        """The place of the page's first text among all (from 1)."""
        return (self.number - 1) * PAGE_SIZE + 1 if self.texts else 0

    @property
    def last(self) -> int:
        return self.first + len(self.texts) - 1 if self.texts else 0


def page_of(release: Release, key: str, number: int) -> TextPage | None:
    """Page ``number`` (the last one when past it) of the group's released texts; None when
    they are not released."""
    found = released(release, key)
    if found is None:
        return None
    total = len(found.texts)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    start = (number - 1) * PAGE_SIZE
    return TextPage(found.texts[start : start + PAGE_SIZE], number, pages, total)
