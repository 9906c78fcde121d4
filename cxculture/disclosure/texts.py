"""What people wrote: released at closing only, for groups the release guard lets through, and
never so that comparing this wave's texts with an earlier wave's singles out a few people."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select

from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import Instrument, ResultSnapshot, Survey


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _texts(rows: Iterable[tuple[str | None, str | None]]) -> list[tuple[str, ...]]:
    """Each response's texts, normalised (what a reader would match across waves)."""
    return [tuple(_normalised(text) for text in row if text) for row in rows]


def _changed(mine: list[tuple[str, ...]], theirs: list[tuple[str, ...]]) -> int:
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


def _earlier_wave_texts(survey: Survey, key: str) -> list[tuple[str, ...]] | None:
    """The texts of ``key`` as the newest earlier wave of the questionnaire released them."""
    earlier = db.session.execute(
        select(Survey)
        .join(Instrument, Instrument.id == Survey.instrument_id)
        .where(
            Instrument.key == survey.instrument.key,
            Survey.id != survey.id,
            Survey.launched_at.is_not(None),
            Survey.opens_at < survey.opens_at,
            Survey.free_text_deleted_at.is_(None),
        )
        .order_by(Survey.opens_at.desc())
    ).scalars()
    for wave in earlier:
        last = db.session.execute(
            select(ResultSnapshot)
            .where(ResultSnapshot.survey_id == wave.id, ResultSnapshot.is_closing.is_(True))
            .order_by(ResultSnapshot.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        if last is not None and key in (last.text_groups or ()):
            return _texts(measures.group_texts(wave, key))
    return None


def without_wave_differences(survey: Survey, keys: Iterable[str], minimum: int) -> set[str]:
    """``keys`` less the groups whose texts, set beside the same group's texts in the previous
    wave, would show that only a few people wrote something new, or stopped writing something:
    many people write the same words twice, and what changed is then the newcomers' or
    leavers' own."""
    kept = set()
    for key in keys:
        before = _earlier_wave_texts(survey, key)
        if before is not None:
            now = _texts(measures.group_texts(survey, key))
            if any(
                0 < changed < minimum for changed in (_changed(now, before), _changed(before, now))
            ):
                continue
        kept.add(key)
    return kept


def released_rows(survey: Survey, key: str, n: int) -> list[tuple[str, ...]] | None:
    """The texts of the group ``key`` released with ``n`` responses, one tuple per response in
    shuffled order; None when the responses are not those ``n`` any more."""
    rows = measures.group_texts(survey, key)
    if len(rows) != n:
        return None
    return [tuple(text for text in row if text) for row in rows]


def released_texts(survey: Survey, key: str, n: int) -> list[str] | None:
    """The texts of the group ``key`` released with ``n`` responses: shuffled, without names,
    dates or any other attribute; None when the responses are not those ``n`` any more."""
    rows = released_rows(survey, key, n)
    if rows is None:
        return None
    found = [text for row in rows for text in row]
    random.SystemRandom().shuffle(found)  # a comment must not sit beside its own statement
    return found
