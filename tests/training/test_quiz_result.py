"""The knowledge check's answer heads the page: the score, passed or not, what to do next and
which answers to look at again, above the module's text; a check sent back incomplete opens on
a summary of what is missing."""

from __future__ import annotations

import re

import pytest

from cxculture.services import training
from tests.training.test_modules import write_module

RIGHT = {"question_0": "1", "question_1": "0", "question_2": "1"}


@pytest.fixture
def taken(app, browser, employee, tmp_path) -> str:
    """A module of three questions the employee, logged in, has taken: its address."""
    with app.app_context():
        training.load_modules(write_module(tmp_path / "modules"))
    browser.login(employee.email)
    browser.post_form("/training/serve", {}, action="/training/serve/enrol")
    return "/training/serve"


def _check(browser, page: str, answers: dict[str, str]):
    return browser.post_form(page, answers, action=f"{page}/quiz")


def result_box(html: str) -> str:
    found = re.search(r'<section[^>]*id="quiz-result".*?</section>', html, re.S)
    assert found, "no result at the top"
    return found.group(0)


def test_a_passed_check_says_so_above_the_module_text_and_leads_to_the_reflection(browser, taken):
    response = _check(browser, taken, RIGHT)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    box = result_box(html)
    assert html.index("<h1") < html.index('id="quiz-result"') < html.index('class="module-body')
    assert 'role="status"' in box
    assert 'tabindex="-1"' in box  # focused on arrival (landing.js)
    assert "data-land-here" in box
    assert "Your score: 100%." in box
    assert "You passed the knowledge check. One last step: your reflection." in box
    assert 'href="#reflection"' in box
    assert "to look at again" not in box
    # Said once, in the box: no flash message repeating it above the title.
    assert html.count("One last step") == 1
    # The rest of the page is still there to use: the reflection it leads to.
    assert re.search(r'<textarea[^>]*id="reflection"', html)


def test_a_failed_check_lists_the_answers_to_look_at_again_and_the_way_back(browser, taken):
    response = _check(browser, taken, {**RIGHT, "question_0": "0", "question_2": "0"})
    html = response.get_data(as_text=True)
    box = result_box(html)
    assert "Your score: 33%." in box
    assert "Not yet: read the explanations and try again." in box
    assert "Pass mark: 80%." in box
    assert "2 answers to look at again:" in box
    assert re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]*)</a>', box) == [
        ("question_0", "Question 1: Who does everyone serve?"),
        ("question_2", "Question 3: Who is a customer of back-office work?"),
    ]
    assert re.search(r'<a class="btn[^"]*" href="#question_0">Go to the knowledge check</a>', box)
    assert 'href="#reflection"' not in box  # not passed: no reflection yet
    # The links lead to the questions, still on the page with the answers given.
    assert re.search(r'<fieldset[^>]*id="question_2"', html)
    assert re.search(r'<input checked[^>]*name="question_2" type="radio" value="0"', html)
    assert html.index('id="quiz-result"') < html.index('class="module-body')


def test_one_wrong_answer_is_counted_in_the_singular(browser, taken):
    box = result_box(_check(browser, taken, {**RIGHT, "question_1": "1"}).get_data(as_text=True))
    assert "1 answer to look at again:" in box
    assert 'href="#question_1"' in box


def test_a_page_without_a_check_just_sent_has_no_result_box(browser, taken):
    assert 'id="quiz-result"' not in browser.client.get(taken).get_data(as_text=True)


def test_an_incomplete_check_opens_on_a_summary_linking_each_missing_answer(browser, taken):
    response = _check(browser, taken, {"question_1": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary
    assert "data-error-summary" in summary
    assert html.index('id="error-summary"') < html.index("<h1")
    assert re.findall(r'href="#([^"]+)"', summary) == ["question_0", "question_2"]
    assert "Question 1 — Please answer this question." in summary
    assert re.search(r'<fieldset[^>]*id="question_0"\s+aria-describedby="question_0-errors"', html)
    assert 'id="question_0-errors"' in html
    assert 'id="quiz-result"' not in html


def test_an_empty_reflection_opens_on_a_summary_linking_the_reflection(browser, taken):
    _check(browser, taken, RIGHT)
    response = browser.post_form(taken, {"reflection": ""}, action=f"{taken}/reflection")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', summary) == ["reflection"]
    assert "Write your job in one sentence, naming who it is for. — " in summary
    assert re.search(r'<textarea[^>]*aria-describedby="reflection-errors"', html)


def test_the_module_page_loads_its_one_script_from_a_file(browser, taken):
    html = _check(browser, taken, RIGHT).get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all(body.strip() == "" for _, body in scripts)
    assert any('src="/static/js/landing.js"' in attributes for attributes, _ in scripts)
