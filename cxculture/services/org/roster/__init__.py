"""The roster import: the HR system's export, as it comes, turned into people and departments.

Three steps, each usable on its own (the page, the command line, the API and the tests use
them): ``read_roster`` reads and checks the file without the database (``reading``, and
``workbook`` for .xlsx files); ``plan_roster`` compares its rows with what is stored
(``planning``); ``apply_roster`` plans again inside one transaction and writes everything or
nothing (``applying``). One person at a time (the API) goes through the same rules:
``check_row`` then ``apply_person``. ``labels`` holds what the codes read as. Callers use the
names below, not the modules.
"""

from cxculture.services.org.roster.applying import (
    AlreadyApplied,
    ChangedPerson,
    ImportResult,
    PersonSaved,
    apply_person,
    apply_roster,
    get_import,
    import_result,
    recent_imports,
    store_upload,
)
from cxculture.services.org.roster.planning import (
    RosterPlan,
    Stored,
    plan_person,
    plan_roster,
)
from cxculture.services.org.roster.reading import (
    ALIASES,
    COLUMN_NAMES,
    DEPARTMENT_NAME_MAX,
    HEADS_SEPARATOR,
    IDENTITY,
    LOCALES,
    MAX_LENGTHS,
    MAX_ROWS,
    NO,
    REQUIRED,
    YES,
    ParsedRoster,
    RosterFileError,
    RosterHasProblems,
    RosterRow,
    RowProblem,
    check_row,
    clean_path,
    decode,
    department_problem,
    read_roster,
    simplify,
)

__all__ = [
    "ALIASES",
    "AlreadyApplied",
    "apply_person",
    "apply_roster",
    "ChangedPerson",
    "check_row",
    "clean_path",
    "COLUMN_NAMES",
    "decode",
    "DEPARTMENT_NAME_MAX",
    "department_problem",
    "get_import",
    "HEADS_SEPARATOR",
    "import_result",
    "ImportResult",
    "LOCALES",
    "IDENTITY",
    "MAX_LENGTHS",
    "MAX_ROWS",
    "NO",
    "ParsedRoster",
    "PersonSaved",
    "plan_person",
    "plan_roster",
    "read_roster",
    "recent_imports",
    "REQUIRED",
    "RosterFileError",
    "RosterHasProblems",
    "RosterPlan",
    "RosterRow",
    "RowProblem",
    "simplify",
    "store_upload",
    "Stored",
    "YES",
]
