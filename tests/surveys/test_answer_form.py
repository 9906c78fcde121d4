"""The answer form as a person meets it: "n of N answered" beside the progress bar, right from
the server, and a form sent back incomplete that leads straight to what is missing."""

from __future__ import annotations

import html as html_text
import re

import pytest
from flask_babel import force_locale, gettext

from tests.factories import make_survey

QUESTIONS = 21  # the shipped questionnaire's 20 items and the role question


@pytest.fixture
def survey(app, employee):
    """An open survey ``employee`` is invited to: (id, item ids in the order of the form)."""
    with app.app_context():
        made = make_survey()
        return made.id, [item.id for item in made.instrument.items]


def progress(html: str) -> tuple[str, str, str]:
    """The progress bar's value and maximum, and the sentence beside it."""
    bar = re.search(r'<progress id="progress"[^>]*max="(\d+)" value="(\d+)"', html)
    count = re.search(r'<span[^>]*id="progress-count"[^>]*>([^<]*)</span>', html)
    assert bar, "no progress bar"
    assert count, "no count beside the progress bar"
    return bar.group(2), bar.group(1), count.group(1).strip()


def error_summary(html: str) -> str:
    found = re.search(r'<div[^>]*id="error-summary".*?</div>\n', html, re.S)
    assert found, "no error summary"
    return found.group(0)


def summary_targets(html: str) -> list[str]:
    return re.findall(r'<a class="[^"]*" href="#([^"]+)"', error_summary(html))


def test_an_untouched_form_says_none_of_the_questions_is_answered(browser, employee, survey):
    browser.login(employee.email)
    html = browser.client.get(f"/surveys/{survey[0]}").get_data(as_text=True)
    assert progress(html) == ("0", str(QUESTIONS), f"0 of {QUESTIONS} answered")
    assert 'id="error-summary"' not in html


def test_the_count_is_a_polite_live_region_the_script_fills_from_a_translated_sentence(
    app, browser, employee, survey
):
    browser.login(employee.email)
    browser.use_language("pt_BR")
    html = browser.client.get(f"/surveys/{survey[0]}").get_data(as_text=True)
    count = re.search(r'<span[^>]*id="progress-count"[^>]*>', html).group(0)
    assert 'aria-live="polite"' in count
    assert 'aria-atomic="true"' in count
    template = html_text.unescape(re.search(r'data-template="([^"]*)"', count).group(1))
    with app.test_request_context(), force_locale("pt_BR"):
        sentence = gettext(
            "%(answered)s of %(total)s answered", answered="{answered}", total="{total}"
        )
    assert template == sentence  # the reader's language, with the script's two blanks
    assert "{answered}" in template
    assert "{total}" in template
    assert 'aria-describedby="progress-count"' in html


def test_a_resumed_draft_shows_how_far_it_got(browser, employee, survey):
    survey_id, items = survey
    browser.login(employee.email)
    draft = {f"item_{items[0]}": "2", f"item_{items[5]}": "4", "role_statement": "I fix bills."}
    browser.post_form(f"/surveys/{survey_id}", {**draft, "save": "1"})
    html = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert progress(html) == ("3", str(QUESTIONS), f"3 of {QUESTIONS} answered")


def test_a_blank_role_statement_and_an_invalid_choice_are_not_counted(browser, employee, survey):
    survey_id, items = survey
    browser.login(employee.email)
    form = {f"item_{items[0]}": "4", f"item_{items[1]}": "9", "role_statement": "   "}
    response = browser.post_form(f"/surveys/{survey_id}", {**form, "submit": "1"})
    assert progress(response.get_data(as_text=True))[2] == f"1 of {QUESTIONS} answered"


def test_a_failed_submit_counts_the_answers_it_kept(browser, employee, survey):
    survey_id, items = survey
    answered = {f"item_{item_id}": "4" for item_id in items[:10]}
    browser.login(employee.email)
    response = browser.post_form(
        f"/surveys/{survey_id}", {**answered, "role_statement": "I serve guests.", "submit": "1"}
    )
    assert response.status_code == 422
    assert progress(response.get_data(as_text=True)) == ("11", "21", "11 of 21 answered")


def test_a_failed_submit_opens_with_a_summary_linking_each_missing_answer_in_page_order(
    browser, employee, survey
):
    survey_id, items = survey
    missing = [items[2], items[7], items[19]]
    answered = {f"item_{item_id}": "3" for item_id in items if item_id not in missing}
    browser.login(employee.email)
    response = browser.post_form(f"/surveys/{survey_id}", {**answered, "submit": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = error_summary(html)
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary
    assert "data-error-summary" in summary
    assert summary_targets(html) == [
        f"item_{missing[0]}",
        f"item_{missing[1]}",
        f"item_{missing[2]}",
        "role_statement",
    ]
    # The unanswered items together, by number, each link naming its question.
    assert "3 questions are not answered yet:" in summary
    assert re.findall(r'aria-label="(Question \d+)">(\d+)</a>', summary) == [
        ("Question 3", "3"),
        ("Question 8", "8"),
        ("Question 20", "20"),
    ]
    assert "what is your job, and who is it for? — Please answer this question." in summary
    # The summary comes before anything else of the page's content, even its heading.
    assert html.index('id="error-summary"') < html.index("<h1")
    # Every link leads to a question that is on the page and marked.
    for target in summary_targets(html):
        assert re.search(rf'<fieldset class="[^"]*is-invalid"[^>]*id="{target}"', html) or (
            re.search(rf'<textarea[^>]*class="[^"]*is-invalid[^"]*"[^>]*id="{target}"', html)
        ), target
    assert "<title>Error: Wave 1 · cxculture</title>" in html


def test_one_unanswered_item_is_told_in_the_singular(browser, employee, survey):
    survey_id, items = survey
    answered = {f"item_{item_id}": "4" for item_id in items[1:]}
    browser.login(employee.email)
    response = browser.post_form(
        f"/surveys/{survey_id}", {**answered, "role_statement": "I serve guests.", "submit": "1"}
    )
    summary = error_summary(response.get_data(as_text=True))
    assert "1 question is not answered yet:" in summary
    assert summary_targets(response.get_data(as_text=True)) == [f"item_{items[0]}"]
    assert 'aria-label="Question 1">1</a>' in summary


def test_a_value_that_is_not_an_answer_has_a_line_of_its_own(browser, employee, survey):
    survey_id, items = survey
    answered = {f"item_{item_id}": "4" for item_id in items}
    answered[f"item_{items[4]}"] = "9"
    browser.login(employee.email)
    response = browser.post_form(
        f"/surveys/{survey_id}", {**answered, "role_statement": "I serve guests.", "submit": "1"}
    )
    summary = error_summary(response.get_data(as_text=True))
    assert re.search(rf'href="#item_{items[4]}">Question 5 — Not a valid choice', summary)
    assert "not answered yet" not in summary


def test_a_problem_outside_any_question_is_listed_without_a_link(browser, employee, survey):
    survey_id, items = survey
    answered = {f"item_{item_id}": "4" for item_id in items}
    browser.login(employee.email)
    response = browser.post_form(
        f"/surveys/{survey_id}",
        {**answered, "item_999999": "3", "role_statement": "I serve guests.", "submit": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<li>This question is not part of the survey.</li>" in error_summary(html)
    assert summary_targets(html) == []


def test_the_pages_scripts_are_files_the_content_security_policy_allows(browser, employee, survey):
    browser.login(employee.email)
    response = browser.client.get(f"/surveys/{survey[0]}")
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    sources = [re.search(r'src="([^"]+)"', attributes).group(1) for attributes, _ in scripts]
    assert all(body.strip() == "" for _, body in scripts)  # nothing inline
    assert "/static/js/survey.js" in sources
    assert "/static/js/landing.js" in sources
    assert " style=" not in html
    policy = response.headers["Content-Security-Policy"].split(";")
    script_src = next(part for part in policy if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
