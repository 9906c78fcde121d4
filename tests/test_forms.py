"""Every form refuses the characters no stored text may hold, beside the field, and reads only
what an HTML form sends."""

from __future__ import annotations

import json

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from cxculture.extensions import db
from cxculture.forms import Form
from cxculture.models import Department, Invitation, Response, Survey
from tests.conftest import csrf_token
from tests.factories import make_department, make_instrument, make_survey


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_form_of_the_product_derives_from_the_base_form(app):
    forms = [cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("cxculture.")]
    assert forms, "the app's forms are imported"
    assert [cls.__qualname__ for cls in forms if not issubclass(cls, Form)] == []


def _survey_form(instrument_id: int, name: str) -> dict[str, str]:
    return {
        "name": name,
        "instrument_id": str(instrument_id),
        "privacy_mode": "confidential",
        "audience": "company",
        "opens_at": "2099-06-01T09:00",
        "closes_at": "2099-06-30T12:00",
    }


@pytest.mark.parametrize("name", ["Wave\x00 2", "Wave\x01", "\x1b[31mWave"])
def test_a_control_character_is_refused_beside_its_field(app, browser, hr_admin, name):
    with app.app_context():
        instrument_id = make_instrument().id
    browser.login(hr_admin.email)
    response = browser.post_form("/hr/surveys/new", _survey_form(instrument_id, name))
    assert response.status_code == 200
    assert "Remove the invisible control characters" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(Survey.id))).scalar_one() == 0


def test_tabs_and_line_breaks_are_text_like_any_other(app, browser, hr_admin):
    with app.app_context():
        department_id = make_department("Finance").id
    browser.login(hr_admin.email)
    page = f"/hr/org/departments/{department_id}"
    browser.post_form(page, {"emails": "\r\n\t\r\n"}, action=f"{page}/heads")
    with app.app_context():
        assert db.session.get(Department, department_id).heads == []


def test_an_answer_with_a_nul_is_refused_and_nothing_is_stored(app, browser, employee):
    with app.app_context():
        survey = make_survey()
        survey_id, items = survey.id, [item.id for item in survey.instrument.items]
    browser.login(employee.email)
    answers = {f"item_{item}": "4" for item in items}
    answers.update(role_statement="I serve\x00 customers.", submit="1")
    response = browser.post_form(f"/surveys/{survey_id}", answers)
    assert response.status_code == 422
    assert "Remove the invisible control characters" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(Response.id))).scalar_one() == 0
        invitation = db.session.execute(
            select(Invitation).where(Invitation.user_id == employee.id)
        ).scalar_one()
        assert invitation.submitted_at is None
        assert invitation.draft is None


@pytest.mark.parametrize("document", [[1, 2, 3], "text", {"name": {"nested": True}}, None])
def test_a_json_body_is_a_form_with_nothing_filled_in(app, browser, hr_admin, document):
    with app.app_context():
        make_instrument()
    browser.login(hr_admin.email)
    token = csrf_token(browser.client.get("/hr/surveys/new").get_data(as_text=True))
    response = browser.client.post(
        "/hr/surveys/new",
        data=json.dumps(document),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200  # the form again, with what is missing
    assert "This field is required." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(Survey.id))).scalar_one() == 0


# Text fields whose value is never stored as it is typed, or only in an unbounded column.
UNBOUNDED_TEXT = {
    "ChangePasswordForm.current_password": "compared with the stored hash, never stored",
    "SetPasswordForm.new_password": "hashed; the password rules cap it at 256 characters",
    "SetPasswordForm.confirm_password": "compared with the new password, never stored",
    "LanguageForm.next": "a redirect target, never stored",
    "LoginForm.next": "a redirect target, never stored",
    "TextForm.body_markdown": "a TEXT column",
    "TextForm.quiz": "parsed into the quiz's JSON, which has no size",
}


def _text_fields():
    for cls in _subclasses(Form):
        if not cls.__module__.startswith("cxculture.") or "<locals>" in cls.__qualname__:
            continue
        for owner in cls.__mro__:
            for name, value in vars(owner).items():
                if isinstance(value, UnboundField) and issubclass(value.field_class, StringField):
                    yield cls, name, value


def test_every_text_field_has_a_length_limit(app):
    fields = list(_text_fields())
    assert ("SurveyForm", "name") in {(cls.__name__, name) for cls, name, _field in fields}
    unlimited = sorted(
        f"{cls.__name__}.{name}"
        for cls, name, field in fields
        if not any(isinstance(v, Length) and v.max > 0 for v in field.kwargs.get("validators", ()))
        and not any(f"{base.__name__}.{name}" in UNBOUNDED_TEXT for base in cls.__mro__)
    )
    assert unlimited == []
