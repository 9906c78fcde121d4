"""The answer form on a phone, in Chromium: "n of N answered" follows each answer, a submit with
answers missing lands on the first of them (focused, in view below the sticky progress bar), the
summary's links move the focus too; and a knowledge check's result takes the focus at the top."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from cxculture.extensions import db
from cxculture.models import Survey, utcnow
from cxculture.services import training
from tests.conftest import Person
from tests.e2e.conftest import PHONE, LiveServer, Tab
from tests.e2e.test_journey import ENGLISH, log_in
from tests.factories import make_survey

Shoot = Callable[[Page, str], Path]
QUESTIONS = 21  # the shipped questionnaire's 20 items and the role question


@pytest.fixture
def survey(app: Flask, employee: Person) -> tuple[int, list[str], str]:
    """An open survey the employee is invited to: its id, its items' texts, the role question."""
    with app.app_context():
        made = make_survey(name="Phone wave")
        db.session.refresh(made)
        return (
            made.id,
            [item.texts["en"] for item in made.instrument.items],
            made.instrument.open_question["en"],
        )


BELOW_THE_BAR = """([legend, bar]) => {
  const top = legend.getBoundingClientRect().top;
  return top >= bar.getBoundingClientRect().bottom && top < window.innerHeight;
}"""


def expect_in_view_below_the_bar(page: Page, question: Locator) -> None:
    """The question's text comes on screen, not hidden under the sticky progress bar (waiting
    for the smooth scroll Bootstrap turns on to end)."""
    legend = question.locator("legend").element_handle()
    bar = page.locator(".answer-form .sticky-top").element_handle()
    page.wait_for_function(BELOW_THE_BAR, arg=[legend, bar])


def expect_422_only(tab: Tab, server: LiveServer, path: str) -> None:
    """The form sent back with its problems is a 422 (which Chromium also notes on the
    console); anything else the browser reported is a problem."""
    url = f"{server.url}{path}"

    def is_the_422(problem: str) -> bool:
        return problem == f"HTTP 422 for {url}" or (
            problem.startswith("console: Failed to load resource")
            and "status of 422" in problem
            and problem.endswith(f"({url})")
        )

    assert any(is_the_422(problem) for problem in tab.watcher.problems), tab.watcher.problems
    tab.watcher.problems[:] = [p for p in tab.watcher.problems if not is_the_422(p)]
    tab.watcher.assert_clean("the form sent back")


def test_the_count_follows_each_answer_and_a_failed_submit_lands_on_the_first_gap(
    survey, employee, open_browser, live_server, screenshot
):
    survey_id, items, role_question = survey
    tab = open_browser(**PHONE)
    page = tab.page
    log_in(page, employee.email, ENGLISH)
    page.goto(f"/surveys/{survey_id}")
    count = page.locator("#progress-count")
    expect(count).to_have_text(f"0 of {QUESTIONS} answered")
    expect(count).to_have_attribute("aria-live", "polite")

    for text in items[:3]:
        page.get_by_role("group", name=text).get_by_label("Agree", exact=True).check()
    expect(count).to_have_text(f"3 of {QUESTIONS} answered")
    expect(page.get_by_label("Progress")).to_have_js_property("value", 3)
    page.get_by_label(role_question).fill("I answer our customers' calls.")
    expect(count).to_have_text(f"4 of {QUESTIONS} answered")
    # Answers 6 and 8 too, so the gaps are 4, 5, 7 and from 9 on.
    for text in (items[5], items[7]):
        page.get_by_role("group", name=text).get_by_label("Disagree", exact=True).check()
    expect(count).to_have_text(f"6 of {QUESTIONS} answered")
    tab.watcher.assert_clean("answering")

    page.get_by_role("button", name="Submit my answers").click()
    summary = page.get_by_role("alert").filter(has_text="Some answers need your attention")
    expect(summary).to_be_visible()
    first_gap = page.get_by_role("group", name=items[3])
    expect(first_gap.get_by_role("radio").first).to_be_focused()
    expect_in_view_below_the_bar(page, first_gap)
    # The server kept what was given, and counts it.
    expect(count).to_have_text(f"6 of {QUESTIONS} answered")
    expect(page.get_by_label(role_question)).to_have_value("I answer our customers' calls.")
    screenshot(page, "answer-form-phone-first-gap")
    expect_422_only(tab, live_server, f"/surveys/{survey_id}")

    # Each link of the summary moves the focus to its question, not only the scroll position.
    page.evaluate("window.scrollTo(0, 0)")
    summary.get_by_role("link", name="Question 7", exact=True).click()
    seventh = page.get_by_role("group", name=items[6])
    expect(seventh.get_by_role("radio").first).to_be_focused()
    expect_in_view_below_the_bar(page, seventh)

    # Answering a gap moves the count on, and the form goes through once complete.
    for text in items:
        group = page.get_by_role("group", name=text)
        if not group.get_by_role("radio", checked=True).count():
            group.get_by_label("Agree", exact=True).check()
    expect(count).to_have_text(f"{QUESTIONS} of {QUESTIONS} answered")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you", level=1)).to_be_visible()
    tab.watcher.assert_clean("submitting")


def test_without_a_gap_in_the_items_the_role_question_takes_the_focus(
    app, survey, employee, open_browser, live_server
):
    survey_id, items, role_question = survey
    tab = open_browser()
    page = tab.page
    log_in(page, employee.email, ENGLISH)
    page.goto(f"/surveys/{survey_id}")
    for text in items:
        page.get_by_role("group", name=text).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_label(role_question)).to_be_focused()
    expect(page.locator("#progress-count")).to_have_text(f"20 of {QUESTIONS} answered")
    expect_422_only(tab, live_server, f"/surveys/{survey_id}")
    with app.app_context():
        assert db.session.get(Survey, survey_id).state(utcnow()).value == "open"


def test_a_knowledge_checks_result_takes_the_focus_above_the_module_text(
    app, employee, open_browser, screenshot
):
    with app.app_context():
        training.load_modules()
        module = training.catalogue()[0]
        slug, text = module.slug, module.text_in("en")
        quiz = [(q["question"], q["options"], q["answer"]) for q in text.quiz]
    tab = open_browser(**PHONE)
    page = tab.page
    log_in(page, employee.email, ENGLISH)
    page.goto(f"/training/{slug}")
    page.get_by_role("button", name="Take this module").click()
    # The first answer wrong, the others right.
    for number, (question, options, answer) in enumerate(quiz):
        chosen = options[(answer + 1) % len(options)] if number == 0 else options[answer]
        page.get_by_role("group", name=question).get_by_label(chosen, exact=True).check()
    page.get_by_role("button", name="Check my answers").click()

    result = page.get_by_role("status").filter(has_text="Your score:")
    expect(result).to_be_focused()
    expect(result).to_be_in_viewport()
    expect(result).to_contain_text(re.compile(r"answer to look at again"))
    below = page.locator("article.module-body").evaluate("body => body.getBoundingClientRect().top")
    above = result.evaluate("box => box.getBoundingClientRect().bottom")
    assert above <= below, "the result comes before the module's text"
    screenshot(page, "quiz-result-phone")

    # Its link leads to the question to look at again, focused on the answer given.
    result.get_by_role("link", name=re.compile(r"^Question 1: ")).click()
    expect(
        page.get_by_role("group", name=quiz[0][0]).get_by_role("radio", checked=True)
    ).to_be_focused()
    tab.watcher.assert_clean("the knowledge check")
