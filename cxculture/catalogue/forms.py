"""Forms for a new module and for a module's text in one language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from cxculture.forms import Form
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.templating import DIMENSION_LABELS

QUIZ_EXAMPLE = """pass_mark: 0.8
questions:
  - question: "..."
    options: ["...", "...", "..."]
    answer: 0
    explanation: "..."
"""


class ModuleForm(Form):
    slug = StringField(
        _l("Short name in the address"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lower-case letters, digits and -.")),
        ],
    )
    dimensions = SelectMultipleField(
        _l("Dimensions"),
        choices=[SelectChoice(key, DIMENSION_LABELS[key]) for key in DIMENSIONS],
        validators=[DataRequired()],
    )
    minutes = IntegerField(
        _l("Minutes"), default=4, validators=[InputRequired(), NumberRange(1, 30)]
    )
    reflection_kind = RadioField(
        _l("Reflection"),
        choices=[
            SelectChoice("role_statement", _l("The role-statement test (line of sight)")),
            SelectChoice("free", _l("A free question")),
        ],
        default="free",
    )
    audience = RadioField(
        _l("Written for"),
        choices=[
            SelectChoice("everyone", _l("Everyone")),
            SelectChoice("heads", _l("Those who lead a team (suggested to heads only)")),
        ],
        default="everyone",
    )
    submit = SubmitField(_l("Create the module"))


QUIZ_PROBLEMS = {  # why a knowledge check is refused (services.training.QUIZ_PROBLEMS)
    "yaml": _l("This is not valid YAML: check the indentation and the colons."),
    "shape": _l("Write a pass_mark and a list of questions."),
    "count": _l("A knowledge check has 3 to 5 questions."),
    "question": _l(
        "Question %(number)d needs at least two options and, as its answer, the number of the "
        "right one (counting from 0)."
    ),
    "pass_mark": _l("The pass mark is a share above 0 and at most 1, such as 0.67."),
}


def quiz_problem(problem: str, number: int) -> str:
    """Why the knowledge check was refused, in the reader's language."""
    return str(QUIZ_PROBLEMS[problem]) % {"number": number}


class TextForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body_markdown = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired()])
    reflection_prompt = StringField(
        _l("Reflection question"), validators=[DataRequired(), Length(max=500)]
    )
    quiz = TextAreaField(
        _l("Knowledge check (YAML)"), default=QUIZ_EXAMPLE, validators=[DataRequired()]
    )
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save"))
