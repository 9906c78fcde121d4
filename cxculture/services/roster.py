"""Roster import: the HR system's export, as it comes, turned into people and departments.

Three steps, each usable on its own (the page, the command line and the tests use them):

- ``read_roster(data)`` decodes and parses the file (UTF-8 with or without a byte-order mark,
  UTF-16, else Windows-1252; comma, semicolon or tab; quoted fields with line breaks) and checks
  every row on its own and against the others. File-level problems raise ``RosterFileError``.
- ``plan_roster(parsed, ...)`` compares the rows with the database: who is created, updated,
  left as is or deactivated, which departments appear, and which rows are rejected because of
  what is already stored (an email used by someone else, or one that differs from someone
  else's only by look-alike characters, an archived department...).
- ``apply_roster(...)`` plans again inside one transaction and writes everything, or nothing
  when any row is rejected. People are matched by employee number, so applying the same file a
  second time changes nothing.

One person at a time (the API) goes through the same rules: ``check_row`` for the row on its
own, then ``apply_person``, which plans that row against the people it concerns and writes it
the way a file's row is written.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defer

from cxculture.characters import FORBIDDEN, has_forbidden_characters
from cxculture.emails import LookAlikes, skeleton
from cxculture.extensions import db
from cxculture.models import Department, RosterImport, User, department_heads
from cxculture.models.org import PATH_MAX_LENGTH, PATH_SEPARATOR
from cxculture.services import accounts, audit, people

# The columns a roster can have, and the names HR systems give them in en/pt/es (compared
# without accents, case or punctuation).
COLUMN_NAMES = {
    "employee_number": (
        "employee number",
        "employee no",
        "employee id",
        "employee code",
        "emp id",
        "id",
        "matricula",
        "numero de matricula",
        "codigo",
        "codigo do funcionario",
        "numero do funcionario",
        "id funcionario",
        "id colaborador",
        "numero de empleado",
        "n empleado",
        "no empleado",
        "id empleado",
        "codigo de empleado",
        "legajo",
        "ficha",
    ),
    "name": (
        "name",
        "full name",
        "employee name",
        "nome",
        "nome completo",
        "colaborador",
        "funcionario",
        "nombre",
        "nombre completo",
        "empleado",
        "apellidos y nombre",
    ),
    "email": (
        "email",
        "e mail",
        "mail",
        "email address",
        "work email",
        "corporate email",
        "email corporativo",
        "e mail corporativo",
        "correo",
        "correo electronico",
        "correo corporativo",
        "email del empleado",
    ),
    "department": (
        "department",
        "department path",
        "departamento",
        "caminho do departamento",
        "area",
        "setor",
        "unidade",
        "unidad",
        "sector",
        "ruta del departamento",
        "org unit",
    ),
    "heads": (
        "head of",
        "department head of",
        "heads",
        "manages department",
        "responsavel por",
        "gestor de",
        "lider de",
        "chefe de",
        "jefe de",
        "responsable de",
        "dirige",
    ),
    "hr_admin": (
        "hr admin",
        "hr",
        "hr administrator",
        "admin rh",
        "rh admin",
        "administrador rh",
        "administrador de rh",
        "admin rrhh",
        "rrhh admin",
        "administrador rrhh",
        "administrador de rrhh",
    ),
    "locale": ("locale", "language", "idioma", "lingua", "lenguaje"),
    "manager_email": (
        "manager email",
        "manager",
        "manager e mail",
        "line manager",
        "email do gestor",
        "e mail do gestor",
        "gestor",
        "email del jefe",
        "correo del jefe",
        "jefe",
        "email del responsable",
        "supervisor",
    ),
}
REQUIRED = ("employee_number", "name", "email", "department")
HEADS_SEPARATOR = "|"
YES = {"yes", "y", "true", "1", "x", "sim", "s", "si", "verdadeiro", "verdadero"}
NO = {"", "no", "n", "false", "0", "nao", "falso"}
LOCALES = {
    "en": "en",
    "en us": "en",
    "en gb": "en",
    "english": "en",
    "ingles": "en",
    "pt": "pt_BR",
    "pt br": "pt_BR",
    "pt pt": "pt_BR",
    "portugues": "pt_BR",
    "portuguese": "pt_BR",
    "es": "es",
    "es es": "es",
    "es mx": "es",
    "es ar": "es",
    "es co": "es",
    "es cl": "es",
    "espanol": "es",
    "spanish": "es",
    "castellano": "es",
}
MAX_LENGTHS = {"employee_number": 64, "name": 200, "email": 254}
DEPARTMENT_NAME_MAX = 120


def simplify(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: how column names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


ALIASES = {simplify(name): column for column, names in COLUMN_NAMES.items() for name in names}


class RosterFileError(ValueError):
    """The file as a whole cannot be read as a roster; ``code`` says why, ``detail`` names
    what (columns, a size). Nothing is changed."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class RosterHasProblems(ValueError):
    """Applying was refused because rows are rejected (``problems``); nothing was changed."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(len(problems))
        self.problems = problems


@dataclass(frozen=True)
class RowProblem:
    """A rejected row: its line in the file, the reason (a code) and the value at fault."""

    line: int
    reason: str
    value: str = ""


@dataclass(frozen=True)
class RosterRow:
    """One person as the file gives them; None means "the file has no such column"."""

    line: int
    employee_number: str
    name: str
    email: str
    department: str
    heads: tuple[str, ...] | None = None
    hr_admin: bool | None = None
    locale: str | None = None
    manager_email: str | None = None


@dataclass
class ParsedRoster:
    rows: list[RosterRow]
    problems: list[RowProblem]
    columns: dict[str, str]  # our column -> the file's header
    unknown_columns: list[str]
    encoding: str
    delimiter: str
    data_rows: int  # non-blank rows under the header, rejected ones included
    # Every employee number the file names, rejected rows included: none of them is "missing".
    listed_numbers: set[str] = field(default_factory=set)


# Reading


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError:  # a byte-order mark, then bytes that are not that encoding
        raise RosterFileError("not_text") from None
    if data.startswith(b"PK\x03\x04"):
        raise RosterFileError("spreadsheet", "xlsx")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError("spreadsheet", "xls")
    if b"\x00" in data[:8192]:
        raise RosterFileError("not_text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:  # the few bytes Windows-1252 leaves undefined
        return data.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    """The separator that splits the header line into the most fields."""
    first = next(iter(text.splitlines()), "")
    counts = {
        delimiter: len(next(csv.reader([first], delimiter=delimiter), []))
        for delimiter in (",", ";", "\t")
    }
    return max(counts, key=lambda delimiter: counts[delimiter])


@lru_cache(maxsize=65536)  # managers' addresses repeat on every row of their team
def _email(value: str) -> str | None:
    """The address in lower case, or None when it is not a valid email address."""
    try:
        # test_environment: also accept the reserved "test" domain, as demo and staging use.
        return validate_email(value, test_environment=True).normalized.lower()
    except EmailNotValidError:
        return None


def department_problem(path: str) -> str | None:
    """Why ``path`` cannot name a department, or None."""
    if not path.strip():
        return "department_empty"
    names = [name.strip() for name in path.split(PATH_SEPARATOR)]
    if any(not name for name in names):
        return "department_invalid"
    if any(len(name) > DEPARTMENT_NAME_MAX for name in names):
        return "department_invalid"
    if len(PATH_SEPARATOR.join(names)) > PATH_MAX_LENGTH:
        return "department_too_long"
    if len({simplify(name) for name in names}) < len(names):
        return "department_own_ancestor"  # "Sales/East/Sales": a department inside itself
    return None


def clean_path(path: str) -> str:
    return PATH_SEPARATOR.join(name.strip() for name in path.split(PATH_SEPARATOR))


def _header(fields: list[str]) -> tuple[dict[int, str], dict[str, str], list[str]]:
    positions: dict[int, str] = {}
    columns: dict[str, str] = {}
    unknown: list[str] = []
    for position, raw in enumerate(fields):
        name = raw.strip()
        column = ALIASES.get(simplify(name))
        if column is None:
            if name:
                unknown.append(name)
            continue
        if column in columns:
            raise RosterFileError("duplicate_column", f"{columns[column]}, {name}")
        positions[position] = column
        columns[column] = name
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise RosterFileError("missing_columns", ", ".join(missing))
    return positions, columns, unknown


def check_row(line: int, values: dict[str, str]) -> RosterRow | RowProblem:
    """One row on its own, as its columns' texts (a column missing from ``values`` is left
    alone): a row to plan, or the first reason to reject it."""
    for column, value in values.items():
        # A NUL past the part of the file sniffed for binary data, or a stray control
        # character pasted into the HR system: nothing that can be stored (or exported).
        if has_forbidden_characters(value):
            return RowProblem(line, "bad_characters", column)
    for column, limit in MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            return RowProblem(line, f"{column}_too_long", values[column][:80])
    number = values.get("employee_number", "").strip()
    if not number:
        return RowProblem(line, "employee_number_missing")
    name = " ".join(values.get("name", "").split())
    if not name:
        return RowProblem(line, "name_missing")
    raw_email = values.get("email", "").strip()
    email = _email(raw_email)
    if email is None:
        return RowProblem(line, "bad_email", raw_email)
    path = values.get("department", "")
    problem = department_problem(path)
    if problem:
        return RowProblem(line, problem, path)
    heads = None
    if "heads" in values:
        named = (clean_path(p) for p in values["heads"].split(HEADS_SEPARATOR) if p.strip())
        heads = tuple(dict.fromkeys(named))  # each department once, in the file's order
        for head_path in values["heads"].split(HEADS_SEPARATOR):
            if head_path.strip() and department_problem(head_path):
                return RowProblem(line, "bad_heads", values["heads"])
    hr_admin = None
    if "hr_admin" in values:
        flag = simplify(values["hr_admin"])
        if flag not in YES | NO:
            return RowProblem(line, "bad_flag", values["hr_admin"])
        hr_admin = flag in YES
    locale = None
    if values.get("locale", "").strip():
        locale = LOCALES.get(simplify(values["locale"]))
        if locale is None:
            return RowProblem(line, "bad_locale", values["locale"])
    manager = None
    if "manager_email" in values:
        raw_manager = values["manager_email"].strip()
        if raw_manager:
            manager = _email(raw_manager)
            if manager is None:
                return RowProblem(line, "bad_manager_email", raw_manager)
        else:
            manager = ""  # the column is there and empty: no manager
    return RosterRow(line, number, name, email, clean_path(path), heads, hr_admin, locale, manager)


def _reject_duplicates(rows: list[RosterRow], problems: list[RowProblem]) -> list[RosterRow]:
    """Rows sharing an employee number or an email are all rejected: which one is right is
    HR's call, not the importer's."""
    lines_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        lines_of[("employee_number", row.employee_number.casefold())].append(row.line)
        lines_of[("email", row.email)].append(row.line)
    rejected: dict[int, RowProblem] = {}
    for (column, _value), lines in lines_of.items():
        if len(lines) > 1:
            for line in lines:
                others = ", ".join(str(other) for other in lines if other != line)
                rejected.setdefault(line, RowProblem(line, f"duplicate_{column}", others))
    problems.extend(rejected.values())
    return [row for row in rows if row.line not in rejected]


def read_roster(data: bytes, max_bytes: int | None = None) -> ParsedRoster:
    """Parse and check a roster file; RosterFileError when the file as a whole is unusable."""
    if max_bytes is not None and len(data) > max_bytes:
        raise RosterFileError("too_large", str(max_bytes // (1024 * 1024)))
    if not data.strip():
        raise RosterFileError("empty")
    text, encoding = decode(data)
    if not text.strip():
        raise RosterFileError("empty")
    try:
        delimiter = _delimiter(text)  # reads the header line: a field too long fails here
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        header = next(reader)
        positions, columns, unknown = _header(header)
        rows: list[RosterRow] = []
        problems: list[RowProblem] = []
        data_rows = 0
        listed: set[str] = set()
        line = reader.line_num + 1
        for fields in reader:
            start, line = line, reader.line_num + 1
            if not any(field.strip() for field in fields):
                continue  # blank lines, trailing or not
            data_rows += 1
            extra = [value for value in fields[len(header) :] if value.strip()]
            if len(header) > 0 and extra:
                problems.append(RowProblem(start, "too_many_fields", extra[0][:80]))
                continue
            values = {
                column: fields[position] if position < len(fields) else ""
                for position, column in positions.items()
            }
            listed.add(values["employee_number"].strip().casefold())
            checked = check_row(start, values)
            if isinstance(checked, RowProblem):
                problems.append(checked)
            else:
                rows.append(checked)
    except csv.Error as exc:
        raise RosterFileError("not_csv", str(exc)) from exc
    if data_rows == 0:
        raise RosterFileError("no_rows")
    rows = _reject_duplicates(rows, problems)
    return ParsedRoster(
        rows, problems, columns, unknown, encoding, delimiter, data_rows, listed - {""}
    )


# Planning against the database


@dataclass(frozen=True)
class Stored:
    """A person as the database has them, in the terms of a roster row."""

    id: int
    employee_number: str | None
    name: str
    email: str
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
    for user_id, path in db.session.execute(heads_query):
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
    conditions = [
        func.lower(User.employee_number) == row.employee_number.lower(),
        User.email == row.email,
    ]
    if row.manager_email:
        conditions.append(User.email == row.manager_email)
    found = {person.id: person for person in _stored_people(or_(*conditions))}
    while True:
        known = {person.email for person in found.values()}
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
    if row.email != person.email:
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
    if person.employee_number is None:
        changes.append("employee_number")
    return changes


def _manager_loops(rows: list[RosterRow], stored: list[Stored]) -> set[int]:
    """Lines of the rows whose chain of managers comes back to them."""
    manager_of: dict[str, str | None] = {p.email: p.manager_email for p in stored}
    for row in rows:
        if row.manager_email is not None:
            manager_of[row.email] = row.manager_email or None
    looping: set[int] = set()
    for row in rows:
        seen = {row.email}
        current = manager_of.get(row.email)
        while current is not None:
            if current in seen:
                if current == row.email:
                    looping.add(row.line)
                break
            seen.add(current)
            current = manager_of.get(current)
    return looping


def plan_roster(
    parsed: ParsedRoster, *, deactivate_missing: bool = False, actor: User | None = None
) -> RosterPlan:
    """What applying ``parsed`` would do now; rows the database rejects join its problems."""
    return _plan(
        parsed.rows,
        parsed.problems,
        parsed.listed_numbers,
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
        _people_concerned(row),
        deactivate_missing=False,
        actor=actor,
        everyone=_all_emails,
    )


def _all_emails() -> list[str]:
    """Every stored address, in one query (a new address is compared with all of them)."""
    return list(db.session.execute(select(User.email)).scalars())


def _matched(
    row: RosterRow, by_number: dict[str, Stored], by_email: dict[str, Stored]
) -> Stored | None:
    """The stored person ``row`` is about: by employee number, else an account made by hand
    (no employee number: the first HR admin) that has the row's email, which the file adopts."""
    person = by_number.get(row.employee_number.casefold())
    holder = by_email.get(row.email)
    if person is None and holder is not None and holder.employee_number is None:
        return holder
    return person


def _look_alike(
    row: RosterRow, key: str, person: Stored | None, stored: LookAlikes, in_file: LookAlikes
) -> str | None:
    """Another person's address, stored or in another row of the file, that differs from the
    row's new address (whose skeleton is ``key``) only by look-alike characters (TR39
    skeletons, ``cxculture.emails``). The person's own current address is not another's."""
    own = (person.email,) if person is not None else ()
    return stored.find(row.email, besides=own, key=key) or in_file.find(row.email, key=key)


def _plan(
    rows: list[RosterRow],
    problems: list[RowProblem],
    listed_numbers: set[str],
    stored: list[Stored],
    *,
    deactivate_missing: bool,
    actor: User | None,
    everyone: Callable[[], Iterable[str]] | None = None,
) -> RosterPlan:
    """``everyone`` gives every stored address when ``stored`` is not everyone (one person)."""
    plan = RosterPlan(problems=list(problems))
    by_number = {p.employee_number.casefold(): p for p in stored if p.employee_number}
    by_email = {p.email: p for p in stored}
    # Rows bringing an address their person does not have yet (newcomers, changed addresses):
    # it must not look like another person's. Skeletons are computed once per plan, and not at
    # all when the file brings no new address (the same file again).
    matched = {row.line: _matched(row, by_number, by_email) for row in rows}
    fresh = {
        row.line: skeleton(row.email)
        for row in rows
        if matched[row.line] is None or matched[row.line].email != row.email
    }
    stored_looks, in_file_looks = LookAlikes(), LookAlikes()
    if fresh:
        stored_looks = LookAlikes(everyone() if everyone is not None else by_email)
        for row in rows:
            if row.line in fresh:
                in_file_looks.add(row.email, fresh[row.line])
    departments = dict(db.session.execute(select(Department.path, Department.archived_at)).all())
    in_file_emails = {row.email for row in rows}
    # Addresses the file takes away from their owners: nobody will answer to them afterwards.
    leaving_emails = {
        person.email
        for row in rows
        if (person := by_number.get(row.employee_number.casefold())) and person.email != row.email
    } - in_file_emails
    loops = _manager_loops(rows, stored)

    new_paths: set[str] = set()
    accepted: list[tuple[RosterRow, Stored | None]] = []
    for row in rows:
        person = matched[row.line]
        holder = by_email.get(row.email)
        problem = None
        if holder is not None and holder is not person:
            problem = RowProblem(row.line, "email_taken", holder.employee_number or row.email)
        elif row.line in fresh and (
            other := _look_alike(row, fresh[row.line], person, stored_looks, in_file_looks)
        ):
            problem = RowProblem(row.line, "email_look_alike", other)
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
            problem = RowProblem(row.line, "own_hr_admin", row.email)
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
            ):
                if actor is not None and person.id == actor.id:
                    plan.kept_active.append(person)  # nobody locks themselves out
                else:
                    plan.deactivations.append(person)
    plan.new_departments = sorted(new_paths, key=lambda p: (p.count(PATH_SEPARATOR), p))
    plan.problems.sort(key=lambda problem: problem.line)
    return plan


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
    people.deactivate_people([person.id for person in plan.deactivations], now)
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
    removed = []
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
