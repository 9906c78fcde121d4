"""Applying a roster: planned again inside one transaction and written whole, or not at all
when any row is rejected; one person at a time (the API) goes through the same rules and the
same writing. People are matched by employee number (by email when a row gives none), so the
same file twice changes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, defer
from sqlalchemy.orm.attributes import set_committed_value

from cxculture.characters import FORBIDDEN
from cxculture.extensions import db
from cxculture.models import Department, RosterImport, User, department_heads
from cxculture.paths import PATH_SEPARATOR
from cxculture.services import accounts, audit
from cxculture.services.org import leavers
from cxculture.services.org.roster.planning import RosterPlan, plan_person, plan_roster
from cxculture.services.org.roster.reading import ParsedRoster, RosterHasProblems, RosterRow

# Applying


def _create_departments(paths: list[str]) -> dict[str, int]:
    ids = dict(db.session.execute(select(Department.path, Department.id)).all())
    for path in paths:  # parents first: sorted by depth
        parent_path, _, name = path.rpartition(PATH_SEPARATOR)
        department = Department(name=name, path=path, parent_id=ids.get(parent_path))
        db.session.add(department)
        db.session.flush()
        ids[path] = department.id
    return ids


def apply_roster(
    parsed: ParsedRoster,
    *,
    deactivate_missing: bool,
    actor: User | None,
    now: datetime,
    send_emails: bool = True,
    record: RosterImport | None = None,
) -> RosterPlan:
    """Plan again and apply in one transaction: all of it, or nothing (RosterHasProblems when
    rows are rejected, the database's error otherwise). Returns the plan that was applied."""
    try:
        if record is not None and not _claim(record, now):
            raise AlreadyApplied()
        plan = plan_roster(parsed, deactivate_missing=deactivate_missing, actor=actor)
        if not plan.is_applicable:
            raise RosterHasProblems(plan.problems)
        _write(plan, now, send_emails)
        if record is not None:
            record.summary = {**plan.counts(), **_what_changed(plan)}
        target = record.id if record is not None else 0
        audit.record(actor, "roster.applied", "roster", target, **plan.counts(), **_roles(plan))
        db.session.commit()
    except (AlreadyApplied, RosterHasProblems, IntegrityError):
        db.session.rollback()
        raise
    return plan


class AlreadyApplied(Exception):
    """The stored file was applied already (a double submit, two tabs): nothing was changed."""


def _claim(record: RosterImport, now: datetime) -> bool:
    """Mark the file applied if nobody has, in one conditional UPDATE that the rest of the
    transaction commits or undoes with it: of two applies at once, the second waits for the
    first (PostgreSQL's row lock, SQLite's single writer) and finds it applied."""
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            update(RosterImport)
            .where(RosterImport.id == record.id, RosterImport.applied_at.is_(None))
            .values(applied_at=now)
            .execution_options(synchronize_session=False, preserve_rowcount=True)
        ),
    ).rowcount
    if claimed:
        set_committed_value(record, "applied_at", now)
    return bool(claimed)


def _ids_by(column: InstrumentedAttribute[str | None], values: list[str]) -> dict[str, int]:
    """The ids of the people whose ``column`` (employee number or email) is one of
    ``values`` (the caller has flushed them)."""
    if not values:
        return {}
    if len(values) <= 500:  # a small file: only the values concerned
        query = select(column, User.id).where(column.in_(values))
    else:
        query = select(column, User.id).where(column.is_not(None))
    return {value: user_id for value, user_id in db.session.execute(query) if value}


def _created_ids(rows: list[RosterRow]) -> dict[int, int]:
    """The id of the person each created row made, by line: found by the employee number, or
    by the email of a row without one (both are unique, as the row gave them)."""
    numbers = _ids_by(User.employee_number, [r.employee_number for r in rows if r.employee_number])
    emails = _ids_by(User.email, [r.email for r in rows if r.employee_number is None and r.email])
    return {
        row.line: numbers[row.employee_number] if row.employee_number else emails[row.email or ""]
        for row in rows
    }


def _what_changed(plan: RosterPlan) -> dict:
    """Who was created, updated (and how) and deactivated, by id, and the departments created,
    kept with the file for the result page: ids, not names (an erasure leaves nothing here)."""
    created = _created_ids(plan.creates)
    return {
        "people": {
            "created": [created[row.line] for row in plan.creates],
            "updated": [[person.id, changes] for _row, person, changes in plan.updates],
            "deactivated": [person.id for person in plan.deactivations],
        },
        "departments": list(plan.new_departments),
    }


@dataclass(frozen=True)
class PersonSaved:
    """What saving one person did: their id, whether they are new, what changed."""

    user_id: int
    is_created: bool
    changes: list[str]


def apply_person(
    row: RosterRow,
    *,
    actor: User | None,
    now: datetime,
    action: str,
    send_emails: bool = True,
    **details,
) -> PersonSaved:
    """Save one person (created, updated or left as is) in one transaction with the rules of a
    file's row, noting ``action`` in the audit trail with ``details``; RosterHasProblems when
    the row is rejected, the database's error otherwise (nothing is changed either way)."""
    try:
        plan = plan_person(row, actor=actor)
        if not plan.is_applicable:
            raise RosterHasProblems(plan.problems)
        _write(plan, now, send_emails)
        user_id = (
            _created_ids(plan.creates)[row.line] if plan.creates else plan.matched_ids[row.line]
        )
        changes = ["created"] if plan.creates else [c for _r, _p, cs in plan.updates for c in cs]
        if changes:
            audit.record(actor, action, "user", user_id, changes=changes, **details, **_roles(plan))
        db.session.commit()
    except (RosterHasProblems, IntegrityError):
        db.session.rollback()
        raise
    return PersonSaved(user_id, bool(plan.creates), changes)


def _write(plan: RosterPlan, now: datetime, send_emails: bool) -> None:
    """Write an applicable plan (the caller commits)."""
    ids = _create_departments(plan.new_departments)
    if plan.creates:
        db.session.execute(
            insert(User),
            [
                {
                    "employee_number": row.employee_number,
                    "name": row.name,
                    "email": row.email,
                    "department_id": ids[row.department],
                    "locale": row.locale,
                    "is_hr_admin": bool(row.hr_admin),
                }
                for row in plan.creates
            ],
        )
    if plan.updates:
        db.session.execute(
            update(User),
            [
                {
                    "id": person.id,
                    # A row without a number or an email keeps the stored one.
                    "employee_number": row.employee_number or person.employee_number,
                    "name": row.name,
                    "email": row.email or person.email,
                    "department_id": ids[row.department],
                    "locale": row.locale if row.locale is not None else person.locale,
                    "is_hr_admin": (
                        row.hr_admin if row.hr_admin is not None else person.is_hr_admin
                    ),
                    "is_active": True,
                    "deactivated_at": None,
                }
                for row, person, _changes in plan.updates
            ],
        )
    _apply_links(plan, ids)
    leavers.deactivate_people([person.id for person in plan.deactivations], now)
    # Newcomers without an email answer with printed codes: they get no email, and no password.
    with_email = [row for row in plan.creates if row.email is not None]
    if send_emails and with_email:
        created = list(_created_ids(with_email).values())
        newcomers: list[User] = []
        for start in range(0, len(created), 500):  # below every bound-parameter limit
            newcomers += db.session.execute(
                select(User).where(User.id.in_(created[start : start + 500]))
            ).scalars()
        accounts.queue_set_password_emails(newcomers)


def _roles(plan: RosterPlan) -> dict[str, list[int]]:
    """Who the import made or unmade HR admin, and whose headships it changed, by id (the
    caller has flushed the new people): the trail notes powers given, not only counts."""
    created = [row for row in plan.creates if row.hr_admin or row.heads]
    ids = _created_ids(created)
    granted = [ids[row.line] for row in created if row.hr_admin]
    heads = [ids[row.line] for row in created if row.heads]
    removed: list[int] = []
    for row, person, changes in plan.updates:
        if "hr_admin" in changes:
            (granted if row.hr_admin else removed).append(person.id)
        if "heads" in changes:
            heads.append(person.id)
    return {
        "hr_admin_granted": sorted(granted),
        "hr_admin_removed": sorted(removed),
        "heads_changed": sorted(heads),
    }


def _apply_links(plan: RosterPlan, department_ids: dict[str, int]) -> None:
    """Managers and headed departments of the rows that carry those columns."""
    touched = [*plan.creates, *(row for row, _person, _changes in plan.updates)]
    if not touched:
        return
    row_ids = {
        **_created_ids(
            [r for r in plan.creates if r.manager_email is not None or r.heads is not None]
        ),
        **{row.line: person.id for row, person, _changes in plan.updates},
    }
    managing = sorted({row.manager_email for row in touched if row.manager_email})
    manager_ids = _ids_by(User.email, managing)  # flushed: a newcomer may manage others
    managers = [
        {"id": row_ids[row.line], "manager_id": manager_ids.get(row.manager_email or "")}
        for row in touched
        if row.manager_email is not None
    ]
    if managers:
        db.session.execute(update(User), managers)
    heading = [row for row in touched if row.heads is not None]
    if heading:
        ids = [row_ids[row.line] for row in heading]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            db.session.execute(
                delete(department_heads).where(department_heads.c.user_id.in_(chunk))
            )
        links = [
            {"user_id": row_ids[row.line], "department_id": department_ids[path]}
            for row in heading
            for path in row.heads or ()
        ]
        if links:
            db.session.execute(insert(department_heads), links)


def store_upload(filename: str, data: bytes, deactivate_missing: bool, actor: User) -> RosterImport:
    """Keep an uploaded file (already read without error) for its preview and apply steps."""
    record = RosterImport(
        filename=FORBIDDEN.sub("", filename)[:255] or "roster.csv",
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        deactivate_missing=deactivate_missing,
        uploaded_by_id=actor.id,
    )
    db.session.add(record)
    db.session.commit()
    return record


def recent_imports(limit: int = 20) -> list[RosterImport]:
    """The newest uploads, without their files (up to CX_ROSTER_MAX_MB each)."""
    return list(
        db.session.execute(
            select(RosterImport)
            .options(defer(RosterImport.content))
            .order_by(RosterImport.id.desc())
            .limit(limit)
        ).scalars()
    )


def get_import(import_id: int) -> RosterImport | None:
    return db.session.get(RosterImport, import_id)


# What applying changed


@dataclass(frozen=True)
class ChangedPerson:
    """A person as they are now, with what an import changed for them."""

    id: int
    name: str
    email: str | None
    department: str | None
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """What applying a stored file changed: the counts, and up to ``limit`` people of each
    kind as they are now (people erased since are left out; the counts stay)."""

    counts: dict[str, int]
    created: list[ChangedPerson] = field(default_factory=list)
    updated: list[ChangedPerson] = field(default_factory=list)
    deactivated: list[ChangedPerson] = field(default_factory=list)
    departments: list[tuple[str, int | None]] = field(default_factory=list)  # path, id now
    is_detailed: bool = True  # False for files applied before the lists were kept


def _people(ids: list[int], changes: dict[int, list[str]] | None = None) -> list[ChangedPerson]:
    found = {
        row.id: row
        for row in db.session.execute(
            select(User.id, User.name, User.email, Department.path)
            .outerjoin(Department, Department.id == User.department_id)
            .where(User.id.in_(ids))
        )
    }
    return [
        ChangedPerson(
            user_id,
            found[user_id].name,
            found[user_id].email,
            found[user_id].path,
            tuple((changes or {}).get(user_id, ())),
        )
        for user_id in ids
        if user_id in found
    ]


def import_result(record: RosterImport, limit: int) -> ImportResult | None:
    """What applying ``record`` changed, or None when it was not applied."""
    if record.applied_at is None:
        return None
    summary = record.summary or {}
    counts = {key: value for key, value in summary.items() if isinstance(value, int)}
    people = summary.get("people")
    if people is None:
        return ImportResult(counts, is_detailed=False)
    changes = {user_id: list(found) for user_id, found in people["updated"][:limit]}
    paths = summary.get("departments", [])[:limit]
    department_ids = dict(
        db.session.execute(
            select(Department.path, Department.id).where(Department.path.in_(paths))
        ).all()
    )
    return ImportResult(
        counts,
        created=_people(people["created"][:limit]),
        updated=_people(list(changes), changes),
        deactivated=_people(people["deactivated"][:limit]),
        departments=[(path, department_ids.get(path)) for path in paths],
    )
