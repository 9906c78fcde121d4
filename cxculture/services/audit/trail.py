"""The audit trail: appending in the caller's transaction, reading it back (one record's history,
HR's searchable log) and exporting it.

What an entry may hold: who acted (their id), what they did, to which record, and details that
make it useful: counts, paths, dates, formats. Never survey answers, and never a person's name
or email: details that name people hold their ids (``PEOPLE_DETAILS``), looked up when read, so
an erased person's name leaves the trail with their account while the trail stays as written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from itertools import zip_longest
from typing import TypeVar, TypeVarTuple

from sqlalchemy import Select, func, or_, select

from cxculture import exports
from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Department,
    Instrument,
    Module,
    ModuleText,
    RosterImport,
    Survey,
    User,
)
from cxculture.services.paging import Page

# Detail keys whose values are people's ids: one id, a list of ids, or a [before, after] pair.
PEOPLE_DETAILS = frozenset(
    {
        "manager",
        "heads_before",
        "heads_after",
        "hr_admin_granted",
        "hr_admin_removed",
        "heads_changed",
        "owner",
    }
)
# Detail keys whose values are a module's slug, and a questionnaire's id: shown by their titles
# in the reader's language (modules and questionnaires, as targets, too).
MODULE_DETAILS = frozenset({"module", "slug"})
INSTRUMENT_DETAILS = frozenset({"source_id"})
# What each other kind of target is called when the log shows it.
TARGET_NAMES = {
    "survey": (Survey.id, Survey.name),
    "user": (User.id, User.name),
    "department": (Department.id, Department.path),
    "roster": (RosterImport.id, RosterImport.filename),
}
PAGE_SIZE = 50
CHUNK = 500  # ids per IN (...), below every database's bound-parameter limit
EXPORT_BATCH = 1000
_Columns = TypeVarTuple("_Columns")  # what a query filtered by AuditFilter selects
_Key = TypeVar("_Key", int, str)  # ids or slugs


def record(actor: User | None, action: str, target_type: str, target_id: int, /, **details) -> None:
    """Note that ``actor`` (None: the system) did ``action`` to a record, in the current
    transaction, so the entry commits or rolls back with the change itself."""
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor is not None else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details,
        )
    )


def record_download(
    actor: User, action: str, target_type: str, target_id: int, /, **details
) -> None:
    """Note that ``actor`` downloaded an export, and commit: a download changes nothing else."""
    record(actor, action, target_type, target_id, **details)
    db.session.commit()


@dataclass(frozen=True)
class PersonRef:
    """A person named in the trail, as they are now: ``name`` is None once they are erased."""

    id: int
    name: str | None = None
    email: str | None = None

    @property
    def is_erased(self) -> bool:
        return self.name is None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class ModuleRef:
    """A training module named in the trail: its slug, and its title in each language it has
    (none when the module is gone)."""

    slug: str
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)

    def title(self, locale: str) -> str:
        """Its title in ``locale``, else in English, else its slug."""
        return self.titles.get(locale) or self.titles.get("en") or self.slug


@dataclass(frozen=True)
class InstrumentRef:
    """A questionnaire named in the trail: ``key`` is None when it is gone."""

    id: int
    key: str | None = None
    version: int = 0
    names: Mapping[str, str] = field(default_factory=dict, hash=False)

    def name(self, locale: str) -> str | None:
        """Its name in ``locale``, else in English, else its key (None when it is gone)."""
        return self.names.get(locale) or self.names.get("en") or self.key


@dataclass(frozen=True)
class EventRow:
    """One entry as the log shows it: people, modules, questionnaires and the target looked up."""

    id: int
    created_at: datetime
    action: str
    target_type: str
    target_id: int
    target_name: str | None  # as the export writes it (a module's slug, a questionnaire's key)
    actor: PersonRef | None  # None: the system (a command or a scheduled job)
    details: dict[str, object]
    target_ref: ModuleRef | InstrumentRef | None = None  # a module or questionnaire target


def _chunks(values: Iterable[_Key]) -> Iterable[list[_Key]]:
    unique = sorted(set(values))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _people_ids(value: object) -> Iterable[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _people_ids(item)


def _people(ids: Iterable[int]) -> dict[int, PersonRef]:
    found: dict[int, PersonRef] = {}
    for chunk in _chunks(ids):
        for person_id, name, email in db.session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(chunk))
        ):
            found[person_id] = PersonRef(person_id, name, email)
    return found


def _person(person_id: int, people: Mapping[int, PersonRef]) -> PersonRef:
    """The person ``person_id`` names (erased or not)."""
    return people.get(person_id) or PersonRef(person_id)


def _named(value: object, people: Mapping[int, PersonRef]) -> object:
    """``value`` with every id replaced by the person it names (erased or not)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _person(value, people)
    if isinstance(value, list):
        return [_named(item, people) for item in value]
    return value


@dataclass(frozen=True)
class _References:
    """What a batch of entries names besides people: modules (by slug and id), questionnaires."""

    modules_by_slug: dict[str, ModuleRef]
    modules_by_id: dict[int, ModuleRef]
    instruments: dict[int, InstrumentRef]

    def resolved(self, key: str, value: object, people: Mapping[int, PersonRef]) -> object:
        """The detail ``key``'s ``value`` with what it names looked up."""
        if key in PEOPLE_DETAILS:
            return _named(value, people)
        if key in MODULE_DETAILS and isinstance(value, str):
            return self.modules_by_slug.get(value) or ModuleRef(value)
        if key in INSTRUMENT_DETAILS and isinstance(value, int):
            return self.instruments.get(value) or InstrumentRef(value)
        return value

    def target(self, entry: AuditEvent) -> ModuleRef | InstrumentRef | None:
        if entry.target_type == "module":
            return self.modules_by_id.get(entry.target_id)
        if entry.target_type == "instrument":
            return self.instruments.get(entry.target_id) or InstrumentRef(entry.target_id)
        return None


def _references(events: Sequence[AuditEvent]) -> _References:
    """Modules and questionnaires the entries name: one query for each, whatever the count
    (more only past CHUNK of them)."""
    slugs: set[str] = set()
    module_ids: set[int] = set()
    instrument_ids: set[int] = set()
    for entry in events:
        details = entry.details or {}
        slugs.update(v for k in MODULE_DETAILS if isinstance(v := details.get(k), str))
        instrument_ids.update(v for k in INSTRUMENT_DETAILS if isinstance(v := details.get(k), int))
        if entry.target_type == "module":
            module_ids.add(entry.target_id)
        elif entry.target_type == "instrument":
            instrument_ids.add(entry.target_id)

    rows: dict[int, tuple[str, dict[str, str]]] = {}
    slug_chunk: list[str]
    id_chunk: list[int]
    for slug_chunk, id_chunk in zip_longest(_chunks(slugs), _chunks(module_ids), fillvalue=[]):
        query = (
            select(Module.id, Module.slug, ModuleText.locale, ModuleText.title)
            .outerjoin(ModuleText, ModuleText.module_id == Module.id)
            .where(or_(Module.slug.in_(slug_chunk), Module.id.in_(id_chunk)))
        )
        for module_id, slug, locale, title in db.session.execute(query):
            titles = rows.setdefault(module_id, (slug, {}))[1]
            if locale is not None:
                titles[locale] = title
    modules_by_id = {
        module_id: ModuleRef(slug, titles) for module_id, (slug, titles) in rows.items()
    }

    instruments: dict[int, InstrumentRef] = {}
    for chunk in _chunks(instrument_ids):
        for instrument_id, key, version, names in db.session.execute(
            select(Instrument.id, Instrument.key, Instrument.version, Instrument.names).where(
                Instrument.id.in_(chunk)
            )
        ):
            instruments[instrument_id] = InstrumentRef(instrument_id, key, version, names or {})
    return _References(
        modules_by_slug={ref.slug: ref for ref in modules_by_id.values()},
        modules_by_id=modules_by_id,
        instruments=instruments,
    )


def _target_names(events: Sequence[AuditEvent]) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = {}
    for entry in events:
        if entry.target_type in TARGET_NAMES:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    names: dict[tuple[str, int], str] = {}
    for target_type, ids in wanted.items():
        id_column, name_column = TARGET_NAMES[target_type]
        for chunk in _chunks(ids):
            for target_id, name in db.session.execute(
                select(id_column, name_column).where(id_column.in_(chunk))
            ):
                names[(target_type, target_id)] = name
    return names


def _target_name(
    entry: AuditEvent,
    targets: Mapping[tuple[str, int], str],
    target_ref: ModuleRef | InstrumentRef | None,
) -> str | None:
    if isinstance(target_ref, ModuleRef):
        return target_ref.slug
    if isinstance(target_ref, InstrumentRef):
        return target_ref.key
    return targets.get((entry.target_type, entry.target_id))


def _rows(events: Sequence[AuditEvent]) -> list[EventRow]:
    """The entries ready to show: a handful of queries for any number of them (people, one per
    kind of target, modules, questionnaires)."""
    ids: list[int] = []
    for entry in events:
        if entry.actor_id is not None:
            ids.append(entry.actor_id)
        for key in PEOPLE_DETAILS.intersection(entry.details or {}):
            ids.extend(_people_ids(entry.details[key]))
    people = _people(ids)
    targets = _target_names(events)
    references = _references(events)
    rows = []
    for entry in events:
        target_ref = references.target(entry)
        rows.append(
            EventRow(
                id=entry.id,
                created_at=entry.created_at,
                action=entry.action,
                target_type=entry.target_type,
                target_id=entry.target_id,
                target_name=_target_name(entry, targets, target_ref),
                actor=None if entry.actor_id is None else _person(entry.actor_id, people),
                details={
                    key: references.resolved(key, value, people)
                    for key, value in (entry.details or {}).items()
                },
                target_ref=target_ref,
            )
        )
    return rows


def events_for(target_type: str, target_id: int) -> list[EventRow]:
    """The trail of one record, newest first."""
    return _rows(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.target_type == target_type, AuditEvent.target_id == target_id)
            .order_by(AuditEvent.id.desc())
        )
        .scalars()
        .all()
    )


@dataclass(frozen=True)
class AuditFilter:
    """What HR narrows the log to; every part is optional."""

    action: str | None = None
    actor: str = ""  # part of the actor's name or email, any case
    target_type: str | None = None
    since: datetime | None = None  # from this moment on
    until: datetime | None = None  # before this moment

    def apply(self, query: Select[*_Columns]) -> Select[*_Columns]:
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.target_type:
            query = query.where(AuditEvent.target_type == self.target_type)
        if self.since is not None:
            query = query.where(AuditEvent.created_at >= self.since)
        if self.until is not None:
            query = query.where(AuditEvent.created_at < self.until)
        text = self.actor.strip()
        if text:
            matching = select(User.id).where(
                or_(
                    User.name.icontains(text, autoescape=True),
                    User.email.icontains(text, autoescape=True),
                )
            )
            query = query.where(AuditEvent.actor_id.in_(matching))
        return query

    def summary(self) -> dict[str, object]:
        """The filter as an export's own entry notes it. The actor search is typed text and may
        be someone's name: the entry says only that there was one."""
        return {
            "action": self.action,
            "target_type": self.target_type,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "actor_search": bool(self.actor.strip()),
        }


def search_events(filters: AuditFilter, page: int = 1, per_page: int = PAGE_SIZE) -> Page[EventRow]:
    """The entries ``filters`` lets through, newest first, one page at a time (cut in SQL)."""
    total = db.session.execute(filters.apply(select(func.count(AuditEvent.id)))).scalar_one()
    offset = (page - 1) * per_page
    if offset >= total:  # past the last page: nothing to read
        return Page([], page, per_page, total)
    events = (
        db.session.execute(
            filters.apply(select(AuditEvent))
            .order_by(AuditEvent.id.desc())
            .limit(per_page)
            .offset(offset)
        )
        .scalars()
        .all()
    )
    return Page(_rows(events), page, per_page, total)


EXPORT_HEADER = (
    "time",
    "actor_id",
    "actor",
    "actor_email",
    "action",
    "description",
    "target_type",
    "target_id",
    "target",
    "details",
)


def _details_json(details: Mapping[str, object]) -> str:
    def encode(value: object) -> object:
        if isinstance(value, PersonRef):
            return value.as_json()
        if isinstance(value, ModuleRef):  # as written: the export is for machines
            return value.slug
        if isinstance(value, InstrumentRef):
            return value.id
        raise TypeError(type(value).__name__)

    return json.dumps(details, default=encode, ensure_ascii=False, sort_keys=True)


def _export_line(row: EventRow, zone: tzinfo, labels: Mapping[str, str]) -> list[exports.Cell]:
    actor = row.actor
    return [
        row.created_at.astimezone(zone).isoformat(timespec="seconds"),
        actor.id if actor is not None else None,
        actor.name if actor is not None else None,
        actor.email if actor is not None else None,
        row.action,
        labels.get(row.action, row.action),
        row.target_type,
        row.target_id,
        row.target_name,
        _details_json(row.details),
    ]


def export_events(
    filters: AuditFilter, actor: User, zone: tzinfo, labels: Mapping[str, str]
) -> bytes:
    """The entries ``filters`` lets through as CSV (newest first, times in ``zone``, actions
    described by ``labels``); the export is itself noted in the trail."""
    lines: list[list[exports.Cell]] = []
    before: int | None = None
    while True:  # batch after batch, each starting below the last id read (no OFFSET)
        query = filters.apply(select(AuditEvent)).order_by(AuditEvent.id.desc())
        if before is not None:
            query = query.where(AuditEvent.id < before)
        batch = db.session.execute(query.limit(EXPORT_BATCH)).scalars().all()
        if not batch:
            break
        lines.extend(_export_line(row, zone, labels) for row in _rows(batch))
        before = batch[-1].id
    body = exports.csv_bytes(EXPORT_HEADER, lines)
    record_download(actor, "audit.exported", "audit", 0, rows=len(lines), **filters.summary())
    return body
