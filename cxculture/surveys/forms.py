"""The answer form, built from the survey's items in the reader's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cxculture.characters import has_forbidden_characters
from cxculture.forms import Form
from cxculture.models import Instrument
from cxculture.models.surveys import TEXT_LIMIT
from cxculture.scoring.dimensions import ADVOCACY_SCALE
from cxculture.services.surveys.outline import QuestionnaireOutline, kept, outline_of
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
ADVOCACY_MESSAGES = {
    "missing": PROBLEM_MESSAGES["missing"],
    "out_of_range": _l("Choose a number from 0 to 10."),
    "unknown": PROBLEM_MESSAGES["unknown"],
}
ADVOCACY_ANCHORS = (_l("0 means not at all likely"), _l("10 means extremely likely"))
ITEM_FIELD = re.compile(r"^item_(\d+)$")
SCALE_VALUES = frozenset(value for value, _label in SCALE_LABELS)
# Shared by every form: WTForms only reads a field's choices.
SCALE_CHOICES = tuple(SelectChoice(value, label) for value, label in SCALE_LABELS)
ADVOCACY_CHOICES = tuple(SelectChoice(value, str(value)) for value in ADVOCACY_SCALE)


@dataclass(frozen=True)
class Problem:
    """One line of the error summary at the top of the form, in the order of the page."""

    message: str
    target: str | None = None  # the id of the question's fieldset or text box
    number: str | None = None  # an item's number as its legend shows it
    question: str | None = None  # a text question's label

    @property
    def is_unanswered_item(self) -> bool:
        """An item left without an answer: the summary lists these together, by number."""
        return self.number is not None and self.message == str(PROBLEM_MESSAGES["missing"])


class AnswerFormBase(Form):
    class Meta(Form.Meta):
        # The application's CSRF protection checks every POST before the view runs, and the
        # page writes its token itself: a second check here would only sign a second token.
        csrf = False

    save = SubmitField(_l("Save and finish later"))
    submit = SubmitField(_l("Submit my answers"))

    # Set on each class built for a questionnaire (``build_answer_form_class``).
    item_fields: tuple[str, ...] = ()
    known_item_fields: frozenset[str] = frozenset()
    unknown_items: list[str]
    # The 0-10 outcome question's field name, or None when the questionnaire does not ask it.
    outcome_field: str | None = None
    advocacy_anchors = ADVOCACY_ANCHORS

    @property
    def scale_fields(self) -> list[str]:
        """Every question answered by choosing: the items, then the outcome question."""
        return [*self.item_fields, *([self.outcome_field] if self.outcome_field else [])]

    def answers(self) -> AnswerSet:
        """What the person filled in, as plain data (invalid choices left out)."""
        values = {}
        for name in self.item_fields:
            data = self[name].data
            if isinstance(data, int) and data in SCALE_VALUES:
                values[int(name.removeprefix("item_"))] = data
        advocacy = None
        if self.outcome_field is not None:
            chosen = self[self.outcome_field].data
            advocacy = chosen if isinstance(chosen, int) and chosen in ADVOCACY_SCALE else None
        return AnswerSet(
            values=values,
            role_statement=self.role_statement.data or "",
            comment=self.comment.data or "",
            advocacy=advocacy,
        )

    @property
    def question_count(self) -> int:
        """The questions the progress bar counts: every item, the outcome question and the
        role question (the comment is optional)."""
        return len(self.scale_fields) + 1

    def answered_count(self) -> int:
        """How many of those questions hold an answer, as the progress bar's script counts them:
        an item with one of the five answers chosen, an outcome with a number chosen, a role
        question with words in it."""
        items = sum(1 for name in self.item_fields if self[name].data in SCALE_VALUES)
        if self.outcome_field is not None:
            items += self[self.outcome_field].data in ADVOCACY_SCALE
        return items + bool((self.role_statement.data or "").strip())

    def problem_list(self) -> list[Problem]:
        """Every problem on the form, questions in the order of the page, then the ones that
        belong to no question (an unknown item, a control character in a button)."""
        found = [
            Problem(str(message), target=name, number=self[name].description)
            for name in self.scale_fields
            for message in self[name].errors
        ]
        for field in (self.role_statement, self.comment):
            found += [
                Problem(str(message), target=field.id, question=field.label.text)
                for message in field.errors
            ]
        found += [Problem(str(message)) for message in self.form_errors]
        shown = {*self.scale_fields, "role_statement", "comment"}
        for field in self:
            if field.name not in shown:
                found += [Problem(str(message)) for message in field.errors]
        return found

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put each problem beside its field (or at the top for a question that is not here)."""
        for name, code in problems.items():
            messages = ADVOCACY_MESSAGES if name == "advocacy" else PROBLEM_MESSAGES
            message = str(messages[code])
            if name in self._fields:
                if not self[name].errors:  # WTForms may already have said why
                    self[name].errors = [message]
            else:
                self.form_errors.append(message)


def answer_form(
    instrument: Instrument,
    locale: str,
    formdata=None,
    draft: AnswerSet | None = None,
) -> AnswerFormBase:
    """A form with one radio group per item, the outcome question where it is asked, the role
    question and the comment, labelled in ``locale`` (English where a text is missing)."""
    outline = outline_of(instrument)
    form_class = answer_form_class(outline, locale)
    data: dict[str, int | str] | None = None
    if draft is not None and formdata is None:
        data = {f"item_{k}": v for k, v in draft.values.items()}
        data.update(role_statement=draft.role_statement, comment=draft.comment)
        if form_class.outcome_field is not None and draft.advocacy is not None:
            data["advocacy"] = draft.advocacy
    form = form_class(formdata=formdata, data=data)
    posted = formdata.keys() if formdata is not None else ()
    known = form_class.known_item_fields
    form.unknown_items = [key for key in posted if ITEM_FIELD.match(key) and key not in known]
    return form


def posted_answer_form(
    instrument: Instrument, locale: str, formdata
) -> tuple[AnswerFormBase, bool]:
    """The answer form bound to what was posted and validated: (form, whether it is valid).
    An item the questionnaire does not have makes it invalid, said at the top of the form."""
    form = answer_form(instrument, locale, formdata=formdata)
    is_valid = form.validate()
    if form.unknown_items:
        form.form_errors.append(str(PROBLEM_MESSAGES["unknown"]))
        is_valid = False
    return form, is_valid


# What the answer page posts, as it posts it: each choice as its own digits.
_SCALE_SENT = {str(value): value for value in SCALE_VALUES}
_ADVOCACY_SENT = {str(value): value for value in ADVOCACY_SCALE}
_TEXTS_SENT = ("role_statement", "comment")
_OTHERS_SENT = frozenset({"csrf_token", "submit", "save"})


def answers_as_sent(formdata, outline: QuestionnaireOutline) -> AnswerSet | None:
    """The answers of a submission posted exactly as the answer page sends it, read without
    binding a form: each field once, every choice one the page offers, no text too long or
    holding a forbidden character, no field the page does not have, the submit button pressed.

    None for anything else (a draft being saved included): the form then reads, validates and
    explains it, so this only spares a valid submission the form's work and accepts nothing the
    form would refuse. Whether every question is answered is the service's to check."""
    if formdata.get("submit", "") in ("", "false"):  # how WTForms reads the button
        return None
    items = {f"item_{item.id}": item.id for item in outline.items}
    asks_outcome = outline.outcome_question is not None
    values: dict[int, int] = {}
    advocacy = None
    texts = dict.fromkeys(_TEXTS_SENT, "")
    for name, sent in formdata.lists():
        if len(sent) != 1 or has_forbidden_characters(sent[0]):
            return None
        value = sent[0]
        if name in items:
            chosen = _SCALE_SENT.get(value)
            if chosen is None:
                return None
            values[items[name]] = chosen
        elif name == "advocacy" and asks_outcome:
            advocacy = _ADVOCACY_SENT.get(value)
            if advocacy is None:
                return None
        elif name in texts:
            if len(value) > TEXT_LIMIT:
                return None
            texts[name] = value
        elif name not in _OTHERS_SENT:
            return None
    return AnswerSet(
        values=values,
        role_statement=texts["role_statement"],
        comment=texts["comment"],
        advocacy=advocacy,
    )


def answer_form_class(outline: QuestionnaireOutline, locale: str) -> type[AnswerFormBase]:
    """The answer form's class for ``outline`` in ``locale``: built once per process for a
    frozen questionnaire (each request only fills in an instance), afresh for an editable one.

    The item and question texts are picked for ``locale`` when the class is built, hence the
    locale in the key; the answer labels and messages stay lazy, read in the reader's language
    whenever they are shown."""
    key = None if outline.cache_key is None else (*outline.cache_key, locale)
    return kept("answer_form", key, lambda: build_answer_form_class(outline, locale))


def build_answer_form_class(outline: QuestionnaireOutline, locale: str) -> type[AnswerFormBase]:
    """A new answer form class: one radio group per item, in the outline's order."""
    fields: dict[str, object] = {}
    names = []
    for item in outline.items:
        name = f"item_{item.id}"
        names.append(name)
        fields[name] = RadioField(
            item.text_in(locale),
            choices=SCALE_CHOICES,
            coerce=int,
            validators=[Optional()],
            description=str(item.number),
        )
    outcome = outline.outcome_question
    if outcome is not None:
        fields["advocacy"] = RadioField(
            outcome.get(locale) or outcome["en"],
            choices=ADVOCACY_CHOICES,
            coerce=int,
            validators=[Optional()],
            description=str(len(names) + 1),
        )
    fields["role_statement"] = TextAreaField(
        outline.open_question.get(locale) or outline.open_question["en"],
        validators=[Length(max=TEXT_LIMIT, message=PROBLEM_MESSAGES["too_long"])],
    )
    fields["comment"] = TextAreaField(
        outline.comment_prompt.get(locale) or outline.comment_prompt["en"],
        validators=[Optional(), Length(max=TEXT_LIMIT, message=PROBLEM_MESSAGES["too_long"])],
    )
    fields["item_fields"] = tuple(names)
    fields["known_item_fields"] = frozenset(names)
    fields["outcome_field"] = "advocacy" if outcome is not None else None
    return cast(type[AnswerFormBase], type("AnswerForm", (AnswerFormBase,), fields))


class CodeForm(Form):
    """The answer-code page: the employee number (left empty by people who have none) and the
    code printed on the card."""

    employee_number = StringField(
        _l("Employee number"),
        validators=[Optional(), Length(max=64)],
        description=_l("As on your card. Leave empty if your card shows none."),
    )
    code = StringField(
        _l("Answer code"),
        validators=[DataRequired(_l("Type the code printed on your card.")), Length(max=32)],
        description=_l("Ten letters and digits, for example 7KQ2M-9XH4T."),
    )
    submit = SubmitField(_l("Open the survey"))
