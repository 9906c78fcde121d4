"""Planning a roster against the database: who is created, updated, left as is or deactivated,
which departments appear, and which rows are rejected because of what is already stored (an
email used by someone else, or one that differs from someone else's only by look-alike
characters, an archived department, a loop of managers...). A row is about the stored person
with its employee number, or when it gives none, the one with its email. Nothing is written
here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from cxculture.emails import LookAlikes, skeleton
from cxculture.extensions import db
from cxculture.models import Department, User, department_heads
from cxculture.paths import PATH_SEPARATOR
from cxculture.services.org.roster.reading import (
    ParsedRoster,
    RosterRow,
    RowProblem,
)

# Planning against the database


@dataclass(frozen=True)
class Stored:
    """A person as the database has them, in the terms of a roster row."""

    id: int
    employee_number: str | None
    name: str
    email: str | None
    department: str | None
    locale: str | None
    is_hr_admin: bool
    is_active: bool
    manager_email: str | None
    heads: frozenset[str]


@dataclass
class RosterPlan:
    creates: list[RosterRow] = field(default_factory=list)
    updates: list[tuple[RosterRow, Stored, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    deactivations: list[Stored] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    kept_active: list[Stored] = field(default_factory=list)  # missing, but the one importing
    matched_ids: dict[int, int] = field(default_factory=dict)  # line -> the stored person's id

    @property
    def is_applicable(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "deactivated": len(self.deactivations),
            "departments_created": len(self.new_departments),
            "rejected": len(self.problems),
        }


def _stored_people(where=None) -> list[Stored]:
    """Everyone, or the people matching the SQL condition ``where`` (on ``User``)."""
    heads_query = select(department_heads.c.user_id, Department.path).join(
        Department, Department.id == department_heads.c.department_id
    )
    if where is not None:
        heads_query = heads_query.where(
            department_heads.c.user_id.in_(select(User.id).where(where))
        )
    heads: dict[int, set[str]] = defaultdict(set)
    # A Core table's columns are untyped: the head's user id, and the department's path.
    head_rows: Iterable[tuple[int, str]] = db.session.execute(heads_query)
    for user_id, path in head_rows:
        heads[user_id].add(path)
    manager = aliased(User)
    query = (
        select(
            User.id,
            User.employee_number,
            User.name,
            User.email,
            Department.path,
            User.locale,
            User.is_hr_admin,
            User.is_active,
            manager.email,
        )
        .outerjoin(Department, Department.id == User.department_id)
        .outerjoin(manager, manager.id == User.manager_id)
    )
    if where is not None:
        query = query.where(where)
    return [
        Stored(*row, heads=frozenset(heads.get(row[0], ()))) for row in db.session.execute(query)
    ]


def _people_concerned(row: RosterRow) -> list[Stored]:
    """What planning ``row`` alone needs of the database: the person (by employee number),
    whoever holds the row's email and its manager's, and every manager above them (a chain
    of managers is followed to find loops)."""
    conditions = []
    if row.employee_number is not None:
        conditions.append(func.lower(User.employee_number) == row.employee_number.lower())
    if row.email is not None:
        conditions.append(User.email == row.email)
    if row.manager_email:
        conditions.append(User.email == row.manager_email)
    found = {person.id: person for person in _stored_people(or_(*conditions))}
    while True:
        known = {person.email for person in found.values() if person.email}
        above = {p.manager_email for p in found.values() if p.manager_email} - known
        if not above:
            return list(found.values())
        for person in _stored_people(User.email.in_(sorted(above))):
            found[person.id] = person


def _ancestors(path: str) -> list[str]:
    names = path.split(PATH_SEPARATOR)
    return [PATH_SEPARATOR.join(names[: level + 1]) for level in range(len(names))]


def _changes(row: RosterRow, person: Stored) -> list[str]:
    changes = []
    if row.name != person.name:
        changes.append("name")
    if row.email is not None and row.email != person.email:
        changes.append("email")
    if row.department != person.department:
        changes.append("department")
    if row.locale is not None and row.locale != person.locale:
        changes.append("locale")
    if row.hr_admin is not None and row.hr_admin != person.is_hr_admin:
        changes.append("hr_admin")
    if row.heads is not None and frozenset(row.heads) != person.heads:
        changes.append("heads")
    if row.manager_email is not None and (row.manager_email or None) != person.manager_email:
        changes.append("manager")
    if not person.is_active:
        changes.append("reactivated")
    if row.employee_number is not None and person.employee_number is None:
        changes.append("employee_number")
    return changes


def _manager_loops(rows: list[RosterRow], stored: list[Stored], emails: dict[int, str]) -> set[int]:
    """Lines of the rows whose chain of managers comes back to them. Managers are named by
    email (``emails``: each row's, given or stored): someone without one manages nobody."""
    manager_of: dict[str, str | None] = {p.email: p.manager_email for p in stored if p.email}
    for row in rows:
        if row.manager_email is not None and row.line in emails:
            manager_of[emails[row.line]] = row.manager_email or None
    looping: set[int] = set()
    for row in rows:
        if row.line not in emails:
            continue
        own = emails[row.line]
        seen = {own}
        current = manager_of.get(own)
        while current is not None:
            if current in seen:
                if current == own:
                    looping.add(row.line)
                break
            seen.add(current)
            current = manager_of.get(current)
    return looping


def _same_person(rows: list[RosterRow], matched: dict[int, Stored | None]) -> dict[int, RowProblem]:
    """Rows about one stored person, one by number and another by email: all are rejected,
    as rows sharing a number or an email are."""
    lines_of: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if (person := matched[row.line]) is not None:
            lines_of[person.id].append(row.line)
    rejected: dict[int, RowProblem] = {}
    for lines in lines_of.values():
        if len(lines) > 1:
            for line in lines:
                others = ", ".join(str(other) for other in lines if other != line)
                rejected[line] = RowProblem(line, "same_person", others)
    return rejected


def plan_roster(
    parsed: ParsedRoster, *, deactivate_missing: bool = False, actor: User | None = None
) -> RosterPlan:
    """What applying ``parsed`` would do now; rows the database rejects join its problems."""
    return _plan(
        parsed.rows,
        parsed.problems,
        parsed.listed_numbers,
        parsed.listed_emails,
        _stored_people(),
        deactivate_missing=deactivate_missing,
        actor=actor,
    )


def plan_person(row: RosterRow, *, actor: User | None = None) -> RosterPlan:
    """What saving the one person ``row`` would do now, with the rules of a file's row."""
    return _plan(
        [row],
        [],
        set(),
        set(),
        _people_concerned(row),
        deactivate_missing=False,
        actor=actor,
        everyone=_all_emails,
    )


def _all_emails() -> list[str]:
    """Every stored address, in one query (a new address is compared with all of them)."""
    found = db.session.execute(select(User.email).where(User.email.is_not(None))).scalars()
    return [email for email in found if email is not None]


def _matched(
    row: RosterRow, by_number: dict[str, Stored], by_email: dict[str, Stored]
) -> Stored | None:
    """The stored person ``row`` is about: by employee number, else an account made by hand
    (no employee number: the first HR admin) that has the row's email, which the file adopts;
    a row without an employee number, by its email."""
    if row.employee_number is None:
        return by_email.get(row.email or "")
    person = by_number.get(row.employee_number.casefold())
    holder = by_email.get(row.email or "")
    if person is None and holder is not None and holder.employee_number is None:
        return holder
    return person


def _look_alike(
    row: RosterRow, key: str, person: Stored | None, stored: LookAlikes, in_file: LookAlikes
) -> str | None:
    """Another person's address, stored or in another row of the file, that differs from the
    row's new address (whose skeleton is ``key``) only by look-alike characters (TR39
    skeletons, ``cxculture.emails``). The person's own current address is not another's."""
    email = row.email or ""
    own = (person.email,) if person is not None and person.email else ()
    return stored.find(email, besides=own, key=key) or in_file.find(email, key=key)


def _plan(
    rows: list[RosterRow],
    problems: list[RowProblem],
    listed_numbers: set[str],
    listed_emails: set[str],
    stored: list[Stored],
    *,
    deactivate_missing: bool,
    actor: User | None,
    everyone: Callable[[], Iterable[str]] | None = None,
) -> RosterPlan:
    """``everyone`` gives every stored address when ``stored`` is not everyone (one person)."""
    plan = RosterPlan(problems=list(problems))
    by_number = {p.employee_number.casefold(): p for p in stored if p.employee_number}
    by_email = {p.email: p for p in stored if p.email}
    # Rows bringing an address their person does not have yet (newcomers, changed addresses):
    # it must not look like another person's. Skeletons are computed once per plan, and not at
    # all when the file brings no new address (the same file again).
    matched = {row.line: _matched(row, by_number, by_email) for row in rows}
    fresh = {
        row.line: skeleton(row.email)
        for row in rows
        if row.email is not None
        and ((person := matched[row.line]) is None or person.email != row.email)
    }
    stored_looks, in_file_looks = LookAlikes(), LookAlikes()
    if fresh:
        stored_looks = LookAlikes(everyone() if everyone is not None else by_email)
        for row in rows:
            if row.email is not None and row.line in fresh:
                in_file_looks.add(row.email, fresh[row.line])
    departments = dict(db.session.execute(select(Department.path, Department.archived_at)).all())
    in_file_emails = {row.email for row in rows if row.email}
    # Addresses the file takes away from their owners: nobody will answer to them afterwards.
    leaving_emails = {
        person.email
        for row in rows
        if row.email is not None
        and (person := matched[row.line]) is not None
        and person.email
        and person.email != row.email
    } - in_file_emails
    # Each row's address, given or kept from the stored person (managers are named by email).
    emails = {
        row.line: email
        for row in rows
        if (email := row.email or getattr(matched[row.line], "email", None))
    }
    loops = _manager_loops(rows, stored, emails)
    same_person = _same_person(rows, matched)

    new_paths: set[str] = set()
    accepted: list[tuple[RosterRow, Stored | None]] = []
    for row in rows:
        person = matched[row.line]
        holder = by_email.get(row.email) if row.email else None
        problem = None
        if row.line in same_person:
            problem = same_person[row.line]
        elif holder is not None and holder is not person:
            problem = RowProblem(row.line, "email_taken", holder.employee_number or row.email or "")
        elif row.line in fresh and (
            other := _look_alike(row, fresh[row.line], person, stored_looks, in_file_looks)
        ):
            problem = RowProblem(row.line, "email_look_alike", other)
        elif row.line not in emails and (row.hr_admin or row.heads):
            # Heads and HR admins log in, with a password set from a link sent by email.
            problem = RowProblem(row.line, "role_needs_email", row.employee_number or "")
        elif archived := next(
            (
                path
                for named in (row.department, *(row.heads or ()))
                for path in _ancestors(named)
                if departments.get(path) is not None
            ),
            None,
        ):
            problem = RowProblem(row.line, "department_archived", archived)
        elif (
            actor is not None
            and person is not None
            and person.id == actor.id
            and (row.hr_admin is False and person.is_hr_admin)
        ):
            problem = RowProblem(row.line, "own_hr_admin", row.email or "")
        elif row.manager_email and (
            row.manager_email in leaving_emails
            or (
                row.manager_email not in in_file_emails
                and not (row.manager_email in by_email and by_email[row.manager_email].is_active)
            )
        ):
            problem = RowProblem(row.line, "manager_unknown", row.manager_email)
        elif row.line in loops:
            problem = RowProblem(row.line, "manager_loop", row.manager_email or "")
        if problem is not None:
            plan.problems.append(problem)
            continue
        for path in (row.department, *(row.heads or ())):
            new_paths.update(p for p in _ancestors(path) if p not in departments)
        accepted.append((row, person))

    for row, person in accepted:
        if person is None:
            plan.creates.append(row)
            continue
        plan.matched_ids[row.line] = person.id
        changes = _changes(row, person)
        if changes:
            plan.updates.append((row, person, changes))
        else:
            plan.unchanged += 1
    if deactivate_missing:
        for person in stored:
            if (
                person.is_active
                and person.employee_number
                and (person.employee_number.casefold() not in listed_numbers)
                and (person.email is None or person.email not in listed_emails)
            ):
                if actor is not None and person.id == actor.id:
                    plan.kept_active.append(person)  # nobody locks themselves out
                else:
                    plan.deactivations.append(person)
    plan.new_departments = sorted(new_paths, key=lambda p: (p.count(PATH_SEPARATOR), p))
    plan.problems.sort(key=lambda problem: problem.line)
    return plan
