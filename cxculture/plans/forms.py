"""Making a focus plan, adding, editing and removing its actions and saying where they
stand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from cxculture.forms import Form
from cxculture.models.plans import ACTION_STATUSES, MAX_FOCUS_DIMENSIONS
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services.plans.editing import ACTION_TEXT_MAX
from cxculture.templating import DIMENSION_LABELS

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "on_track": _l("On track"),
    "off_track": _l("Off track"),
    "done": _l("Done"),
}
assert set(STATUS_LABELS) == set(ACTION_STATUSES)  # noqa: S101 - a label for every status


class DimensionsForm(Form):
    dimensions = SelectMultipleField(
        _l("Focus dimensions (one to three)"),
        choices=[SelectChoice(key, DIMENSION_LABELS[key]) for key in DIMENSIONS],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Choose one to three dimensions."))],
    )
    submit = SubmitField(_l("Save the dimensions"))

    def validate_dimensions(self, field) -> None:
        if len(set(field.data or ())) > MAX_FOCUS_DIMENSIONS:
            raise ValidationError(_l("Choose one to three dimensions."))


class PlanForm(DimensionsForm):
    survey_id = SelectField(_l("After the wave"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Create the plan"))


NO_OWNER = 0  # the owner choice for "nobody yet"


class ActionForm(Form):
    text = TextAreaField(_l("Action"), validators=[DataRequired(), Length(max=ACTION_TEXT_MAX)])
    owner_id = SelectField(_l("Owner"), coerce=int, validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[InputRequired()])
    submit = SubmitField(_l("Add the action"))


class EditActionForm(ActionForm):
    """An action's text, owner and due date, corrected on a page of its own."""

    submit = SubmitField(_l("Save the action"))


class StatusForm(Form):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(key, label) for key, label in STATUS_LABELS.items()],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Save"))


class StepForm(Form):
    """Sharing, unsharing or closing a plan: a button, nothing to fill in."""
