"""HR's work on people: the searchable list, adding one person, editing a person (department,
roles, manager, active) and sending the set-password link again. People without a mailbox
(known by their employee number) can be added and edited, but not given roles that log in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, or_, select

from cxculture.emails import LookAlikes, normalised
from cxculture.extensions import db
from cxculture.models import Department, User, department_heads
from cxculture.services import accounts, audit
from cxculture.services.org import leavers
from cxculture.services.paging import Page

PAGE_SIZE = 50


class PersonChangeRefused(Exception):
    """Base of the reasons a change to a person is refused (nothing was changed)."""


class SelfDeactivation(PersonChangeRefused):
    """HR cannot deactivate their own account."""


class SelfDemotion(PersonChangeRefused):
    """HR cannot take away their own HR admin role."""


class ManagerLoop(PersonChangeRefused):
    """The manager chosen is the person, or someone they manage (directly or not)."""


class UnknownManager(PersonChangeRefused):
    """Nobody has the manager's email address."""


class LookAlikeManager(UnknownManager):
    """Nobody has the manager's email address, but it differs from someone's (``other``) only
    by look-alike characters (another alphabet, full-width or stylised letters)."""

    def __init__(self, other: str):
        super().__init__(other)
        self.other = other


class InactiveManager(PersonChangeRefused):
    """A deactivated person cannot become someone's manager."""


class InactiveCannotHead(PersonChangeRefused):
    """A person who is not active cannot head departments."""


class ArchivedDepartment(PersonChangeRefused):
    """An archived department takes no new people."""


class UnknownDepartment(PersonChangeRefused):
    """A department id that names no department."""


class PersonInactive(PersonChangeRefused):
    """The person is deactivated: no set-password link is sent to them."""


class RoleNeedsEmail(PersonChangeRefused):
    """Heads and HR admins log in, with a password set from a link sent by email: a person
    without an email cannot be either."""


class NoEmail(PersonChangeRefused):
    """The person has no email: they answer surveys with printed codes, and have no password
    (so no set-password link)."""


class PeopleFilter(StrEnum):
    """Which people the list shows."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    ALL = "all"


@dataclass(frozen=True)
class PersonRow:
    """One line of the people list."""

    id: int
    name: str
    email: str | None
    employee_number: str | None
    department_path: str | None
    is_active: bool
    is_hr_admin: bool
    is_head: bool


def search_people(
    text: str = "",
    status: PeopleFilter = PeopleFilter.ACTIVE,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Page[PersonRow]:
    """People whose name, email or employee number contains ``text`` (any case), by name,
    one page at a time: counted and cut in SQL, so the company's size does not matter."""
    conditions: list[ColumnElement[bool]] = []
    if status is PeopleFilter.ACTIVE:
        conditions.append(User.is_active.is_(True))
    elif status is PeopleFilter.INACTIVE:
        conditions.append(User.is_active.is_(False))
    text = text.strip()
    if text:
        conditions.append(
            or_(
                User.name.icontains(text, autoescape=True),
                User.email.icontains(text, autoescape=True),
                User.employee_number.icontains(text, autoescape=True),
            )
        )
    total = db.session.execute(select(func.count(User.id)).where(*conditions)).scalar_one()
    offset = (page - 1) * per_page
    if offset >= total:  # past the last page: nothing to read (and no huge OFFSET to run)
        return Page([], page, per_page, total)
    found = db.session.execute(
        select(
            User.id,
            User.name,
            User.email,
            User.employee_number,
            User.is_active,
            User.is_hr_admin,
            Department.path,
        )
        .outerjoin(Department, Department.id == User.department_id)
        .where(*conditions)
        .order_by(User.name, User.id)
        .limit(per_page)
        .offset(offset)
    ).all()
    heads: set[int] = set(
        db.session.execute(
            select(department_heads.c.user_id)
            .where(department_heads.c.user_id.in_([row.id for row in found]))
            .distinct()
        ).scalars()
    )
    rows = [
        PersonRow(
            id=row.id,
            name=row.name,
            email=row.email,
            employee_number=row.employee_number,
            department_path=row.path,
            is_active=row.is_active,
            is_hr_admin=row.is_hr_admin,
            is_head=row.id in heads,
        )
        for row in found
    ]
    return Page(rows, page, per_page, total)


def get_person(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def people_by_emails(emails: Sequence[str]) -> tuple[list[User], list[str]]:
    """The people with these emails, and the emails that match nobody (in the order given)."""
    wanted = list(dict.fromkeys(accounts.normalise_email(e) for e in emails if e.strip()))
    if not wanted:
        return [], []
    found = {
        person.email: person
        for person in db.session.execute(select(User).where(User.email.in_(wanted))).scalars()
    }
    return [found[e] for e in wanted if e in found], [e for e in wanted if e not in found]


def look_alikes(emails: Sequence[str]) -> dict[str, str]:
    """Of ``emails`` that match nobody, those that differ from someone's address only by
    look-alike characters (TR39 skeletons, ``cxculture.emails``), each with that address.
    Everyone's addresses are read in one query and compared in Python."""
    wanted = [email for email in dict.fromkeys(emails) if email.strip()]
    if not wanted:
        return {}
    everyone = LookAlikes(
        email
        for email in db.session.execute(select(User.email).where(User.email.is_not(None))).scalars()
        if email is not None
    )
    found: dict[str, str] = {}
    for email in wanted:
        given = accounts.normalise_email(email)
        other = everyone.find(normalised(email) or given, besides=(given,))
        if other is not None:
            found[email] = other
    return found


@dataclass(frozen=True)
class PersonChanges:
    """What HR's form says a person should be; ids and an email, as the form gives them."""

    department_id: int | None
    is_hr_admin: bool
    is_active: bool
    headed_department_ids: Sequence[int] = field(default_factory=list)
    manager_email: str | None = None


def _departments(ids: Sequence[int]) -> list[Department]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    found = list(
        db.session.execute(
            select(Department).where(Department.id.in_(unique)).order_by(Department.path)
        ).scalars()
    )
    if len(found) != len(unique):
        raise UnknownDepartment()
    return found


def _manager(person: User, email: str | None) -> User | None:
    if not email or not email.strip():
        return None
    found, _missing = people_by_emails([email])
    if not found:
        other = look_alikes([email]).get(email)
        raise LookAlikeManager(other) if other is not None else UnknownManager()
    manager = found[0]
    # Walk up from the new manager: meeting the person means they would manage themselves.
    seen: set[int] = set()
    current: User | None = manager
    while current is not None and current.id not in seen:
        if current.id == person.id:
            raise ManagerLoop()
        seen.add(current.id)
        current = current.manager
    if not manager.is_active and manager.id != person.manager_id:
        raise InactiveManager()
    return manager


def _check_roles(person: User, changes: PersonChanges) -> None:
    if person.email is None and (changes.is_hr_admin or changes.headed_department_ids):
        raise RoleNeedsEmail()


def _check_self(person: User, changes: PersonChanges, actor: User) -> None:
    if person.id != actor.id:
        return
    if not changes.is_active:
        raise SelfDeactivation()
    if person.is_hr_admin and not changes.is_hr_admin:
        raise SelfDemotion()


def update_person(person: User, changes: PersonChanges, actor: User, now: datetime) -> None:
    """Apply HR's edit of ``person``. Past responses and invitations keep the department
    they were given in; deactivating ends the person's sessions and withdraws their open
    invitations (leavers.deactivate_people)."""
    _check_self(person, changes, actor)
    _check_roles(person, changes)
    department = _departments([changes.department_id])[0] if changes.department_id else None
    if (
        department is not None
        and department.archived_at is not None
        and department.id != person.department_id
    ):
        raise ArchivedDepartment()
    headed = _departments(changes.headed_department_ids)
    if headed and not changes.is_active:
        raise InactiveCannotHead()
    manager = _manager(person, changes.manager_email)

    before = _snapshot(person)
    person.department = department
    person.is_hr_admin = changes.is_hr_admin
    person.headed_departments = headed
    person.manager = manager
    after = _snapshot(person)
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    # Roles get an entry of their own: the log's first question is who gave whom which powers.
    roles = {key: changed.pop(key) for key in ROLE_DETAILS if key in changed}
    if changed:
        audit.record(actor, "org.person_updated", "user", person.id, **changed)
    if roles:
        audit.record(actor, "org.person_roles_changed", "user", person.id, **roles)
    db.session.flush()

    if person.is_active and not changes.is_active:
        leavers.deactivate_people([person.id], now)
        audit.record(actor, "org.person_deactivated", "user", person.id)
    elif not person.is_active and changes.is_active:
        leavers.reactivate_person(person)
        audit.record(actor, "org.person_reactivated", "user", person.id)
    db.session.commit()


ROLE_DETAILS = ("is_hr_admin", "headed_departments")


def _snapshot(person: User) -> dict[str, object]:
    """What the audit trail notes of a person, as plain values (the manager by id)."""
    return {
        "department": person.department.path if person.department is not None else None,
        "is_hr_admin": person.is_hr_admin,
        "headed_departments": [department.path for department in person.headed_departments],
        "manager": person.manager.id if person.manager is not None else None,
    }


def resend_set_password_link(person: User, actor: User) -> None:
    """Queue a new set-password email for an active person, and deliver the outbox."""
    if person.email is None:
        raise NoEmail()
    if not person.is_active:
        raise PersonInactive()
    accounts.queue_set_password_emails([person])
    audit.record(actor, "org.set_password_link_sent", "user", person.id)
    db.session.commit()
