"""The organisation: the department tree (building and reading it, HR's changes to it), and
its parts offered by name:

- ``people``: HR editing a person (department, roles, headships, manager, active);
- ``leavers``: deactivating and reactivating people without losing what they gave;
- ``roster``: importing the HR system's export (reading the file, planning, applying);
- ``sync``: people kept in step through the API, under the roster's rules;
- ``erasure``: forgetting a person while their answers stay in the results;
- ``reach``: who may see which department and which person.

``tree`` and ``changes`` are its internals: their functions are offered here by name."""

from cxculture.services.org.changes import (
    NAME_MAX_LENGTH,
    DepartmentArchived,
    DepartmentChangeRefused,
    DepartmentHasPeople,
    DepartmentHasSubdepartments,
    DepartmentPathTaken,
    HeadWithoutEmail,
    InactiveHead,
    InvalidDepartmentName,
    PathTooLong,
    WouldBeOwnAncestor,
    archive_department,
    list_departments,
    merge_department,
    move_department,
    rename_department,
    restore_department,
    set_department_heads,
)
from cxculture.services.org.tree import (
    CompanySummary,
    DepartmentRow,
    InvalidDepartmentPath,
    active_headcounts,
    company_summary,
    department_rows,
    ensure_department,
    get_department,
    heads_by_department,
    split_path,
    subtree_condition,
)

# The parts offered by name come last: they use the functions above.
from cxculture.services.org import (  # isort: skip
    erasure,
    leavers,
    people,
    reach,
    roster,
    sync,
)

__all__ = [
    "active_headcounts",
    "archive_department",
    "company_summary",
    "CompanySummary",
    "department_rows",
    "DepartmentArchived",
    "DepartmentChangeRefused",
    "DepartmentHasPeople",
    "DepartmentHasSubdepartments",
    "DepartmentPathTaken",
    "DepartmentRow",
    "ensure_department",
    "erasure",
    "get_department",
    "heads_by_department",
    "HeadWithoutEmail",
    "InactiveHead",
    "InvalidDepartmentName",
    "InvalidDepartmentPath",
    "leavers",
    "list_departments",
    "merge_department",
    "move_department",
    "NAME_MAX_LENGTH",
    "PathTooLong",
    "people",
    "reach",
    "rename_department",
    "restore_department",
    "roster",
    "set_department_heads",
    "split_path",
    "subtree_condition",
    "sync",
    "WouldBeOwnAncestor",
]
