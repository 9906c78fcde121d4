"""The department tree: building it from paths, reading it with headcounts and heads, and the
SQL conditions that select a department and everything below it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from cxculture.extensions import db
from cxculture.models import Department, User, department_heads
from cxculture.models.org import below_condition
from cxculture.paths import PATH_MAX_LENGTH, PATH_SEPARATOR


class InvalidDepartmentPath(ValueError):
    """A department path that names no department (empty, or with an empty level)."""


def split_path(path: str) -> list[str]:
    """The names along ``path``, trimmed; ``'Operations / Sales'`` gives two names."""
    names = [part.strip() for part in path.split(PATH_SEPARATOR)]
    if not names or any(not name for name in names):
        raise InvalidDepartmentPath(path)
    if len(PATH_SEPARATOR.join(names)) > PATH_MAX_LENGTH:
        raise InvalidDepartmentPath(path)
    return names


def ensure_department(path: str) -> Department:
    """The department at ``path``, created with any missing ancestors (the caller commits)."""
    parent: Department | None = None
    current_path = ""
    for name in split_path(path):
        current_path = f"{current_path}{PATH_SEPARATOR}{name}" if current_path else name
        department = db.session.execute(
            select(Department).where(Department.path == current_path)
        ).scalar_one_or_none()
        if department is None:
            department = Department(name=name, path=current_path, parent=parent)
            db.session.add(department)
            db.session.flush()
        parent = department
    if parent is None:  # unreachable: split_path never returns an empty list
        raise InvalidDepartmentPath(path)
    return parent


def get_department(department_id: int) -> Department | None:
    return db.session.get(Department, department_id)


def subtree_condition(departments: list[Department]):
    """SQL condition matching ``departments`` and every department below them."""
    clauses = []
    for department in departments:
        clauses.append(Department.path == department.path)
        clauses.append(below_condition(Department.path, department.path))
    return or_(*clauses) if clauses else Department.id.is_(None)


@dataclass(frozen=True)
class DepartmentRow:
    """One line of a department table: where it sits, who heads it, how many people it has."""

    id: int
    name: str
    path: str
    depth: int
    heads: tuple[str, ...]
    members: int
    members_with_subdepartments: int
    is_archived: bool = False


def active_headcounts(department_ids: list[int]) -> dict[int, int]:
    """How many active people each of these departments has (absent: none)."""
    counts = db.session.execute(
        select(User.department_id, func.count(User.id))
        .where(User.is_active.is_(True), User.department_id.in_(department_ids))
        .group_by(User.department_id)
    ).all()
    # The IN condition already leaves out people without a department.
    return {department_id: n for department_id, n in counts if department_id is not None}


def heads_by_department(
    department_ids: list[int], shown: InstrumentedAttribute[str] | InstrumentedAttribute[str | None]
) -> dict[int, list[str]]:
    """The heads of each of these departments, as the column ``shown`` (name or email; a
    head has an email, but one missing is left out rather than shown as nothing)."""
    heads: dict[int, list[str]] = defaultdict(list)
    # A Core table's columns are untyped: department id, and the head's name or email.
    rows: Iterable[tuple[int, str | None]] = db.session.execute(
        select(department_heads.c.department_id, shown)
        .join(User, User.id == department_heads.c.user_id)
        .where(department_heads.c.department_id.in_(department_ids))
        .order_by(shown)
    )
    for department_id, value in rows:
        if value is not None:
            heads[department_id].append(value)
    return heads


def department_rows(departments: list[Department] | None = None) -> list[DepartmentRow]:
    """Rows for ``departments`` (all when None) with active headcounts, in tree order."""
    query = select(
        Department.id, Department.name, Department.path, Department.archived_at
    ).order_by(Department.path)
    if departments is not None:
        query = query.where(subtree_condition(departments))
    found = db.session.execute(query).all()
    ids = [row.id for row in found]
    if not ids:
        return []

    counts = active_headcounts(ids)
    heads = heads_by_department(ids, User.name)

    rolled_up: dict[str, int] = defaultdict(int)
    for row in found:
        names = row.path.split(PATH_SEPARATOR)
        for level in range(1, len(names) + 1):
            rolled_up[PATH_SEPARATOR.join(names[:level])] += counts.get(row.id, 0)

    return [
        DepartmentRow(
            id=row.id,
            name=row.name,
            path=row.path,
            depth=row.path.count(PATH_SEPARATOR),
            heads=tuple(heads[row.id]),
            members=counts.get(row.id, 0),
            members_with_subdepartments=rolled_up[row.path],
            is_archived=row.archived_at is not None,
        )
        for row in found
    ]


@dataclass(frozen=True)
class CompanySummary:
    """Headline counts of the organisation for HR."""

    active_people: int
    inactive_people: int
    departments: int
    department_heads: int
    hr_admins: int
    people_without_department: int


def company_summary() -> CompanySummary:
    """Counts HR needs to see that the roster is in shape."""
    active = func.count(User.id).filter(User.is_active.is_(True))
    row = db.session.execute(
        select(
            active,
            func.count(User.id).filter(User.is_active.is_(False)),
            func.count(User.id).filter(User.is_active.is_(True), User.is_hr_admin.is_(True)),
            func.count(User.id).filter(User.is_active.is_(True), User.department_id.is_(None)),
        )
    ).one()
    departments = db.session.execute(select(func.count(Department.id))).scalar_one()
    heads = db.session.execute(
        select(func.count(func.distinct(department_heads.c.user_id)))
    ).scalar_one()
    return CompanySummary(
        active_people=row[0],
        inactive_people=row[1],
        departments=departments,
        department_heads=heads,
        hr_admins=row[2],
        people_without_department=row[3],
    )
