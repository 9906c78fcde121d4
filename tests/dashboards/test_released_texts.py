"""What people wrote, read a page at a time: every released text on exactly one page, in an order
drawn from the texts alone, kept only while the release would let out the same texts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture import disclosure
from cxculture.disclosure.texts import PAGE_SIZE
from cxculture.disclosure.themes import comment_themes
from cxculture.extensions import db
from cxculture.models import Survey, User, utcnow
from cxculture.services.surveys import responses
from cxculture.services.surveys.responses import AnswerSet
from tests.conftest import Browser
from tests.factories import closed_release, make_survey, make_user

BIG, OTHER, PARENT = "Ops/Big", "Ops/Other", "Ops"
WRITERS = 60  # 120 texts: three pages


def _wave(app) -> int:
    with app.app_context():
        make_user(department="People", heads=(PARENT,), email="head@example.test")
        people = [make_user(department=BIG) for _ in range(WRITERS)]
        people += [make_user(department=OTHER) for _ in range(12)]
        make_user(department=BIG, email="late@example.test")  # invited, answers only later
        survey = make_survey(departments=(PARENT,))
        for number, person in enumerate(people):
            answers = AnswerSet(
                values={item.id: 4 for item in survey.instrument.items},
                role_statement=f"I help customers, statement {number:03d}.",
                comment=f"The ticket system crashes, comment {number:03d}.",
            )
            invitation = responses.invitation_for(person, survey.id)
            responses.submit_response(invitation, answers, "en", utcnow())
        closed_release(survey)
        return survey.id


def _release(survey_id: int) -> disclosure.Release:
    return disclosure.release_of(db.session.get(Survey, survey_id), utcnow())


def test_every_text_is_on_exactly_one_page(app):
    survey_id = _wave(app)
    with app.app_context():
        release = _release(survey_id)
        every = disclosure.statements(release, BIG)
        pages = [disclosure.statements_page(release, BIG, number) for number in (1, 2, 3)]
        assert len(every) == 2 * WRITERS
        assert [page.pages for page in pages] == [3, 3, 3]
        assert [text for page in pages for text in page.texts] == every
        assert disclosure.statements_page(release, BIG, 99).number == 3  # past the last
        # The themes count every text the group wrote, not the page shown.
        assert comment_themes(release, BIG, "en").texts == 2 * WRITERS


def test_the_order_follows_neither_submission_nor_one_server_process(app):
    survey_id = _wave(app)
    with app.app_context():
        written = [text for number in range(WRITERS) for text in _texts_of(number)]
        first = disclosure.statements(_release(survey_id), BIG)
        app.extensions.pop("cxculture.released_texts")  # as another server process would
        again = disclosure.statements(_release(survey_id), BIG)
    assert sorted(first) == sorted(written)
    assert first != written
    assert first == again  # a reader paging through meets each text once


def _texts_of(number: int) -> tuple[str, str]:
    return (
        f"I help customers, statement {number:03d}.",
        f"The ticket system crashes, comment {number:03d}.",
    )


def test_the_page_shows_one_page_with_links_to_the_others(app):
    survey_id = _wave(app)
    browser = Browser(app.test_client())
    browser.login("head@example.test")
    browser.use_language("en")
    url = f"/dashboards/results?survey={survey_id}&department={BIG}"
    html = browser.client.get(url + "&texts_page=2").get_data(as_text=True)
    assert f"Texts {PAGE_SIZE + 1} to {2 * PAGE_SIZE} of {2 * WRITERS}." in html
    shown = html.partition('id="statements"')[2].partition("</details>")[0]
    assert shown.count("<li>") == PAGE_SIZE
    assert "texts_page=1" in html
    assert "texts_page=3" in html
    assert browser.client.get(url + "&texts_page=0").status_code == 400


def test_reopening_the_survey_takes_its_texts_out_at_once(app):
    survey_id = _wave(app)
    with app.app_context():
        assert disclosure.statements(_release(survey_id), BIG)  # read, and kept
        survey = db.session.get(Survey, survey_id)
        survey.closed_at = None  # reopened: its closing date is still ahead
        db.session.commit()
        assert disclosure.statements(_release(survey_id), BIG) is None
        assert comment_themes(_release(survey_id), BIG, "en") is None


def test_a_release_read_for_a_scope_answers_for_that_scope_only(app):
    survey_id = _wave(app)
    with app.app_context():
        whole = _release(survey_id)
        survey = db.session.get(Survey, survey_id)
        scoped = disclosure.release_of(survey, utcnow(), disclosure.Scope(under=(BIG,)))
        assert set(scoped.groups) == {"", PARENT, BIG}
        assert scoped.group(BIG) == whole.group(BIG)
        assert scoped.levels == whole.levels == 2
        with pytest.raises(ValueError, match="outside"):
            scoped.group(OTHER)  # never answered as hidden: it was not read
        level = disclosure.release_of(survey, utcnow(), disclosure.Scope(depth=1))
        assert set(level.groups) == {"", BIG, OTHER}


def test_counts_of_a_settled_survey_are_read_again_once_it_reopens(app):
    survey_id = _wave(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        later = utcnow() + timedelta(minutes=10)  # past the minutes a late answer may land
        assert disclosure.response_rates(survey, later).get(BIG).answered == WRITERS
        survey.closed_at = None  # reopened
        db.session.commit()
        late = db.session.execute(select(User).where(User.email == "late@example.test"))
        values = {item.id: 4 for item in survey.instrument.items}
        answers = AnswerSet(values=values, role_statement="I help customers.")
        invitation = responses.invitation_for(late.scalar_one(), survey.id)
        responses.submit_response(invitation, answers, "en", utcnow())
        survey.closed_at = utcnow()
        db.session.commit()
        again = disclosure.response_rates(survey, utcnow() + timedelta(minutes=10))
        assert again.get(BIG).answered == WRITERS + 1
