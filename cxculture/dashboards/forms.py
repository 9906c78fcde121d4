"""Assigning a training module to a department."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from cxculture.forms import Form


class AssignForm(Form):
    module_id = SelectField(_l("Module"), coerce=int, validators=[InputRequired()])
    department_id = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    due_on = DateField(_l("Due date"), validators=[InputRequired()])
    message = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Assign"))
