"""The roster upload form and the apply button."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import Length

from cxculture.forms import Form


class UploadForm(Form):
    file = FileField(
        _l("CSV or Excel (.xlsx) file from the HR system"), validators=[FileRequired()]
    )
    deactivate_missing = BooleanField(
        _l("Deactivate people who are not in the file (leavers)"), default=False
    )
    submit = SubmitField(_l("Preview"))


class ApplyForm(Form):
    """The confirmation page's button: applying refuses a request without ``confirm``."""

    confirm = HiddenField(validators=[Length(max=32)])
    send_emails = BooleanField(_l("Email newcomers a link to set their password"), default=True)
    submit = SubmitField(_l("Apply"))

    def confirms(self, action: str) -> bool:
        return self.confirm.data == action
