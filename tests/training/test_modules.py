"""Micro-training: the catalogue, safe rendering, the knowledge check, reflection, suggestions."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Enrolment, User, utcnow
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import training
from cxculture.services.surveys import responses
from tests.factories import full_answers, make_survey, make_user

MODULE = """\
---
title: "{title}"
dimensions: [line_of_sight]
minutes: 4
language: {language}
reflection: role_statement
reflection_prompt: "Write your job in one sentence, naming who it is for."
quiz:
  pass_mark: 0.8
  questions:
    - question: "Who does everyone serve?"
      options: ["Only the boss", "The customer, or someone who does", "Nobody"]
      answer: 1
      explanation: "Every job serves the customer directly or through a colleague."
    - question: "What does the test listen for?"
      options: ["The customer", "Job titles"]
      answer: 0
      explanation: "The customer is who the work is finally for."
    - question: "Who is a customer of back-office work?"
      options: ["No one", "The person the work finally reaches"]
      answer: 1
      explanation: "Follow the work until it reaches someone outside."
---

## Why it matters
Everyone serves the customer, or serves someone who does.

<script>alert('x')</script>
<a href="javascript:alert(1)">click</a> <b onclick="steal()">bold</b>
"""


def write_module(folder: Path, slug: str = "serve", languages=("en", "pt_BR")) -> Path:
    for language in languages:
        path = folder / slug / f"{language}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(MODULE.format(title=f"Serve ({language})", language=language), "utf-8")
    return folder


@pytest.fixture
def module_slug(app, tmp_path) -> str:
    with app.app_context():
        training.load_modules(write_module(tmp_path / "modules"))
    return "serve"


def _quiz(browser, slug, answers: dict[str, str]):
    return browser.post_form(f"/training/{slug}", answers, action=f"/training/{slug}/quiz")


def test_loading_is_idempotent_and_adds_missing_languages(ctx, tmp_path):
    folder = write_module(tmp_path / "modules", languages=("en",))
    assert training.load_modules(folder) == (1, 1)
    write_module(folder, languages=("es",))
    assert training.load_modules(folder) == (0, 1)
    assert training.load_modules(folder) == (0, 0)


def test_a_module_without_enough_questions_is_refused(ctx, tmp_path):
    path = tmp_path / "modules" / "short" / "en.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        MODULE.format(title="Short", language="en")
        .replace('    - question: "Who is a customer', '    - skipped: "Who is a customer')
        .split("    - skipped")[0]
        + "---\nBody\n",
        "utf-8",
    )
    with pytest.raises(training.ModuleError, match="3 to 5 questions"):
        training.load_modules(tmp_path / "modules")


def test_markdown_is_rendered_and_scripts_handlers_and_javascript_links_are_stripped():
    html = training.render_markdown(textwrap.dedent(MODULE.split("---", 2)[2]))
    assert "<h2>Why it matters</h2>" in html
    assert "<script" not in html
    assert "alert('x')" not in html  # the script's content goes too
    assert "onclick" not in html
    assert "javascript:" not in html


def test_the_shipped_catalogue_has_twelve_modules_in_three_languages(ctx):
    assert training.load_modules()[0] >= 12
    modules = training.catalogue()
    assert len(modules) >= 12
    covered = set()
    for module in modules:
        assert {text.locale for text in module.translations} == {"en", "pt_BR", "es"}
        assert 3 <= module.minutes <= 6
        covered.update(module.dimensions)
        expects_role_test = "line_of_sight" in module.dimensions
        assert (module.reflection_kind == "role_statement") == expects_role_test
        for text in module.translations:
            assert 3 <= len(text.quiz) <= 5
            assert "<script" not in text.body_html
            words = len(re.sub(r"<[^>]+>", " ", text.body_html).split())
            assert 300 <= words <= 1300, (module.slug, text.locale, words)
    assert covered == set(DIMENSIONS)


def test_anyone_can_take_a_module_pass_its_check_and_reflect(app, browser, employee, module_slug):
    browser.login(employee.email)
    page = browser.client.get(f"/training/{module_slug}").get_data(as_text=True)
    assert "Why it matters" in page
    browser.post_form(f"/training/{module_slug}", {}, action=f"/training/{module_slug}/enrol")

    failed = _quiz(browser, module_slug, {"question_0": "0", "question_1": "0", "question_2": "1"})
    html = failed.get_data(as_text=True)
    assert "Not quite." in html
    assert "Every job serves the customer directly" in html  # the explanation after answering

    passed = _quiz(browser, module_slug, {"question_0": "1", "question_1": "0", "question_2": "1"})
    assert "One last step" in passed.get_data(as_text=True)
    done = browser.post_form(
        f"/training/{module_slug}",
        {"reflection": "I reconcile payments so our customers are billed right."},
        action=f"/training/{module_slug}/reflection",
        follow_redirects=True,
    )
    assert "Module completed" in done.get_data(as_text=True)
    with app.app_context():
        enrolment = db.session.execute(select(Enrolment)).scalar_one()
        assert enrolment.is_completed
        assert enrolment.best_score == 1.0
        assert enrolment.quiz_attempts == 2
        assert enrolment.reflection_category == "customer_indirect"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"question_0": "1", "question_1": "0"}, "Please answer this question."),
        ({"question_0": "9", "question_1": "0", "question_2": "1"}, "Not a valid choice"),
        (
            {"question_0": "1", "question_1": "0", "question_2": "1", "question_7": "0"},
            "not part of the knowledge check",
        ),
    ],
)
def test_a_bad_quiz_comes_back_with_errors_and_answers_kept(
    app, browser, employee, module_slug, answers, message
):
    browser.login(employee.email)
    browser.post_form(f"/training/{module_slug}", {}, action=f"/training/{module_slug}/enrol")
    response = _quiz(browser, module_slug, answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert re.search(r'<input checked[^>]*name="question_1" type="radio" value="0"', html)
    with app.app_context():
        assert db.session.execute(select(Enrolment.quiz_attempts)).scalar() == 0


def test_completing_twice_changes_nothing(app, employee, module_slug):
    with app.app_context():
        user = db.session.get(User, employee.id)
        module = training.get_module(module_slug)
        enrolment = training.enrol_self(user, module)
        text = module.text_in("en")
        training.submit_quiz(enrolment, text, {0: 1, 1: 0, 2: 1}, utcnow())
        first = training.submit_reflection(enrolment, "I help customers.", utcnow())
        completed_at = first.completed_at
        again = training.submit_reflection(enrolment, "Something else entirely.", utcnow())
        assert again.completed_at == completed_at
        assert again.reflection == "I help customers."


def test_reflection_before_passing_the_check_is_refused(app, employee, module_slug):
    with app.app_context():
        user = db.session.get(User, employee.id)
        enrolment = training.enrol_self(user, training.get_module(module_slug))
        with pytest.raises(training.QuizIncomplete):
            training.submit_reflection(enrolment, "Too early.", utcnow())


def test_low_scores_bring_up_to_three_suggestions_largest_gap_first(ctx):
    training.load_modules()
    person = make_user(department="IT")
    survey = make_survey()
    answers = full_answers(survey, 3)
    for item in survey.instrument.items:  # listen very low, lead low, the rest neutral
        if item.dimension == "listen":
            answers.values[item.id] = 5 if item.is_reverse_keyed else 1
        if item.dimension == "lead":
            answers.values[item.id] = 4 if item.is_reverse_keyed else 2
    responses.submit_response(responses.invitation_for(person, survey.id), answers, "en", utcnow())
    suggested = disclosure.my_suggestions(person, training.catalogue())
    assert 1 <= len(suggested) <= 3
    assert "listen" in suggested[0].dimensions
    # Worked out when shown, never stored: nothing anyone else could count.
    assert db.session.execute(select(Enrolment)).scalars().all() == []


def test_suggestions_show_on_the_thank_you_page_only_in_confidential_surveys(
    app, browser, employee
):
    with app.app_context():
        training.load_modules()
        confidential = make_survey(name="Confidential")
        anonymous = make_survey(name="Anonymous", privacy_mode="anonymous")
        ids = [(s.id, [i.id for i in s.instrument.items]) for s in (confidential, anonymous)]
    browser.login(employee.email)
    for survey_id, items in ids:
        form = {f"item_{item}": "1" for item in items}
        form.update(role_statement="I file documents.", submit="1")
        browser.post_form(f"/surveys/{survey_id}", form)
    confidential_page = browser.client.get(f"/surveys/{ids[0][0]}/thanks").get_data(as_text=True)
    anonymous_page = browser.client.get(f"/surveys/{ids[1][0]}/thanks").get_data(as_text=True)
    assert "Suggested for you" in confidential_page
    assert "Suggested for you" not in anonymous_page
    assert 1 <= confidential_page.count('href="/training/') <= 3 + 1  # and "my surveys"
    with app.app_context():
        assert db.session.execute(select(Enrolment.source)).scalars().all() == []


def _lead_gap_answers(survey):
    """Leadership far below every other dimension (the rest neutral)."""
    answers = full_answers(survey, 3)
    for item in survey.instrument.items:
        if item.dimension == "lead":
            answers.values[item.id] = 5 if item.is_reverse_keyed else 1
    return answers


def test_leadership_modules_are_suggested_to_heads_only(ctx):
    training.load_modules()
    leadership = {m.slug for m in training.catalogue() if m.audience == "heads"}
    assert leadership == {"equip-your-team-to-serve", "leaders-who-make-the-customer-the-context"}
    agent = make_user(department="Operations/Contact Center")
    head = make_user(department="Operations", heads=("Operations",))
    survey = make_survey()
    for person in (agent, head):
        responses.submit_response(
            responses.invitation_for(person, survey.id), _lead_gap_answers(survey), "en", utcnow()
        )
    to_agent = disclosure.my_suggestions(agent, training.catalogue())
    to_head = disclosure.my_suggestions(head, training.catalogue())
    assert to_agent
    assert not {m.slug for m in to_agent} & leadership
    assert {m.slug for m in to_head} & leadership
    # The thank-you page's suggestions follow the same rule.
    invitation = responses.invitation_for(agent, survey.id)
    assert (
        not {
            m.slug for m in disclosure.suggestions_for_invitation(invitation, training.catalogue())
        }
        & leadership
    )


def test_a_module_file_with_an_unknown_audience_is_refused(tmp_path: Path):
    path = tmp_path / "some-module" / "en.md"
    path.parent.mkdir()
    path.write_text(
        "---\ntitle: T\ndimensions: [lead]\naudience: managers\n---\nText.\n", encoding="utf-8"
    )
    with pytest.raises(training.ModuleError, match="audience"):
        training.parse_module_file(path)


def test_hr_creates_a_module_for_heads(ctx):
    hr = make_user(is_hr_admin=True)
    module = training.create_module(hr, "coaching-the-team", ["lead"], 5, "free", "heads")
    assert module.audience == "heads"
    with pytest.raises(training.ModuleError):
        training.create_module(hr, "coaching-again", ["lead"], 5, "free", "managers")
