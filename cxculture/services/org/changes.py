"""HR's changes to the department tree: rename, move, heads, merge, archive and restore."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    ScalarResult,
    String,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from cxculture.extensions import db
from cxculture.models import Department, User
from cxculture.models.org import below_condition
from cxculture.models.surveys import survey_departments
from cxculture.paths import PATH_MAX_LENGTH, PATH_SEPARATOR, child_path, is_below
from cxculture.services import audit

# HR's changes to the tree. Paths are denormalised (every department stores its full path), so
# a rename or a move rewrites the paths of the whole subtree; past responses and invitations keep
# the path they were given in, so no result ever moves with a department.

NAME_MAX_LENGTH = 120  # the column's size


class DepartmentChangeRefused(Exception):
    """Base of the reasons a change to the department tree is refused (nothing was changed)."""


class InvalidDepartmentName(DepartmentChangeRefused):
    """A name that is blank, too long or holds the path separator."""


class DepartmentPathTaken(DepartmentChangeRefused):
    """The change would give a department the path of another one."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


class PathTooLong(DepartmentChangeRefused):
    """The change would make the path of the department, or of one below it, longer than the
    column holds (``PATH_MAX_LENGTH``)."""


class WouldBeOwnAncestor(DepartmentChangeRefused):
    """A department cannot go under itself or under a department below it."""


class DepartmentHasPeople(DepartmentChangeRefused):
    """People are still in the department (for a merge: anyone; for archiving: the active)."""


class DepartmentHasSubdepartments(DepartmentChangeRefused):
    """Departments below it are not archived yet."""


class DepartmentArchived(DepartmentChangeRefused):
    """An archived department takes no new departments below it (or its parent is archived)."""


class InactiveHead(DepartmentChangeRefused):
    """Only active people can head a department."""

    def __init__(self, emails: list[str]):
        super().__init__(", ".join(emails))
        self.emails = emails


class HeadWithoutEmail(DepartmentChangeRefused):
    """Only people with an email can head a department: heads log in to read their results,
    with a password set from a link sent by email. ``names`` are those without one."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def _strictly_below(path: str):
    return below_condition(Department.path, path)


def _in_subtree(path: str):
    return or_(Department.path == path, _strictly_below(path))


def list_departments(include_archived: bool = False) -> list[Department]:
    """Departments in tree order, without the archived ones unless asked."""
    query = select(Department).order_by(Department.path)
    if not include_archived:
        query = query.where(Department.archived_at.is_(None))
    return list(db.session.execute(query).scalars())


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or PATH_SEPARATOR in name or len(name) > NAME_MAX_LENGTH:
        raise InvalidDepartmentName(name)
    return name


def _path_exists(path: str) -> bool:
    return db.session.execute(select(exists().where(Department.path == path))).scalar_one()


def _refuse_taken(path: str) -> None:
    if _path_exists(path):
        raise DepartmentPathTaken(path)


def _refuse_too_long(department: Department, new_path: str) -> None:
    """PathTooLong when giving ``department`` ``new_path`` would make its path, or the longest
    path below it, longer than ``PATH_MAX_LENGTH``."""
    longest_below: int | None = db.session.execute(
        select(func.max(func.length(Department.path))).where(_strictly_below(department.path))
    ).scalar_one()
    longest = len(new_path) + max(0, (longest_below or 0) - len(department.path))
    if longest > PATH_MAX_LENGTH:
        raise PathTooLong(new_path)


def _repath_subtree(department: Department, new_path: str) -> int:
    """Give ``department`` ``new_path`` and every department below it the matching path, in
    one UPDATE. Returns how many departments below it moved along."""
    old_path = department.path
    # DML gets a CursorResult (its rowcount); Session.execute is annotated as giving a Result.
    moved = cast(
        CursorResult[Any],
        db.session.execute(
            update(Department)
            .where(_strictly_below(old_path))
            .values(
                path=literal(new_path, String).concat(
                    func.substr(Department.path, len(old_path) + 1)
                )
            )
            .execution_options(synchronize_session=False, preserve_rowcount=True)
        ),
    ).rowcount
    department.path = new_path
    return moved


def _commit_tree_change(new_path: str) -> None:
    """Commit; a department given the same path meanwhile (a race) is a refusal, not a 500."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise DepartmentPathTaken(new_path) from exc


def rename_department(department: Department, name: str, actor: User) -> None:
    """Give ``department`` a new name; its path and every path below it follow."""
    name = _clean_name(name)
    parent_path = department.parent.path if department.parent is not None else None
    new_path = child_path(parent_path, name)
    if new_path == department.path:
        return
    _relocate(department, new_path, "org.department_renamed", actor, name=name)


def move_department(department: Department, new_parent: Department | None, actor: User) -> None:
    """Put ``department`` (with everything below it) under ``new_parent``, or at the top level
    when it is None."""
    if new_parent is not None and (
        new_parent.id == department.id or is_below(new_parent.path, department.path)
    ):
        raise WouldBeOwnAncestor()
    if (new_parent.id if new_parent is not None else None) == department.parent_id:
        return
    if new_parent is not None and new_parent.archived_at and department.archived_at is None:
        raise DepartmentArchived()
    new_path = child_path(new_parent.path if new_parent is not None else None, department.name)
    _relocate(department, new_path, "org.department_moved", actor, parent=new_parent)


def _relocate(department: Department, new_path: str, action: str, actor: User, **changes) -> None:
    """Give ``department`` (and everything below it) ``new_path``, set ``changes`` on it,
    record ``action`` and commit; DepartmentPathTaken when the path is in use, PathTooLong when
    it or one below it would not fit."""
    _refuse_taken(new_path)
    _refuse_too_long(department, new_path)
    old_path = department.path
    below = _repath_subtree(department, new_path)
    for name, value in changes.items():
        setattr(department, name, value)
    audit.record(
        actor,
        action,
        "department",
        department.id,
        old_path=old_path,
        new_path=new_path,
        subdepartments=below,
    )
    _commit_tree_change(new_path)


def set_department_heads(department: Department, heads: Sequence[User], actor: User) -> None:
    """Make ``heads`` (active people) the heads of ``department``, replacing the current ones."""
    inactive = sorted(person.email or person.name for person in heads if not person.is_active)
    if inactive:
        raise InactiveHead(inactive)
    without_email = sorted(person.name for person in heads if person.email is None)
    if without_email:
        raise HeadWithoutEmail(without_email)
    unique = list({person.id: person for person in heads}.values())
    before = sorted(person.id for person in department.heads)
    department.heads = unique
    audit.record(
        actor,
        "org.department_heads_set",
        "department",
        department.id,
        heads_before=before,
        heads_after=sorted(person.id for person in unique),
    )
    db.session.commit()


def _keep_survey_audiences(source: Department, children: list[Department], target: Department):
    """Surveys aimed at ``source`` aim at its sub-departments instead (the same people), or at
    ``target`` when it has none: dropping the row alone would turn a survey whose only
    department was ``source`` into a survey of the whole company."""
    replacements = [child.id for child in children] or [target.id]
    # A Core table's columns are untyped: survey ids, and department ids below.
    survey_ids: ScalarResult[int] = db.session.execute(
        select(survey_departments.c.survey_id).where(
            survey_departments.c.department_id == source.id
        )
    ).scalars()
    for survey_id in list(survey_ids):
        present: set[int] = set(
            db.session.execute(
                select(survey_departments.c.department_id).where(
                    survey_departments.c.survey_id == survey_id
                )
            ).scalars()
        )
        rows = [
            {"survey_id": survey_id, "department_id": department_id}
            for department_id in replacements
            if department_id not in present
        ]
        if rows:
            db.session.execute(insert(survey_departments), rows)


def merge_department(source: Department, target: Department, actor: User) -> None:
    """Fold an empty ``source`` into ``target``: its sub-departments move under ``target``,
    its heads are dropped and it is deleted. Past results keep its name (path snapshots)."""
    if target.id == source.id or is_below(target.path, source.path):
        raise WouldBeOwnAncestor()
    if target.archived_at is not None:
        raise DepartmentArchived()
    has_people = db.session.execute(
        select(exists().where(User.department_id == source.id))
    ).scalar_one()
    if has_people:
        raise DepartmentHasPeople()
    children = list(source.children)
    for child in children:  # every refusal before the first change
        _refuse_taken(child_path(target.path, child.name))
        _refuse_too_long(child, child_path(target.path, child.name))
    moved = 0
    for child in children:
        moved += 1 + _repath_subtree(child, child_path(target.path, child.name))
        child.parent = target
    _keep_survey_audiences(source, children, target)
    # Noted on the target: the source's id goes away (and SQLite may give it to a newcomer).
    audit.record(
        actor,
        "org.department_merged",
        "department",
        target.id,
        merged=source.path,
        merged_id=source.id,
        moved_departments=moved,
    )
    source.heads = []
    db.session.delete(source)
    _commit_tree_change(target.path)


def archive_department(department: Department, actor: User, now: datetime) -> None:
    """Archive a department nobody active is in (nor below it), whose sub-departments are
    archived: it is offered for no one any more, and its past results stay."""
    if department.archived_at is not None:
        return
    subtree = select(Department.id).where(_in_subtree(department.path))
    has_active_people = db.session.execute(
        select(exists().where(User.is_active.is_(True), User.department_id.in_(subtree)))
    ).scalar_one()
    if has_active_people:
        raise DepartmentHasPeople()
    has_open_below = db.session.execute(
        select(exists().where(_strictly_below(department.path), Department.archived_at.is_(None)))
    ).scalar_one()
    if has_open_below:
        raise DepartmentHasSubdepartments()
    department.archived_at = now
    audit.record(actor, "org.department_archived", "department", department.id)
    db.session.commit()


def restore_department(department: Department, actor: User) -> None:
    """Take a department out of the archive (its parent must not be archived)."""
    if department.archived_at is None:
        return
    if department.parent is not None and department.parent.archived_at is not None:
        raise DepartmentArchived()
    department.archived_at = None
    audit.record(actor, "org.department_restored", "department", department.id)
    db.session.commit()
