"""What the roster import's codes read as, in the reader's language: why a file cannot be read
(with its detail), why a row is rejected, what changes for a person, and what each column is
called (the vocabulary's names in that language, from ``content/roster.yaml``)."""

from flask_babel import lazy_gettext as _l

from cxculture.services.org.roster.reading import (
    COLUMN_HEADERS,
    RosterFileError,
    RowProblem,
    simplify,
)

DEFAULT_LANGUAGE = "en"
CSV_FIELD_LIMIT = "field larger than field limit"  # the csv module's words for it

ROSTER_FILE_ERRORS = {
    "empty": _l("The file is empty."),
    "not_text": _l("This is neither a CSV file nor an Excel workbook (.xlsx)."),
    "spreadsheet": _l(
        "This is a spreadsheet workbook (%(detail)s), not CSV. Save it as “CSV UTF-8” and "
        "upload that file."
    ),
    "not_csv": _l("The file could not be read as CSV: %(detail)s."),
    "not_xlsx": _l(
        "The file could not be read as an Excel workbook (.xlsx). Open it in your spreadsheet "
        "program and save it again as .xlsx or as CSV."
    ),
    "xls": _l(
        "This is an old Excel workbook (.xls). Save it as .xlsx or CSV, then upload that file."
    ),
    "encrypted": _l(
        "This workbook is protected by a password. Save a copy without the password (or as "
        "CSV) and upload that file."
    ),
    "empty_sheet": _l("The workbook's first sheet is empty: the people must be on it."),
    "unpacked_too_large": _l(
        "This workbook unpacks to far more data than a roster holds. Save the people alone, "
        "as .xlsx or CSV, and upload that file."
    ),
    "too_many_rows": _l(
        "The file has more than %(detail)s rows. Split it into several files and upload them "
        "one after the other."
    ),
    "missing_columns": _l(
        "Columns missing: %(detail)s. The header needs a name, a department, and an employee "
        "number or an email (or both)."
    ),
    "duplicate_column": _l("Two columns mean the same thing: %(detail)s."),
    "no_rows": _l("The file has a header but no people under it."),
    "too_large": _l("The file is larger than %(detail)s MB."),
    "field_too_long": _l(
        "A field of this file is far longer than any roster's: it does not look like an export "
        "of people. Check that it is the right file, saved as CSV."
    ),
}
ROSTER_PROBLEMS = {
    "employee_number_missing": _l("No employee number."),
    "no_email_or_number": _l(
        "Neither an email nor an employee number: every person needs one of them (or both)."
    ),
    "role_needs_email": _l(
        "Heads of departments and HR admins need an email: they log in with it. Give this "
        "person an email, or leave the role out."
    ),
    "same_person": _l(
        "Another line (shown) is about the same person: one gives their employee number, the "
        "other their email."
    ),
    "employee_number_too_long": _l("The employee number is longer than 64 characters."),
    "name_missing": _l("No name."),
    "name_too_long": _l("The name is longer than 200 characters."),
    "email_too_long": _l("The email is longer than 254 characters."),
    "bad_email": _l("Not a valid email address."),
    "department_empty": _l("No department."),
    "department_invalid": _l("The department path has an empty or overlong level."),
    "department_own_ancestor": _l("The department path puts a department inside itself."),
    "department_too_long": _l("The department path is longer than 1000 characters."),
    "bad_characters": _l("A field holds a character that cannot be stored (a NUL byte)."),
    "bad_heads": _l("A department this person heads is not a valid path."),
    "bad_flag": _l("Not understood as yes or no."),
    "bad_locale": _l("Unknown language (use en, pt_BR or es)."),
    "bad_manager_email": _l("The manager's email is not a valid address."),
    "too_many_fields": _l("More fields than the header has columns."),
    "duplicate_employee_number": _l("The same employee number is on another line."),
    "duplicate_email": _l("The same email is on another line."),
    "email_taken": _l("This email belongs to another person already (employee number shown)."),
    "email_look_alike": _l(
        "This address looks like another person's address (shown) but differs by look-alike "
        "characters (another alphabet, full-width or stylised letters)."
    ),
    "department_archived": _l("The department is archived: restore it first."),
    "manager_unknown": _l("The manager is neither in the file nor an active person."),
    "manager_loop": _l("The managers go round in a circle back to this person."),
    "own_hr_admin": _l("An import cannot take away your own HR admin role."),
}
ROSTER_CHANGES = {
    "name": _l("name"),
    "email": _l("email"),
    "department": _l("department"),
    "locale": _l("language"),
    "hr_admin": _l("HR admin"),
    "heads": _l("departments headed"),
    "manager": _l("manager"),
    "reactivated": _l("active again"),
    "employee_number": _l("employee number added"),
}


def column_name(column: str, locale: str) -> str:
    """What a file's header calls ``column`` in the reader's language (``locale``)."""
    by_language = COLUMN_HEADERS[column]
    return (by_language.get(locale) or by_language[DEFAULT_LANGUAGE])[0]


def column_synonyms(column: str, locale: str) -> list[str]:
    """The other headers ``column`` is recognised by: the reader's language first, then the
    others, each once as compared (without accents, case or punctuation)."""
    by_language = COLUMN_HEADERS[column]
    own = by_language.get(locale) or by_language[DEFAULT_LANGUAGE]
    others = [name for language, names in by_language.items() if names is not own for name in names]
    seen = {simplify(own[0])}
    synonyms = []
    for name in [*own[1:], *others]:
        if simplify(name) not in seen:
            seen.add(simplify(name))
            synonyms.append(name)
    return synonyms


def file_error_message(error: RosterFileError, locale: str) -> str:
    """Why a file cannot be read, in the reader's language, columns named as they would be."""
    if error.code == "missing_columns":
        names = (f"“{column_name(column, locale)}”" for column in error.columns)
        return str(ROSTER_FILE_ERRORS["missing_columns"]) % {"detail": ", ".join(names)}
    if error.code == "not_csv" and error.detail.startswith(CSV_FIELD_LIMIT):
        return str(ROSTER_FILE_ERRORS["field_too_long"])
    return str(ROSTER_FILE_ERRORS[error.code]) % {"detail": error.detail}


def problem_value(problem: RowProblem, locale: str) -> str:
    """The value shown beside a rejected row: the file's own text, or the column at fault."""
    if problem.reason == "bad_characters":
        return column_name(problem.value, locale)
    return problem.value
