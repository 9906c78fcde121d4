"""Reading a roster file: the HR system's export, as it comes, decoded, parsed and checked row
by row, without the database (UTF-8 with or without a byte-order mark, UTF-16, else
Windows-1252; comma, semicolon or tab; quoted fields with line breaks; column names in English,
Portuguese or Spanish from ``content/roster.yaml``), or an Excel workbook's first sheet
(``workbook``). Every row names its person by employee number, email or both. File-level
problems raise ``RosterFileError``; a row's own problem is a ``RowProblem``."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from email_validator import EmailNotValidError, validate_email

from cxculture.characters import has_forbidden_characters
from cxculture.paths import PATH_MAX_LENGTH, PATH_SEPARATOR
from cxculture.services.org.roster import workbook

CONTENT = Path(__file__).resolve().parents[3] / "content"

# The vocabulary of HR systems' exports: column names in en/pt/es, yes and no, languages
# (compared without accents, case or punctuation), kept as data beside the lexicons.
VOCABULARY = yaml.safe_load((CONTENT / "roster.yaml").read_text(encoding="utf-8"))
# Each column's names per interface language, as written; the first is the column's name there.
COLUMN_HEADERS: dict[str, dict[str, list[str]]] = VOCABULARY["columns"]
REQUIRED = ("name", "department")
# A file needs one of these columns, and each row one of these values (or both): people
# without a mailbox are known by their number, people without a number by their email.
IDENTITY = ("employee_number", "email")
HEADS_SEPARATOR = "|"
YES = frozenset(VOCABULARY["yes"])
NO = frozenset(VOCABULARY["no"])
LOCALES: dict[str, str] = VOCABULARY["languages"]
MAX_LENGTHS = {"employee_number": 64, "name": 200, "email": 254}
DEPARTMENT_NAME_MAX = 120
# People per file, whatever its format: a workbook packs far more rows into the size limit
# than a CSV file, and every row is planned against the database.
MAX_ROWS = 200_000


def simplify(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: how column names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


def _every_name(by_language: dict[str, list[str]]) -> list[str]:
    """A column's names in every language, each once (as compared)."""
    names = [name for language in by_language.values() for name in language]
    return list({simplify(name): name for name in reversed(names)}.values())[::-1]


# Every name each column is recognised by, whatever the reader's language.
COLUMN_NAMES: dict[str, list[str]] = {
    column: _every_name(by_language) for column, by_language in COLUMN_HEADERS.items()
}
ALIASES: dict[str, str] = {}
for _column, _names in COLUMN_NAMES.items():
    for _name in _names:
        # One header naming two columns would be read as whichever came last: refuse the data.
        if ALIASES.setdefault(simplify(_name), _column) != _column:
            raise ValueError(f"roster.yaml gives the name {_name!r} to two columns")


class RosterFileError(ValueError):
    """The file as a whole cannot be read as a roster; ``code`` says why, ``detail`` names
    what (columns, a size), and ``columns`` the missing columns by key (for the pages to name
    them in the reader's language). Nothing is changed."""

    def __init__(self, code: str, detail: str = "", columns: tuple[str, ...] = ()):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.columns = columns


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
    """One person as the file gives them; None means "the file has no such column" (for the
    employee number and the email: "none given, keep what is stored"; one is always given)."""

    line: int
    employee_number: str | None
    name: str
    email: str | None
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
    encoding: str  # "xlsx" for a workbook
    delimiter: str  # "" for a workbook
    data_rows: int  # non-blank rows under the header, rejected ones included
    # Every employee number and email the file names, rejected rows included: none of the
    # people they name is "missing".
    listed_numbers: set[str] = field(default_factory=set)
    listed_emails: set[str] = field(default_factory=set)

    @property
    def is_workbook(self) -> bool:
        return self.encoding == "xlsx"


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
    if not any(column in columns for column in IDENTITY):
        missing = [*IDENTITY, *missing]
    if missing:
        raise RosterFileError("missing_columns", ", ".join(missing), tuple(missing))
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
    number = values.get("employee_number", "").strip() or None
    name = " ".join(values.get("name", "").split())
    if not name:
        return RowProblem(line, "name_missing")
    raw_email = values.get("email", "").strip()
    email = None
    if raw_email:
        email = _email(raw_email)
        if email is None:
            return RowProblem(line, "bad_email", raw_email)
    if number is None and email is None:
        return RowProblem(line, "no_email_or_number")
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
        if row.employee_number is not None:
            lines_of[("employee_number", row.employee_number.casefold())].append(row.line)
        if row.email is not None:
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
    """Parse and check a roster file, CSV or XLSX; RosterFileError when the file as a whole
    is unusable."""
    if max_bytes is not None and len(data) > max_bytes:
        raise RosterFileError("too_large", str(max_bytes // (1024 * 1024)))
    if not data.strip():
        raise RosterFileError("empty")
    try:
        if workbook.is_compound_file(data):
            raise workbook.compound_file_error(data)
        if workbook.is_workbook(data):
            return _parse(workbook.sheet_rows(data), "xlsx", "")
    except workbook.UnreadableWorkbook as exc:
        raise RosterFileError(exc.code, exc.detail) from exc
    text, encoding = decode(data)
    if not text.strip():
        raise RosterFileError("empty")
    try:
        delimiter = _delimiter(text)  # reads the header line: a field too long fails here
        return _parse(_csv_rows(text, delimiter), encoding, delimiter)
    except csv.Error as exc:
        raise RosterFileError("not_csv", str(exc)) from exc


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The file's records, each with the line it starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    line = 1
    for fields in reader:
        start, line = line, reader.line_num + 1
        yield start, fields


def _parse(records: Iterator[tuple[int, list[str]]], encoding: str, delimiter: str) -> ParsedRoster:
    """The header (the first record, or a workbook's first non-blank row), then every
    non-blank record under it checked."""
    header: list[str] | None = None
    for _line, fields in records:
        header = fields
        break
    if header is None:  # a workbook whose first sheet has no cell filled
        raise RosterFileError("empty_sheet" if encoding == "xlsx" else "empty")
    positions, columns, unknown = _header(header)
    rows: list[RosterRow] = []
    problems: list[RowProblem] = []
    data_rows = 0
    listed: set[str] = set()
    emails: set[str] = set()
    for start, fields in records:
        if not any(field.strip() for field in fields):
            continue  # blank lines, trailing or not
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise RosterFileError("too_many_rows", str(MAX_ROWS))
        extra = [value for value in fields[len(header) :] if value.strip()]
        if len(header) > 0 and extra:
            problems.append(RowProblem(start, "too_many_fields", extra[0][:80]))
            continue
        values = {
            column: fields[position] if position < len(fields) else ""
            for position, column in positions.items()
        }
        listed.add(values.get("employee_number", "").strip().casefold())
        raw_email = values.get("email", "").strip()
        emails.add((_email(raw_email) or raw_email.lower()) if raw_email else "")
        checked = check_row(start, values)
        if isinstance(checked, RowProblem):
            problems.append(checked)
        else:
            rows.append(checked)
    if data_rows == 0:
        raise RosterFileError("no_rows")
    rows = _reject_duplicates(rows, problems)
    return ParsedRoster(
        rows,
        problems,
        columns,
        unknown,
        encoding,
        delimiter,
        data_rows,
        listed - {""},
        emails - {""},
    )
