"""Forms for logging in and changing a password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from cxculture.forms import Form
from cxculture.passwords import MAX_LENGTH, PasswordProblem, password_problems

PASSWORD_PROBLEM_MESSAGES = {
    PasswordProblem.TOO_SHORT: _l("Use at least 12 characters."),
    PasswordProblem.TOO_LONG: _l("Use at most 256 characters."),
    PasswordProblem.CONTAINS_EMAIL: _l("Do not use your email address in your password."),
    PasswordProblem.COMMON: _l("This is one of the most common passwords: choose another."),
    PasswordProblem.GUESSABLE: _l(
        "This is easy to guess (a keyboard row, a repeat, a sequence or a date): try a few "
        "unrelated words."
    ),
}


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(Form):
    """A new password, twice, checked against the rules for the account's email."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set password"))

    def __init__(self, email: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_new_password(self, field) -> None:
        problems = password_problems(field.data or "", self._email)
        if problems:
            raise ValidationError(" ".join(str(PASSWORD_PROBLEM_MESSAGES[p]) for p in problems))


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))
