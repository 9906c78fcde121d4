"""HR's forms for a person and for a department (rename, move, heads, merge)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from cxculture.forms import Form
from cxculture.models import User
from cxculture.services.org import NAME_MAX_LENGTH
from cxculture.services.org.people import PersonChanges

NO_DEPARTMENT = 0  # the select's value for "no department" and for "the top level"


class PersonForm(Form):
    department_id = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    is_hr_admin = BooleanField(_l("HR admin"))
    headed_department_ids = SelectMultipleField(_l("Heads these departments"), coerce=int)
    manager_email = EmailField(
        _l("Manager's email (optional)"), validators=[Optional(), Length(max=254)]
    )
    is_active = BooleanField(_l("Active: can log in and is invited to surveys"))
    submit = SubmitField(_l("Save"))

    @classmethod
    def for_person(cls, person: User) -> PersonForm:
        return cls(
            department_id=person.department_id or NO_DEPARTMENT,
            is_hr_admin=person.is_hr_admin,
            headed_department_ids=[department.id for department in person.headed_departments],
            manager_email=person.manager.email if person.manager is not None else "",
            is_active=person.is_active,
        )

    def changes(self) -> PersonChanges:
        return PersonChanges(
            department_id=self.department_id.data or None,
            is_hr_admin=self.is_hr_admin.data,
            is_active=self.is_active.data,
            headed_department_ids=self.headed_department_ids.data or [],
            manager_email=self.manager_email.data or None,
        )


class RenameForm(Form):
    name = StringField(_l("New name"), validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)])


class MoveForm(Form):
    parent_id = SelectField(_l("New place"), coerce=int, validators=[InputRequired()])


class HeadsForm(Form):
    emails = TextAreaField(
        _l("Heads' emails, one per line (leave empty for no head)"),
        validators=[Optional(), Length(max=10000)],
    )

    def email_list(self) -> list[str]:
        return [line.strip() for line in (self.emails.data or "").splitlines() if line.strip()]


class MergeForm(Form):
    target_id = SelectField(_l("Merge into"), coerce=int, validators=[InputRequired()])


class EraseForm(Form):
    """Erasing is for good: HR types the person's email to confirm (their employee number,
    for a person without an email)."""

    confirm_email = StringField(
        _l("Type the person's email to confirm"), validators=[DataRequired(), Length(max=254)]
    )
    submit = SubmitField(_l("Erase this person"))

    @classmethod
    def for_person(cls, person: User) -> EraseForm:
        form = cls(formdata=None)
        if person.email is None:
            form.confirm_email.label.text = _l("Type the person's employee number to confirm")
        return form

    def confirms(self, person: User) -> bool:
        typed = (self.confirm_email.data or "").strip()
        if person.email is not None:
            return typed.lower() == person.email
        number = (person.employee_number or "").strip()
        return bool(number) and typed.casefold() == number.casefold()
