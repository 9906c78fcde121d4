"""The audit log's filters: a GET form, so a filtered log is a link HR can keep."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SearchField, SelectChoice, SelectField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from cxculture.forms import Form
from cxculture.hr.forms import from_local
from cxculture.services.audit import AuditFilter
from cxculture.services.audit.labels import AUDIT_LABELS, AUDIT_TARGET_LABELS

MAX_PAGE = 10**9  # a larger page number is malformed, not just past the end


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # it only reads

    action = SelectField(_l("Action"), default="")
    actor = SearchField(_l("Who (name or email)"), validators=[Optional(), Length(max=200)])
    target_type = SelectField(_l("On"), default="")
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("Any action"))] + sorted(
            (SelectChoice(code, label) for code, label in AUDIT_LABELS.items()),
            key=lambda choice: str(choice.label),
        )
        self.target_type.choices = [SelectChoice("", _l("Anything"))] + [
            SelectChoice(code, label) for code, label in AUDIT_TARGET_LABELS.items()
        ]

    def validate_until(self, field) -> None:
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> AuditFilter:
        """The filter, with dates read as whole days in the company's time zone."""
        return AuditFilter(
            action=self.action.data or None,
            actor=self.actor.data or "",
            target_type=self.target_type.data or None,
            since=from_local(datetime.combine(self.since.data, time.min))
            if self.since.data
            else None,
            until=from_local(datetime.combine(self.until.data + timedelta(days=1), time.min))
            if self.until.data
            else None,
        )

    def query_args(self) -> dict[str, str]:
        """The filters as link parameters (the empty ones left out), to keep across pages."""
        return {
            name: self[name].raw_data[0]
            for name in ("action", "actor", "target_type", "since", "until")
            if self[name].raw_data and self[name].raw_data[0]
        }
