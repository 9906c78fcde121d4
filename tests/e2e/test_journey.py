"""One wave end to end in a real browser: HR launches it, an employee answers on a phone in
Portuguese, the head sees the numbers once enough people answered, and the employee takes the
module their answers suggested."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from cxculture.extensions import db
from cxculture.models import Survey, User, utcnow
from cxculture.scoring.dimensions import DIMENSIONS, SCALE_MAX, SCALE_MIN
from cxculture.services import training
from cxculture.services.surveys import responses
from cxculture.templating import DIMENSION_LABELS
from tests.conftest import Person, make_person
from tests.e2e.conftest import PHONE, Tab
from tests.factories import PASSWORD, make_department, make_instrument

DEPARTMENT = "Operations/Contact Center"
SURVEY_NAME = "Customer orientation, spring wave"
WEAK = "listen"  # the one dimension the employee's answers leave low
Shoot = Callable[[Page, str], Path]
Translate = Callable[..., str]
COLLEAGUES = 4  # with the employee, the minimum group size of 5
SCALE_WORDS = {1: "Strongly disagree", 2: "Disagree", 4: "Agree", 5: "Strongly agree"}


def scale_point(keyed: int, is_reverse_keyed: bool) -> int:
    """The answer to pick so that an item scores ``keyed`` once reverse keying is undone."""
    return SCALE_MIN + SCALE_MAX - keyed if is_reverse_keyed else keyed


@dataclass(frozen=True)
class Item:
    text: str  # in Portuguese
    dimension: str
    is_reverse_keyed: bool

    def answer_for(self, keyed: int) -> int:
        return scale_point(keyed, self.is_reverse_keyed)


@dataclass(frozen=True)
class Wave:
    survey_id: int
    items: list[Item]
    open_question: str


@dataclass(frozen=True)
class ModuleShown:
    title: str
    dimensions: list[str]
    quiz: list[dict]
    reflection_prompt: str


@pytest.fixture
def company(app: Flask, hr_admin: Person, head: Person, employee: Person) -> list[Person]:
    """The questionnaire and modules shipped with the product, and four of the employee's
    colleagues in the Contact Center."""
    with app.app_context():
        make_instrument()
        training.load_modules()
        make_department(DEPARTMENT)
    return [make_person(app, department=DEPARTMENT) for _ in range(COLLEAGUES)]


def log_in(page: Page, email: str, labels: dict[str, str]) -> None:
    page.goto("/")
    page.get_by_label(labels["Email"], exact=True).fill(email)
    page.get_by_label(labels["Password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=labels["Log in"], exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


ENGLISH = {"Email": "Email", "Password": "Password", "Log in": "Log in"}


def local_minute(app: Flask, moment: datetime) -> str:
    """``moment`` as a datetime-local input takes it, in the company's time zone."""
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def flash(page: Page, text: str):
    return page.get_by_role("alert").filter(has_text=text)


def hr_launches_the_survey(app: Flask, tab: Tab, hr_admin: Person, screenshot: Shoot) -> int:
    page = tab.page
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in to cxculture")).to_be_visible()
    screenshot(page, "01-hr-login")
    log_in(page, hr_admin.email, ENGLISH)
    menu = page.get_by_role("navigation")
    menu.get_by_role("button", name="Surveys", exact=True).click()
    menu.get_by_role("link", name="Surveys", exact=True).click()
    page.get_by_role("link", name="New survey").click()

    now = utcnow()
    page.get_by_label("Name", exact=True).fill(SURVEY_NAME)
    page.get_by_label("Confidential: answers kept with the person").check()
    page.get_by_label("Chosen departments (with the ones below them)").check()
    page.get_by_label("Departments", exact=True).select_option(label=DEPARTMENT)
    page.get_by_label("Opens", exact=True).fill(local_minute(app, now - timedelta(minutes=1)))
    page.get_by_label("Closes", exact=True).fill(local_minute(app, now + timedelta(days=14)))
    screenshot(page, "02-hr-new-survey")
    page.get_by_role("button", name="Save").click()
    expect(flash(page, "Survey created as a draft")).to_be_visible()

    # Launching is a second step that says what it will do, in numbers, before doing it.
    page.get_by_role("link", name="Launch…").click()
    expect(page.get_by_role("heading", name=f"Launch “{SURVEY_NAME}”?")).to_be_visible()
    invited = f"{COLLEAGUES + 1} people will be invited and get the invitation email now."
    expect(page.get_by_text(invited)).to_be_visible()
    expect(page.get_by_role("rowheader", name=DEPARTMENT)).to_be_visible()
    expect(page.get_by_role("link", name="Cancel")).to_be_visible()
    screenshot(page, "02b-hr-launch-confirmation")
    page.get_by_role("button", name=f"Launch and email {COLLEAGUES + 1} people").click()
    expect(flash(page, f"Survey launched: {COLLEAGUES + 1} people invited.")).to_be_visible()
    expect(page.locator(".badge", has_text="Open")).to_be_visible()
    expect(page.get_by_text(f"0 of {COLLEAGUES + 1} people have answered")).to_be_visible()
    screenshot(page, "03-hr-survey-launched")
    tab.watcher.assert_clean("HR launching the survey")
    found = re.search(r"/hr/surveys/(\d+)$", page.url)
    assert found, page.url
    return int(found.group(1))


def the_wave(app: Flask, survey_id: int) -> Wave:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey.name == SURVEY_NAME
        assert survey.launched_at is not None
        items = [
            Item(item.texts["pt_BR"], item.dimension, item.is_reverse_keyed)
            for item in survey.instrument.items
        ]
        return Wave(survey_id, items, survey.instrument.open_question["pt_BR"])


def employee_answers_on_a_phone(
    tab: Tab, employee: Person, wave: Wave, pt: Translate, screenshot: Shoot
) -> str:
    """Answer every item (agreeing, except on the weak dimension), submit; the suggested
    module's address."""
    page = tab.page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    log_in(page, employee.email, {key: pt(key) for key in ENGLISH})
    expect(
        page.get_by_role("heading", name=pt("Hello, %(name)s", name=employee.name))
    ).to_be_visible()
    screenshot(page, "05-employee-home-phone")

    page.get_by_role("main").get_by_role("link", name=pt("My surveys")).click()
    page.get_by_role("link", name=pt("Answer"), exact=True).click()
    expect(page.get_by_role("heading", name=SURVEY_NAME)).to_be_visible()
    for item in wave.items:
        keyed = SCALE_MIN if item.dimension == WEAK else SCALE_MAX
        choice = pt(SCALE_WORDS[item.answer_for(keyed)])
        page.get_by_role("group", name=item.text).get_by_label(choice, exact=True).check()
    page.get_by_label(wave.open_question).fill(
        "Atendo os clientes que ligam para a central e resolvo o que eles precisam."
    )
    # The progress bar's script counts every item and the open question.
    expect(page.get_by_label(pt("Progress"))).to_have_js_property("value", len(wave.items) + 1)
    screenshot(page, "06-employee-answers-phone")
    page.get_by_role("button", name=pt("Submit my answers")).click()

    expect(page.get_by_role("heading", name=pt("Thank you"), level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=pt("Suggested for you"))).to_be_visible()
    suggestions = page.get_by_role("main").get_by_role("listitem").get_by_role("link")
    expect(suggestions).to_have_count(1)  # one weak dimension, one module
    screenshot(page, "07-employee-thanks-phone")
    tab.watcher.assert_clean("the employee answering")
    href = suggestions.get_attribute("href")
    assert href is not None
    assert href.startswith("/training/"), href
    return href


def colleagues_answer(app: Flask, wave: Wave, colleagues: list[Person], keyed: int) -> None:
    """The rest of the department answers (through the service the form uses)."""
    with app.app_context():
        for colleague in colleagues:
            user = db.session.get(User, colleague.id)
            invitation = responses.invitation_for(user, wave.survey_id)
            answers = responses.AnswerSet(
                values={
                    item.id: scale_point(keyed, item.is_reverse_keyed)
                    for item in invitation.survey.instrument.items
                },
                role_statement="I answer our customers' calls.",
            )
            responses.submit_response(invitation, answers, "en", utcnow())


def dimension_row(page: Page, dimension: str):
    label = str(DIMENSION_LABELS[dimension])
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def head_opens_the_results(tab: Tab, head: Person, screenshot: Shoot) -> None:
    """Straight after the launch: the department, its response rate, and when results come."""
    page = tab.page
    log_in(page, head.email, ENGLISH)
    expect(page.get_by_role("heading", name="My departments")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Follow it in Results").click()
    expect(page.get_by_role("status")).to_contain_text("Results come out when the survey closes")
    expect(page.get_by_text("Response rate: 0 of 5 invited")).to_be_visible()
    expect(page.get_by_label("Survey")).to_have_value(re.compile(r"\d+"))
    screenshot(page, "04-head-results-before-closing")
    tab.watcher.assert_clean("the head before any answer")


def head_sees_the_results(
    app: Flask, tab: Tab, wave: Wave, colleagues: list[Person], screenshot: Shoot
) -> None:
    """While the wave is open only the response rate moves; at closing the numbers come."""
    page = tab.page
    page.reload()
    expect(page.get_by_role("heading", name="Operations", exact=True)).to_be_visible()
    expect(page.get_by_text("Response rate: 1 of 5 invited")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Results come out when the survey closes")
    expect(page.get_by_text("Customer Orientation Index:")).to_have_count(0)
    expect(page.get_by_role("img")).to_have_count(0)
    screenshot(page, "08-head-results-while-open")

    colleagues_answer(app, wave, colleagues, keyed=4)
    page.reload()
    expect(page.get_by_text("Customer Orientation Index:")).to_have_count(0)
    with app.app_context():
        db.session.get(Survey, wave.survey_id).closed_at = utcnow()
        db.session.commit()
    page.reload()
    # The employee: five dimensions at 100 and Listen at 0 (index 83.3); each colleague: 75
    # everywhere. Together: (83.3 + 4 x 75) / 5 = 76.7; Listen 60; every other dimension 80.
    expect(
        page.get_by_text("Customer Orientation Index: 77 (company: 77), from 5 responses.")
    ).to_be_visible()
    for dimension in DIMENSIONS:
        score = "60" if dimension == WEAK else "80"
        expect(dimension_row(page, dimension).get_by_role("cell")).to_have_text([score, score])
    chart = page.get_by_role("img", name="Bar chart of the six dimension scores")
    expect(chart).to_have_js_property("complete", True)
    assert chart.evaluate("image => image.naturalWidth") > 0, "the chart did not load"
    expect(page.get_by_text(f"{DIMENSION_LABELS[WEAK]} (60):")).to_be_visible()
    screenshot(page, "09-head-results")
    tab.watcher.assert_clean("the head reading the results")


def module_behind(app: Flask, href: str) -> ModuleShown:
    """The module a link leads to, as the database holds it in Portuguese (answers included)."""
    with app.app_context():
        module = training.get_module(href.removeprefix("/training/"))
        assert module is not None, href
        text = module.text_in("pt_BR")
        assert text.locale == "pt_BR"
        return ModuleShown(text.title, list(module.dimensions), text.quiz, text.reflection_prompt)


def employee_completes_the_module(
    tab: Tab, module: ModuleShown, pt: Translate, screenshot: Shoot
) -> None:
    page = tab.page
    page.get_by_role("link", name=module.title).click()
    expect(page.get_by_role("heading", name=module.title, level=1)).to_be_visible()
    # A suggestion is only a suggestion: taking it is her choice, and stays hers.
    page.get_by_role("button", name=pt("Take this module")).click()
    expect(page.get_by_role("heading", name=pt("Knowledge check"))).to_be_visible()
    for question in module.quiz:
        right = question["options"][question["answer"]]
        group = page.get_by_role("group", name=question["question"])
        group.get_by_label(right, exact=True).check()
    screenshot(page, "10-employee-module-phone")
    page.get_by_role("button", name=pt("Check my answers")).click()
    result = page.get_by_role("status").filter(
        has_text=pt("You passed the knowledge check. One last step: your reflection.")
    )
    expect(result).to_be_visible()
    expect(result).to_be_focused()  # the result heads the page and takes the focus
    for question in module.quiz:
        expect(page.get_by_role("group", name=question["question"])).to_contain_text(pt("Correct."))

    page.get_by_label(module.reflection_prompt).fill(
        "Vou perguntar a dois clientes desta semana o que quase os fez desistir de nós."
    )
    screenshot(page, "11-employee-reflection-phone")
    page.get_by_role("button", name=pt("Finish the module")).click()
    expect(flash(page, pt("Module completed. Thank you!"))).to_be_visible()
    completed = pt("You completed this module on %(date)s.").split("%(date)s")[0].strip()
    expect(page.get_by_role("status")).to_contain_text(completed)

    # The menu folds away on a phone: open it, then go to my training.
    page.get_by_role("button", name=pt("Show menu")).tap()
    page.get_by_role("navigation").get_by_role("link", name=pt("My training")).tap()
    entry = page.get_by_role("link").filter(has_text=module.title).first
    expect(entry).to_contain_text(pt("Completed"))
    screenshot(page, "12-employee-training-phone")
    tab.watcher.assert_clean("the employee taking the module")


def test_a_wave_from_launch_to_a_completed_module(
    app, company, hr_admin, head, employee, open_browser, pt, screenshot
):
    survey_id = hr_launches_the_survey(app, open_browser(), hr_admin, screenshot)
    wave = the_wave(app, survey_id)
    head_tab = open_browser()
    head_opens_the_results(head_tab, head, screenshot)

    phone = open_browser(locale="pt-BR", **PHONE)
    suggested = employee_answers_on_a_phone(phone, employee, wave, pt, screenshot)
    module = module_behind(app, suggested)
    assert WEAK in module.dimensions, f"suggested {module.title} for {module.dimensions}"

    head_sees_the_results(app, head_tab, wave, company, screenshot)
    employee_completes_the_module(phone, module, pt, screenshot)


def test_a_blocked_inline_script_is_reported(open_browser):
    """The watcher that keeps the journey honest sees what the Content-Security-Policy blocks."""
    tab = open_browser()
    tab.page.goto("/auth/login")
    with tab.page.expect_console_message(lambda message: "CSP violation" in message.text):
        tab.page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "document.body.dataset.ran = 'yes'";
              document.head.append(script);
            }"""
        )
    expect(tab.page.locator("body")).not_to_have_attribute("data-ran", "yes")
    assert any("CSP violation: script-src" in problem for problem in tab.watcher.problems)
    tab.watcher.problems.clear()
