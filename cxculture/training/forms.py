"""The knowledge check, built from a module's questions, and the reflection."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cxculture.forms import Form
from cxculture.models import ModuleText

QUIZ_FIELD = "question_"


class QuizFormBase(Form):
    submit = SubmitField(_l("Check my answers"))
    question_fields: list[str]

    def answers(self) -> dict[int, int]:
        """Question index -> chosen option, for the questions answered with a valid option."""
        return {
            int(name.removeprefix(QUIZ_FIELD)): self[name].data
            for name in self.question_fields
            if isinstance(self[name].data, int)
        }


def quiz_form(text: ModuleText, formdata=None):
    """One radio group per question of the module's knowledge check."""

    class QuizForm(QuizFormBase):
        pass

    names = []
    for number, question in enumerate(text.quiz):
        name = f"{QUIZ_FIELD}{number}"
        names.append(name)
        setattr(
            QuizForm,
            name,
            RadioField(
                question["question"],
                choices=[SelectChoice(i, option) for i, option in enumerate(question["options"])],
                coerce=int,
                validators=[Optional()],
            ),
        )
    form = QuizForm(formdata=formdata)
    form.question_fields = names
    return form


class ReflectionForm(Form):
    reflection = TextAreaField(_l("Your reflection"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Finish the module"))


class EnrolForm(Form):
    submit = SubmitField(_l("Take this module"))


class CountForTeamForm(Form):
    submit = SubmitField(_l("Count it for my team"))
