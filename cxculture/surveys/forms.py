"""The answer form, built from the survey's items in the reader's language."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from cxculture.forms import Form
from cxculture.models import Instrument
from cxculture.models.surveys import TEXT_LIMIT
from cxculture.services.surveys.responses import AnswerSet

SCALE_LABELS = (
    (1, _l("Strongly disagree")),
    (2, _l("Disagree")),
    (3, _l("Neither agree nor disagree")),
    (4, _l("Agree")),
    (5, _l("Strongly agree")),
)
PROBLEM_MESSAGES = {
    "missing": _l("Please answer this question."),
    "out_of_range": _l("Choose one of the five answers."),
    "unknown": _l("This question is not part of the survey."),
    "too_long": _l("Please keep this under 2,000 characters."),
}
ITEM_FIELD = re.compile(r"^item_(\d+)$")


class AnswerFormBase(Form):
    save = SubmitField(_l("Save and finish later"))
    submit = SubmitField(_l("Submit my answers"))

    item_fields: list[str]
    unknown_items: list[str]

    def answers(self) -> AnswerSet:
        """What the person filled in, as plain data (invalid choices left out)."""
        values = {}
        for name in self.item_fields:
            data = self[name].data
            if isinstance(data, int) and data in (value for value, _ in SCALE_LABELS):
                values[int(name.removeprefix("item_"))] = data
        return AnswerSet(
            values=values,
            role_statement=self.role_statement.data or "",
            comment=self.comment.data or "",
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put each problem beside its field (or at the top for a question that is not here)."""
        for name, code in problems.items():
            message = str(PROBLEM_MESSAGES[code])
            if name in self._fields:
                if not self[name].errors:  # WTForms may already have said why
                    self[name].errors = [message]
            else:
                self.form_errors.append(message)


def answer_form(instrument: Instrument, locale: str, formdata=None, draft: AnswerSet | None = None):
    """A form with one radio group per item, the role question and the comment."""

    class AnswerForm(AnswerFormBase):
        pass

    names = []
    for number, item in enumerate(instrument.items, start=1):
        name = f"item_{item.id}"
        names.append(name)
        setattr(
            AnswerForm,
            name,
            RadioField(
                item.texts.get(locale) or item.texts["en"],
                choices=[SelectChoice(value, label) for value, label in SCALE_LABELS],
                coerce=int,
                validators=[Optional()],
                description=str(number),
            ),
        )
    AnswerForm.role_statement = TextAreaField(
        instrument.open_question.get(locale) or instrument.open_question["en"],
        validators=[Length(max=TEXT_LIMIT, message=PROBLEM_MESSAGES["too_long"])],
    )
    AnswerForm.comment = TextAreaField(
        instrument.comment_prompt.get(locale) or instrument.comment_prompt["en"],
        validators=[Optional(), Length(max=TEXT_LIMIT, message=PROBLEM_MESSAGES["too_long"])],
    )
    data: dict[str, int | str] | None = None
    if draft is not None and formdata is None:
        data = {f"item_{k}": v for k, v in draft.values.items()}
        data.update(role_statement=draft.role_statement, comment=draft.comment)
    form = AnswerForm(formdata=formdata, data=data)
    form.item_fields = names
    posted = formdata.keys() if formdata is not None else ()
    form.unknown_items = [key for key in posted if ITEM_FIELD.match(key) and key not in names]
    return form
