"""What a questionnaire gives every answer form and submission (its items, their order and
scoring keys, its questions' texts) as plain data, built once per process for a frozen one.

A questionnaire is frozen when the first survey using it launches and can never change after
that, so its outline is kept, keyed by the questionnaire and the moment it was frozen. One that
can still be edited is read afresh every time: an edit shows on the next page at once."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from flask import current_app

from cxculture.models import Instrument
from cxculture.scoring.scores import ItemKey

# A bound on what one process keeps: frozen questionnaires are few (a version or two a year),
# and each is small; past this, everything is dropped and rebuilt as it is asked for.
KEPT_AT_MOST = 256
_EXTENSION = "cxculture.questionnaire_outlines"


@dataclass(frozen=True)
class ItemOutline:
    """One item as the form shows it and scoring reads it."""

    id: int
    number: int  # its number on the page, from 1
    dimension: str
    is_reverse_keyed: bool
    texts: Mapping[str, str]

    def text_in(self, locale: str) -> str:
        return self.texts.get(locale) or self.texts["en"]


@dataclass(frozen=True)
class QuestionnaireOutline:
    """A questionnaire's items in page order, their scoring keys, and its other questions."""

    instrument_id: int
    frozen_at: datetime | None
    items: tuple[ItemOutline, ...]
    keys: Mapping[int, ItemKey]  # item id -> dimension and direction, for scoring
    open_question: Mapping[str, str]
    comment_prompt: Mapping[str, str]
    outcome_question: Mapping[str, str] | None  # the 0-10 question, where it is asked

    @property
    def item_ids(self) -> frozenset[int]:
        return frozenset(self.keys)

    @property
    def cache_key(self) -> tuple[int, datetime] | None:
        """What identifies this outline for as long as the process lives; None while the
        questionnaire can still be edited (then nothing built from it may be kept)."""
        return None if self.frozen_at is None else (self.instrument_id, self.frozen_at)


def _texts(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def build_outline(instrument: Instrument) -> QuestionnaireOutline:
    """The outline of ``instrument``, read from its rows (its items are loaded if need be)."""
    items = tuple(
        ItemOutline(
            id=item.id,
            number=number,
            dimension=item.dimension,
            is_reverse_keyed=item.is_reverse_keyed,
            texts=_texts(item.texts),
        )
        for number, item in enumerate(instrument.items, start=1)
    )
    outcome = instrument.outcome_question
    return QuestionnaireOutline(
        instrument_id=instrument.id,
        frozen_at=instrument.frozen_at,
        items=items,
        keys=MappingProxyType(
            {item.id: ItemKey(item.dimension, item.is_reverse_keyed) for item in items}
        ),
        open_question=_texts(instrument.open_question),
        comment_prompt=_texts(instrument.comment_prompt),
        outcome_question=None if outcome is None else _texts(outcome),
    )


def kept(kind: str, key: Hashable | None, build: Callable[[], Any]) -> Any:
    """``build()``, kept per process under (``kind``, ``key``) unless ``key`` is None.

    Kept with the application, so each application (each worker process, each test's app) has
    its own and nothing outlives the database it was read from."""
    if key is None:
        return build()
    store: dict = current_app.extensions.setdefault(_EXTENSION, {})
    found = store.get((kind, key))
    if found is None:
        if len(store) >= KEPT_AT_MOST:
            store.clear()
        found = store[(kind, key)] = build()
    return found


def outline_of(instrument: Instrument) -> QuestionnaireOutline:
    """The outline of ``instrument``: built once per process when frozen (its items are then
    not even loaded again), read afresh while it can be edited."""
    key = None if instrument.frozen_at is None else (instrument.id, instrument.frozen_at)
    return kept("outline", key, lambda: build_outline(instrument))
