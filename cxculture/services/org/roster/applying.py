"""Applying a roster: planned again inside one transaction and written whole, or not at all
when any row is rejected; one person at a time (the API) goes through the same rules and the
same writing. People are matched by employee number, so the same file twice changes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

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
        plan = plan_roster(parsed, deactivate_missing=deactivate_missing, actor=actor)
        if not plan.is_applicable:
            raise RosterHasProblems(plan.problems)
        _write(plan, now, send_emails)
        if record is not None:
            record.applied_at = now
            record.summary = plan.counts()
        target = record.id if record is not None else 0
        audit.record(actor, "roster.applied", "roster", target, **plan.counts(), **_roles(plan))
        db.session.commit()
    except (RosterHasProblems, IntegrityError):
        db.session.rollback()
        raise
    return plan


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
        user_id = db.session.execute(select(User.id).where(User.email == row.email)).scalar_one()
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
                    "employee_number": row.employee_number,
                    "name": row.name,
                    "email": row.email,
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
    if send_emails and plan.creates:
        created = [row.employee_number for row in plan.creates]
        newcomers: list[User] = []
        for start in range(0, len(created), 500):  # below every bound-parameter limit
            newcomers += db.session.execute(
                select(User).where(User.employee_number.in_(created[start : start + 500]))
            ).scalars()
        accounts.queue_set_password_emails(newcomers)


def _roles(plan: RosterPlan) -> dict[str, list[int]]:
    """Who the import made or unmade HR admin, and whose headships it changed, by id (the
    caller has flushed the new people): the trail notes powers given, not only counts."""
    created = [row for row in plan.creates if row.hr_admin or row.heads]
    ids: dict[str, int] = {}
    for start in range(0, len(created), 500):
        emails = [row.email for row in created[start : start + 500]]
        found = db.session.execute(select(User.email, User.id).where(User.email.in_(emails)))
        ids.update((email, user_id) for email, user_id in found)
    granted = [ids[row.email] for row in created if row.hr_admin]
    heads = [ids[row.email] for row in created if row.heads]
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
    emails = {row.email for row in touched} | {r.manager_email for r in touched if r.manager_email}
    if len(emails) <= 500:  # one person, or a small file: only the addresses concerned
        found = select(User.email, User.id).where(User.email.in_(sorted(emails)))
    else:
        found = select(User.email, User.id)
    user_ids = dict(db.session.execute(found).all())
    managers = [
        {"id": user_ids[row.email], "manager_id": user_ids.get(row.manager_email or "")}
        for row in touched
        if row.manager_email is not None
    ]
    if managers:
        db.session.execute(update(User), managers)
    heading = [row for row in touched if row.heads is not None]
    if heading:
        ids = [user_ids[row.email] for row in heading]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            db.session.execute(
                delete(department_heads).where(department_heads.c.user_id.in_(chunk))
            )
        links = [
            {"user_id": user_ids[row.email], "department_id": department_ids[path]}
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
