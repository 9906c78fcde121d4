"""What the roster import's codes read as, in the reader's language: why a file cannot be read
(with its detail), why a row is rejected, and what changes for a person."""

from flask_babel import lazy_gettext as _l

ROSTER_FILE_ERRORS = {
    "empty": _l("The file is empty."),
    "not_text": _l("This is not a CSV file: it holds binary data."),
    "spreadsheet": _l(
        "This is a spreadsheet workbook (%(detail)s), not CSV. Save it as “CSV UTF-8” and "
        "upload that file."
    ),
    "not_csv": _l("The file could not be read as CSV: %(detail)s."),
    "missing_columns": _l(
        "Columns missing: %(detail)s. The header needs an employee number, a name, an email "
        "and a department."
    ),
    "duplicate_column": _l("Two columns mean the same thing: %(detail)s."),
    "no_rows": _l("The file has a header but no people under it."),
    "too_large": _l("The file is larger than %(detail)s MB."),
}
ROSTER_PROBLEMS = {
    "employee_number_missing": _l("No employee number."),
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
