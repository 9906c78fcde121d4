"""People and departments kept in step by an HR system one record at a time (the API): reading
them a page at a time, saving a person with the roster import's rules, deactivating a leaver.

Saving goes through ``roster.check_row`` and ``roster.apply_person``: the rules of a file's row
(valid email, an email nobody else has nor looks like another person's, department paths,
archived departments, managers, the HR role of the one acting) are the same code, not a copy.
The API names people by employee number, always; the email may be null (no mailbox).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from cxculture.extensions import db
from cxculture.models import ApiToken, Department, User, department_heads
from cxculture.services import audit
from cxculture.services.org import leavers, roster
from cxculture.services.org.roster import HEADS_SEPARATOR, RowProblem
from cxculture.services.org.tree import active_headcounts, heads_by_department, subtree_condition


class PersonRejected(ValueError):
    """The person cannot be saved as given (``problems``, with the roster's reasons)."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(", ".join(problem.reason for problem in problems))
        self.problems = problems


class OwnAccount(Exception):
    """A token cannot deactivate the HR admin it acts for."""


@dataclass(frozen=True)
class PersonRecord:
    """A person as the API shows them."""

    id: int
    employee_number: str | None
    name: str
    email: str | None
    department_id: int | None
    department: str | None
    locale: str | None
    is_hr_admin: bool
    is_active: bool
    manager_email: str | None
    deactivated_at: datetime | None
    heads: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DepartmentRecord:
    """A department as the API shows it; ``parent_id`` builds the tree."""

    id: int
    name: str
    path: str
    parent_id: int | None
    depth: int
    is_archived: bool
    active_people: int
    heads: list[str] = field(default_factory=list)  # their emails


def departments_page(after_id: int | None, limit: int) -> list[DepartmentRecord]:
    """Up to ``limit`` departments after the id ``after_id``, by id (archived ones included)."""
    query = select(Department).order_by(Department.id).limit(limit)
    if after_id is not None:
        query = query.where(Department.id > after_id)
    found = list(db.session.execute(query).scalars())
    ids = [department.id for department in found]
    if not ids:
        return []
    counts = active_headcounts(ids)
    heads = heads_by_department(ids, User.email)
    return [
        DepartmentRecord(
            id=department.id,
            name=department.name,
            path=department.path,
            parent_id=department.parent_id,
            depth=department.depth,
            is_archived=department.archived_at is not None,
            active_people=counts.get(department.id, 0),
            heads=heads.get(department.id, []),
        )
        for department in found
    ]


def _records(conditions: Sequence, limit: int | None = None) -> list[PersonRecord]:
    manager = aliased(User)
    query = (
        select(
            User.id,
            User.employee_number,
            User.name,
            User.email,
            User.department_id,
            Department.path,
            User.locale,
            User.is_hr_admin,
            User.is_active,
            manager.email,
            User.deactivated_at,
        )
        .outerjoin(Department, Department.id == User.department_id)
        .outerjoin(manager, manager.id == User.manager_id)
        .where(*conditions)
        .order_by(User.id)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query).all()
    heads: dict[int, list[str]] = defaultdict(list)
    if rows:
        # A Core table's columns are untyped: the head's user id, and the department's path.
        head_rows: Iterable[tuple[int, str]] = db.session.execute(
            select(department_heads.c.user_id, Department.path)
            .join(Department, Department.id == department_heads.c.department_id)
            .where(department_heads.c.user_id.in_([row[0] for row in rows]))
            .order_by(Department.path)
        )
        for user_id, path in head_rows:
            heads[user_id].append(path)
    return [PersonRecord(*row, heads=heads.get(row[0], [])) for row in rows]


def people_page(
    *,
    department: Department | None,
    active: bool | None,
    after_id: int | None,
    limit: int,
) -> list[PersonRecord]:
    """Up to ``limit`` people after the id ``after_id``, by id: in ``department`` and the
    departments below it (None: everyone), active or not (None: both)."""
    conditions: list[ColumnElement[bool]] = []
    if department is not None:
        conditions.append(
            User.department_id.in_(select(Department.id).where(subtree_condition([department])))
        )
    if active is not None:
        conditions.append(User.is_active.is_(active))
    if after_id is not None:
        conditions.append(User.id > after_id)
    return _records(conditions, limit)


def _user_id_by_number(employee_number: str) -> int | None:
    """The person with this employee number, compared without case, as the roster does."""
    number = employee_number.strip()
    exact = db.session.execute(
        select(User.id).where(User.employee_number == number)
    ).scalar_one_or_none()
    if exact is not None:
        return exact
    return db.session.execute(
        select(User.id)
        .where(func.lower(User.employee_number) == number.lower())
        .order_by(User.id)
        .limit(1)
    ).scalar_one_or_none()


def find_person(employee_number: str) -> PersonRecord | None:
    user_id = _user_id_by_number(employee_number)
    if user_id is None:
        return None
    return _records([User.id == user_id])[0]


def _values(employee_number: str, fields: dict) -> dict[str, str]:
    """A person's fields as the columns of a roster row (a field not given is left alone)."""
    values = {
        "employee_number": employee_number,
        "name": fields["name"],
        "email": fields["email"] or "",
        "department": fields["department"],
    }
    if "heads" in fields:
        values["heads"] = HEADS_SEPARATOR.join(fields["heads"])
    if "hr_admin" in fields:
        values["hr_admin"] = "yes" if fields["hr_admin"] else "no"
    if fields.get("locale"):
        values["locale"] = fields["locale"]
    if "manager_email" in fields:
        values["manager_email"] = fields["manager_email"] or ""
    return values


def save_person(
    employee_number: str, fields: dict, token: ApiToken, now: datetime
) -> tuple[PersonRecord, bool]:
    """Create or update the person with ``employee_number`` from ``fields`` (name, email,
    department path; optionally heads, hr_admin, locale, manager_email), for the HR admin the
    token acts for. Returns the person and whether they are new; PersonRejected when a rule
    refuses them, the database's IntegrityError when someone else changed them meanwhile."""
    if not employee_number.strip():  # a row without one would be matched by its email
        raise PersonRejected([RowProblem(1, "employee_number_missing")])
    checked = roster.check_row(1, _values(employee_number, fields))
    if isinstance(checked, RowProblem):
        raise PersonRejected([checked])
    try:
        saved = roster.apply_person(
            checked,
            actor=token.created_by,
            now=now,
            action="api.person_saved",
            token=token.prefix,
        )
    except roster.RosterHasProblems as exc:
        raise PersonRejected(exc.problems) from exc
    return _records([User.id == saved.user_id])[0], saved.is_created


def deactivate_person(employee_number: str, token: ApiToken, now: datetime) -> PersonRecord | None:
    """Deactivate a leaver (as the roster import does: sessions end, headships go, open
    invitations are withdrawn, past answers stay); None when nobody has the number. Doing it
    twice changes nothing; OwnAccount for the HR admin the token acts for."""
    user_id = _user_id_by_number(employee_number)
    if user_id is None:
        return None
    if token.created_by_id == user_id:
        raise OwnAccount()
    if leavers.deactivate_people([user_id], now):
        audit.record(
            token.created_by, "api.person_deactivated", "user", user_id, token=token.prefix
        )
    db.session.commit()
    return _records([User.id == user_id])[0]
