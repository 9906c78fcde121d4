"""HR manages the catalogue: new modules, texts with a preview, translations, archiving."""

from __future__ import annotations

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Module
from cxculture.services import training
from tests.factories import make_survey

QUIZ = """pass_mark: 0.8
questions:
  - question: "Who is it for?"
    options: ["The customer", "The form"]
    answer: 0
    explanation: "Work ends with a person."
  - question: "Who checks it?"
    options: ["Nobody", "You, as the customer would"]
    answer: 1
    explanation: "Check it from their side."
  - question: "When?"
    options: ["Before handing it on", "Never"]
    answer: 0
    explanation: "Before it leaves your hands."
"""


def _create(browser) -> None:
    browser.post_form(
        "/hr/modules/new",
        {
            "slug": "closing-the-loop",
            "dimensions": ["listen", "act"],
            "minutes": "4",
            "reflection_kind": "free",
        },
    )


def test_hr_creates_writes_previews_and_translates_a_module(app, browser, hr_admin):
    browser.login(hr_admin.email)
    _create(browser)
    text = {
        "title": "Closing the loop",
        "body_markdown": "## Why\nTell the customer what changed.\n\n<script>alert(1)</script>",
        "reflection_prompt": "Whom will you call back this week?",
        "quiz": QUIZ,
    }
    preview = browser.post_form("/hr/modules/closing-the-loop/en", {**text, "preview": "1"})
    html = preview.get_data(as_text=True)
    assert "<h2>Why</h2>" in html
    assert "<script>alert(1)</script>" not in html.split("Preview")[-1]
    with app.app_context():
        assert training.get_module("closing-the-loop").translations == []  # preview saves nothing

    saved = browser.post_form("/hr/modules/closing-the-loop/en", {**text, "submit": "1"})
    assert saved.status_code == 302
    translation = browser.client.get("/hr/modules/closing-the-loop/es").get_data(as_text=True)
    assert "English text, for reference" in translation
    browser.post_form(
        "/hr/modules/closing-the-loop/es",
        {**text, "title": "Cerrar el círculo", "submit": "1"},
    )
    with app.app_context():
        module = training.get_module("closing-the-loop")
        assert {t.locale for t in module.translations} == {"en", "es"}
        assert "<script" not in module.text_in("en").body_html
        assert module.text_in("es").title == "Cerrar el círculo"


def test_a_broken_quiz_is_refused_beside_the_field(app, browser, hr_admin):
    browser.login(hr_admin.email)
    _create(browser)
    response = browser.post_form(
        "/hr/modules/closing-the-loop/en",
        {
            "title": "T",
            "body_markdown": "Body",
            "reflection_prompt": "Q?",
            "quiz": "questions: [oops",
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert "not valid YAML" in response.get_data(as_text=True)


def test_a_taken_short_name_is_refused(app, browser, hr_admin):
    browser.login(hr_admin.email)
    _create(browser)
    response = browser.post_form(
        "/hr/modules/new",
        {
            "slug": "closing-the-loop",
            "dimensions": "listen",
            "minutes": "4",
            "reflection_kind": "free",
        },
    )
    assert "This short name is taken." in response.get_data(as_text=True)


def test_archived_modules_leave_the_catalogue_but_stay_readable_to_their_takers(
    app, browser, hr_admin, employee
):
    with app.app_context():
        training.load_modules()
    browser.login(employee.email)
    browser.post_form("/training/right-first-time", {}, action="/training/right-first-time/enrol")
    browser.logout()
    browser.login(hr_admin.email)
    browser.post_form("/hr/modules/right-first-time/archive", {"confirm": "archive"})
    with app.app_context():
        archived = db.session.execute(
            select(Module).where(Module.slug == "right-first-time")
        ).scalar_one()
        assert archived.archived_at is not None
        assert archived not in training.catalogue()
    assert browser.client.get("/training/right-first-time").status_code == 404  # never took it
    browser.logout()
    browser.login(employee.email)
    page = browser.client.get("/training/right-first-time")
    assert page.status_code == 200
    assert "archived" in page.get_data(as_text=True)


def test_only_hr_manages_the_catalogue(browser, employee, head):
    for person in (employee, head):
        browser.login(person.email)
        assert browser.client.get("/hr/modules/").status_code == 403
        browser.logout()


def test_a_module_without_a_text_yet_is_offered_to_nobody(app, browser, hr_admin, head, employee):
    with app.app_context():
        survey_id = make_survey(launch=False).id
    browser.login(hr_admin.email)
    _create(browser)  # HR stops before writing the English text
    assert "closing-the-loop" in browser.client.get("/hr/modules/").get_data(as_text=True)
    survey_page = browser.client.get(f"/hr/surveys/{survey_id}")
    assert survey_page.status_code == 200
    assert 'value="1">closing-the-loop' not in survey_page.get_data(as_text=True)  # no rule
    browser.logout()

    browser.login(head.email)
    assign = browser.client.get("/dashboards/training")
    assert assign.status_code == 200
    assert "closing-the-loop" not in assign.get_data(as_text=True)
    browser.logout()

    browser.login(employee.email)
    assert "closing-the-loop" not in browser.client.get("/training/").get_data(as_text=True)
    assert browser.client.get("/training/closing-the-loop").status_code == 404
    enrol = browser.post_form("/training/", {}, action="/training/closing-the-loop/enrol")
    assert enrol.status_code == 404
