"""Who may see what: the one place that decides whether a person may see a department (its
results, its training) or a person. Endpoints declare who may call them (``cxculture.access``);
what they then show of a department or a person is asked here."""

from __future__ import annotations

from cxculture.models import Department, Role, User
from cxculture.paths import within


def reach(viewer: User) -> list[str] | None:
    """The department paths ``viewer`` may see with everything below them: those they head, or
    None for HR admins, who see every department."""
    if viewer.has_role(Role.HR_ADMIN):
        return None
    return [department.path for department in viewer.headed_departments]


def covers_department(user: User, department: Department) -> bool:
    """Whether ``user`` heads ``department`` or one of its ancestors."""
    return within(department.path, [headed.path for headed in user.headed_departments])


def can_view_path(viewer: User, path: str) -> bool:
    """Whether ``viewer`` may see the department at ``path`` (which may no longer exist: a
    past wave's results keep the paths they were given in)."""
    paths = reach(viewer)
    return paths is None or within(path, paths)


def can_view_department(user: User, department: Department) -> bool:
    """HR sees every department; a head sees the ones they head and everything below them."""
    return can_view_path(user, department.path)


def can_view_person(viewer: User, person: User) -> bool:
    """Everyone sees themselves; HR everyone; a head the people of the departments they
    cover."""
    if viewer.id == person.id:
        return True
    if person.department is None:
        return viewer.has_role(Role.HR_ADMIN)
    return can_view_department(viewer, person.department)
