"""HR's forms: creating a survey, extending it, and the buttons of the lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from cxculture.forms import Form
from cxculture.models import PrivacyMode, Survey
from cxculture.models.api_tokens import SCOPES
from cxculture.services.accounts.tokens import SCOPE_LABELS
from cxculture.services.surveys import SurveySpec

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def from_local(value: datetime) -> datetime:
    """A time typed in the company's time zone, as an aware UTC moment."""
    return to_utc(value).replace(tzinfo=UTC)


def to_local(value: datetime) -> datetime:
    """An aware moment as the naive local time a datetime-local input shows."""
    return to_user_timezone(value).replace(tzinfo=None)


class SurveyForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    instrument_id = SelectField(_l("Questionnaire"), coerce=int, validators=[InputRequired()])
    privacy_mode = RadioField(
        _l("Privacy"),
        choices=[
            SelectChoice(
                PrivacyMode.CONFIDENTIAL,
                _l("Confidential: answers kept with the person, shown only to them"),
            ),
            SelectChoice(PrivacyMode.ANONYMOUS, _l("Anonymous: answers never linked to anyone")),
        ],
        default=PrivacyMode.CONFIDENTIAL,
        validators=[InputRequired()],
    )
    audience = RadioField(
        _l("Audience"),
        choices=[
            SelectChoice("company", _l("The whole company")),
            SelectChoice("departments", _l("Chosen departments (with the ones below them)")),
        ],
        default="company",
        validators=[InputRequired()],
    )
    department_ids = SelectMultipleField(_l("Departments"), coerce=int)
    opens_at = DateTimeLocalField(_l("Opens"), format=LOCAL_FORMAT, validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), format=LOCAL_FORMAT, validators=[InputRequired()])
    live_results = BooleanField(
        _l("Live results: release results while the survey is open"),
        description=_l(
            "Off (recommended): results come out when the survey closes, and only response "
            "rates show meanwhile. On: results are released in snapshots while it is open, "
            "at most once a day, each only when enough new answers came in that nobody's can "
            "be worked out; what people wrote still waits for the closing. It cannot be "
            "changed after the launch."
        ),
    )
    submit = SubmitField(_l("Save"))

    def validate_department_ids(self, field) -> None:
        if self.audience.data == "departments" and not field.data:
            raise ValidationError(_l("Choose at least one department."))

    def validate_closes_at(self, field) -> None:
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The survey must close after it opens."))

    def spec(self) -> SurveySpec:
        return SurveySpec(
            name=self.name.data,
            instrument_id=self.instrument_id.data,
            privacy_mode=PrivacyMode(self.privacy_mode.data),
            opens_at=from_local(self.opens_at.data),
            closes_at=from_local(self.closes_at.data),
            department_ids=self.department_ids.data if self.audience.data == "departments" else [],
            live_results=bool(self.live_results.data),
        )

    @classmethod
    def for_survey(cls, survey: Survey) -> SurveyForm:
        return cls(
            obj=survey,
            audience="departments" if survey.departments else "company",
            department_ids=[department.id for department in survey.departments],
            opens_at=to_local(survey.opens_at),
            closes_at=to_local(survey.closes_at),
        )


class ExtendForm(Form):
    closes_at = DateTimeLocalField(
        _l("New closing time"), format=LOCAL_FORMAT, validators=[InputRequired()]
    )
    submit = SubmitField(_l("Extend"))


class ActionForm(Form):
    """A lifecycle button: the CSRF token is all it carries."""


class ConfirmForm(Form):
    """The button of a confirmation page (launching, closing early, archiving, applying a
    roster): the CSRF token, and ``confirm`` naming the action confirmed. The action refuses a
    request without it, such as an old page's one-click button."""

    confirm = HiddenField(validators=[Length(max=32)])

    def confirms(self, action: str) -> bool:
        return self.validate_on_submit() and self.confirm.data == action


class DeleteFreeTextForm(Form):
    confirm = BooleanField(
        _l("I understand that what people wrote in this survey will be deleted for good."),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Delete the free-text answers"))


class RuleForm(Form):
    dimension = SelectField(_l("Dimension"))
    threshold = IntegerField(
        _l("Below this score"), default=60, validators=[InputRequired(), NumberRange(1, 100)]
    )
    module_id = SelectField(_l("Module"), coerce=int, validators=[InputRequired()])
    due_days = IntegerField(
        _l("Due after (days)"), default=30, validators=[InputRequired(), NumberRange(1, 365)]
    )
    submit = SubmitField(_l("Add the rule"))


class ApiTokenForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What will use it, for example “Payroll sync” or “Power BI”."),
    )
    scopes = SelectMultipleField(
        _l("Scopes"),
        choices=[SelectChoice(scope, SCOPE_LABELS[scope]) for scope in SCOPES],
        validators=[DataRequired(_l("Choose at least one scope."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    valid_days = IntegerField(
        _l("Valid for (days)"),
        validators=[Optional(), NumberRange(1, 3650)],
        description=_l("Leave it empty for a token that does not expire."),
    )
    submit = SubmitField(_l("Create the token"))
