"""HR's forms for reaching people without a password: printed answer-code cards, and a personal
link sent again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from cxculture.forms import Form


class CardsForm(Form):
    department_id = SelectField(_l("Department"), coerce=int)
    without_email_only = BooleanField(
        _l("Only people without an email address"),
        default=True,
        description=_l("People with an email address get their personal link by email."),
    )
    renew = BooleanField(
        _l("New codes: every earlier card of these people stops working"),
        description=_l("For lost or stolen cards. Otherwise a reprint shows the same codes."),
    )
    submit = SubmitField(_l("Download the cards (PDF)"))


class SendLinkForm(Form):
    who = StringField(
        _l("Email address or employee number"),
        validators=[DataRequired(_l("Say whose link to send.")), Length(max=254)],
    )
    submit = SubmitField(_l("Send a new link"))
