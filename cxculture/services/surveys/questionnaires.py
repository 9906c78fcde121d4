"""Instruments: loading the shipped questionnaire, copying it into a new version, editing items
until a survey using it launches."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select

from config import SUPPORTED_LOCALES
from cxculture.extensions import db
from cxculture.models import Instrument, InstrumentItem, User
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import audit

CONTENT = Path(__file__).resolve().parents[2] / "content" / "instruments"
# Every shipped version, oldest first: each later one keeps the earlier items, so waves compare.
SHIPPED_INSTRUMENTS = (
    CONTENT / "customer_orientation_index.yaml",
    CONTENT / "customer_orientation_index_v2.yaml",
)
SHIPPED_INSTRUMENT = SHIPPED_INSTRUMENTS[0]


class InstrumentError(ValueError):
    """An instrument file or edit that cannot be accepted."""


class InstrumentFrozen(Exception):
    """The instrument is used by a launched survey; its items can no longer change."""


def _texts(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InstrumentError(f"{where}: expected a text per language")
    texts = {locale: str(value.get(locale) or "").strip() for locale in SUPPORTED_LOCALES}
    missing = [locale for locale, text in texts.items() if not text]
    if missing:
        raise InstrumentError(f"{where}: missing text in {', '.join(missing)}")
    return texts


def _read(path: Path) -> dict:
    """A questionnaire file as data; one naming ``items_from`` takes the names, questions and
    items of that file (beside it) unless it gives its own."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise InstrumentError(f"{path.name}: expected a questionnaire")
    source = data.pop("items_from", None)
    if source is None:
        return data
    base = _read(path.parent / str(source))
    if base.get("key") != data.get("key"):
        raise InstrumentError(f"{path.name}: takes its items from another questionnaire")
    return {**base, **data}


def parse_instrument(data: dict) -> Instrument:
    """An unsaved Instrument from the parsed YAML, checked for completeness."""
    items = data.get("items") or []
    outcome = data.get("outcome_question")
    instrument = Instrument(
        key=str(data["key"]),
        version=int(data["version"]),
        names=_texts(data.get("names"), "names"),
        open_question=_texts(data.get("open_question"), "open_question"),
        comment_prompt=_texts(data.get("comment_prompt"), "comment_prompt"),
        outcome_question=None if outcome is None else _texts(outcome, "outcome_question"),
    )
    codes = set()
    for position, raw in enumerate(items, start=1):
        code = str(raw.get("code") or "")
        if not code or code in codes:
            raise InstrumentError(f"item {position}: missing or repeated code {code!r}")
        codes.add(code)
        if raw.get("dimension") not in DIMENSIONS:
            raise InstrumentError(f"item {code}: unknown dimension {raw.get('dimension')!r}")
        instrument.items.append(
            InstrumentItem(
                code=code,
                dimension=raw["dimension"],
                is_reverse_keyed=bool(raw.get("reverse", False)),
                position=position,
                texts=_texts(raw.get("text"), f"item {code}"),
            )
        )
    covered = {item.dimension for item in instrument.items}
    if covered != set(DIMENSIONS):
        missing = ", ".join(sorted(set(DIMENSIONS) - covered))
        raise InstrumentError(f"no items for: {missing}")
    return instrument


def load_instrument(path: Path = SHIPPED_INSTRUMENT) -> tuple[Instrument, bool]:
    """Store the instrument in ``path`` unless that key and version exist; (instrument, created).
    A later version is recorded as based on the version before it, when that one is stored."""
    instrument = parse_instrument(_read(path))
    existing = db.session.execute(
        select(Instrument).where(
            Instrument.key == instrument.key, Instrument.version == instrument.version
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    instrument.based_on = db.session.execute(
        select(Instrument).where(
            Instrument.key == instrument.key, Instrument.version == instrument.version - 1
        )
    ).scalar_one_or_none()
    db.session.add(instrument)
    db.session.commit()
    return instrument, True


def load_shipped() -> Instrument:
    """Store every shipped version that is missing, oldest first; the newest."""
    for path in SHIPPED_INSTRUMENTS:
        instrument, _created = load_instrument(path)
    return instrument


def list_instruments() -> list[Instrument]:
    return list(
        db.session.execute(
            select(Instrument).order_by(Instrument.key, Instrument.version)
        ).scalars()
    )


def get_instrument(instrument_id: int) -> Instrument | None:
    return db.session.get(Instrument, instrument_id)


def get_item(item_id: int) -> InstrumentItem | None:
    return db.session.get(InstrumentItem, item_id)


def copy_instrument(source: Instrument, actor: User) -> Instrument:
    """A new, editable version of ``source`` with the same items."""
    latest = db.session.execute(
        select(func.max(Instrument.version)).where(Instrument.key == source.key)
    ).scalar_one()
    copy = Instrument(
        key=source.key,
        version=latest + 1,
        names=dict(source.names),
        open_question=dict(source.open_question),
        comment_prompt=dict(source.comment_prompt),
        outcome_question=None if source.outcome_question is None else dict(source.outcome_question),
        based_on=source,
        items=[
            InstrumentItem(
                code=item.code,
                dimension=item.dimension,
                is_reverse_keyed=item.is_reverse_keyed,
                position=item.position,
                texts=dict(item.texts),
            )
            for item in source.items
        ],
    )
    db.session.add(copy)
    db.session.flush()
    audit.record(actor, "instrument.copied", "instrument", copy.id, source_id=source.id)
    db.session.commit()
    return copy


def _editable(instrument: Instrument) -> None:
    if instrument.is_frozen:
        raise InstrumentFrozen(instrument.id)


def _record(actor: User | None, action: str, item: InstrumentItem) -> None:
    audit.record(
        actor,
        action,
        "instrument",
        item.instrument_id,
        item=item.code,
        dimension=item.dimension,
        position=item.position,
    )


def _renumber(instrument: Instrument) -> None:
    for position, item in enumerate(instrument.items, start=1):
        item.position = position


def add_item(
    instrument: Instrument,
    dimension: str,
    is_reverse_keyed: bool,
    texts: dict[str, str],
    actor: User | None,
) -> InstrumentItem:
    """Append an item to an editable instrument."""
    _editable(instrument)
    if dimension not in DIMENSIONS:
        raise InstrumentError(f"unknown dimension {dimension!r}")
    taken = {item.code for item in instrument.items}
    number = 1
    while f"{dimension}_{number}" in taken:
        number += 1
    item = InstrumentItem(
        code=f"{dimension}_{number}",
        dimension=dimension,
        is_reverse_keyed=is_reverse_keyed,
        position=len(instrument.items) + 1,
        texts=_texts(texts, "item"),
    )
    instrument.items.append(item)
    db.session.flush()
    _record(actor, "instrument.item_added", item)
    db.session.commit()
    return item


def update_item(
    item: InstrumentItem,
    dimension: str,
    is_reverse_keyed: bool,
    texts: dict[str, str],
    actor: User | None,
) -> None:
    """Change an item of an editable instrument."""
    _editable(item.instrument)
    if dimension not in DIMENSIONS:
        raise InstrumentError(f"unknown dimension {dimension!r}")
    item.dimension = dimension
    item.is_reverse_keyed = is_reverse_keyed
    item.texts = _texts(texts, "item")
    _record(actor, "instrument.item_edited", item)
    db.session.commit()


def move_item(item: InstrumentItem, offset: int, actor: User | None) -> None:
    """Move an item up (negative) or down (positive) in its instrument."""
    instrument = item.instrument
    _editable(instrument)
    items = list(instrument.items)
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    instrument.items = items
    _renumber(instrument)
    _record(actor, "instrument.item_moved", item)
    db.session.commit()


def remove_item(item: InstrumentItem, actor: User | None) -> None:
    """Delete an item from an editable instrument."""
    instrument = item.instrument
    _editable(instrument)
    _record(actor, "instrument.item_removed", item)
    instrument.items.remove(item)
    _renumber(instrument)
    db.session.commit()
