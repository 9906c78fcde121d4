"""HR's forms: creating a survey, extending it, and the buttons of the lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
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
    TextAreaField,
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

from config import SUPPORTED_LOCALES
from cxculture.forms import Form
from cxculture.models import PrivacyMode, Survey
from cxculture.models.api_tokens import SCOPES
from cxculture.services.accounts.tokens import SCOPE_LABELS
from cxculture.services.surveys import SurveySpec
from cxculture.services.surveys.texts import TEXT_FIELDS, TEXT_LIMITS, normalise

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def from_local(value: datetime) -> datetime:
    """A time typed in the company's time zone, as an aware UTC moment."""
    return to_utc(value).replace(tzinfo=UTC)


def to_local(value: datetime) -> datetime:
    """An aware moment as the naive local time a datetime-local input shows."""
    return to_user_timezone(value).replace(tzinfo=None)


TOO_LONG = _l("Write at most %(max)d characters: this text has %(length)d.")


def one_line(form, field) -> None:
    """A name is one line: it becomes an email's subject, where a line break would end it."""
    if field.data and "\n" in field.data:
        raise ValidationError(_l("Write the name on one line."))


TEXT_LABELS = {
    "name": _l("Name"),
    "intro": _l("Introduction"),
    "invitation": _l("Invitation email"),
    "reminder": _l("Reminder email"),
}
TEXT_HELP = {
    "name": _l("Leave it empty to use the name in the default language."),
    "intro": _l(
        "Shown at the top of the questionnaire, above the first question. Plain text, up to "
        "%(max)d characters.",
        max=TEXT_LIMITS["intro"],
    ),
    "invitation": _l(
        "Your own words in place of the standard paragraph of the invitation. The dates, the "
        "privacy note and the personal link are always added. Plain text, up to %(max)d "
        "characters.",
        max=TEXT_LIMITS["invitation"],
    ),
    "reminder": _l(
        "Your own words in place of the standard paragraph of the reminder. The closing date "
        "and the personal link are always added. Plain text, up to %(max)d characters.",
        max=TEXT_LIMITS["reminder"],
    ),
}


def text_field_name(field: str, locale: str) -> str:
    """The form field holding HR's ``field`` in ``locale`` (``intro_pt_br``)."""
    return f"{field}_{locale.lower()}"


class SurveyForm(Form):
    name = StringField(
        _l("Name"),
        filters=[normalise],
        validators=[DataRequired(), Length(max=TEXT_LIMITS["name"], message=TOO_LONG), one_line],
    )
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
            texts=self.texts(),
        )

    def texts(self) -> dict[str, dict[str, str]]:
        """What HR wrote per language, as ``SurveySpec.texts`` holds it."""
        return {
            locale: {
                field: self[text_field_name(field, locale)].data
                for field in TEXT_FIELDS
                if text_field_name(field, locale) in self
            }
            for locale in SUPPORTED_LOCALES
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The default language's name is ``name``, required; no second field for it.
        del self[text_field_name("name", self.default_locale)]

    @property
    def default_locale(self) -> str:
        return current_app.config["BABEL_DEFAULT_LOCALE"]

    def language_sections(self) -> list[tuple[str, list]]:
        """Each language and its text fields, the default language first (its name is ``name``,
        kept out of the list)."""
        default = self.default_locale
        ordered = [default] + [locale for locale in SUPPORTED_LOCALES if locale != default]
        return [
            (
                locale,
                [
                    self[text_field_name(field, locale)]
                    for field in TEXT_FIELDS
                    if text_field_name(field, locale) in self
                ],
            )
            for locale in ordered
        ]

    @classmethod
    def for_survey(cls, survey: Survey) -> SurveyForm:
        written = {
            text_field_name(field, locale): survey.text_in(field, locale)
            for locale in SUPPORTED_LOCALES
            for field in TEXT_FIELDS
        }
        return cls(
            obj=survey,
            audience="departments" if survey.departments else "company",
            department_ids=[department.id for department in survey.departments],
            opens_at=to_local(survey.opens_at),
            closes_at=to_local(survey.closes_at),
            **written,
        )


def _add_text_fields(form: type[SurveyForm]) -> None:
    """A name, an introduction, an invitation and a reminder for every language, each optional
    (the name of the default language is ``name``, taken out per form)."""
    for locale in SUPPORTED_LOCALES:
        for field in TEXT_FIELDS:
            limit = TEXT_LIMITS[field]
            kind = StringField if field == "name" else TextAreaField
            validators = [Length(max=limit, message=TOO_LONG)]
            if field == "name":
                validators.append(one_line)
            setattr(
                form,
                text_field_name(field, locale),
                kind(
                    TEXT_LABELS[field],
                    filters=[normalise],
                    validators=validators,
                    description=TEXT_HELP[field],
                ),
            )


_add_text_fields(SurveyForm)


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
