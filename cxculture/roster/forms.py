"""The roster upload form and the apply button."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SubmitField

from cxculture.forms import Form


class UploadForm(Form):
    file = FileField(_l("CSV file from the HR system"), validators=[FileRequired()])
    deactivate_missing = BooleanField(
        _l("Deactivate people who are not in the file (leavers)"), default=False
    )
    submit = SubmitField(_l("Preview"))


class ApplyForm(Form):
    send_emails = BooleanField(_l("Email newcomers a link to set their password"), default=True)
    submit = SubmitField(_l("Apply"))
