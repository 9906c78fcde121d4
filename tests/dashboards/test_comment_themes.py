"""Comment themes on the results page: counted and quoted only where the texts themselves are
released, never over a small group, a subtraction of groups or a difference of waves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxculture import disclosure
from cxculture.disclosure.themes import comment_themes, summarise
from cxculture.extensions import db
from cxculture.models import Survey, User, utcnow
from cxculture.services.surveys import responses
from cxculture.services.surveys.responses import AnswerSet
from tests.conftest import Browser
from tests.factories import closed_release, make_survey, make_user

SECTION = "What people wrote about"
TOOLS = "The ticket system crashes every day."
TRAINING = "The onboarding training was great."
BIG, SMALL, PARENT = "Ops/Big", "Ops/Small", "Ops"


def _answer(survey: Survey, person: User, statement: str, comment: str = "") -> None:
    answers = AnswerSet(
        values={item.id: 4 for item in survey.instrument.items},
        role_statement=statement,
        comment=comment,
    )
    invitation = responses.invitation_for(person, survey.id)
    responses.submit_response(invitation, answers, "en", utcnow())


def _page(app, email: str, survey_id: int, key: str) -> str:
    browser = Browser(app.test_client())
    browser.login(email)
    browser.use_language("en")
    response = browser.client.get(f"/dashboards/results?survey={survey_id}&department={key}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def company(app):
    """HR, and a head of Ops, who sees every group below it."""
    with app.app_context():
        make_user(is_hr_admin=True, department="People", email="hr@example.test")
        make_user(department="People", heads=(PARENT,), email="head@example.test")


def _wave(app, sizes: dict[str, int], comment: str = TOOLS, **kwargs) -> int:
    """A closed wave where everyone in ``sizes`` wrote ``comment`` (and said what their job is)."""
    with app.app_context():
        people = [make_user(department=path) for path, n in sizes.items() for _ in range(n)]
        survey = make_survey(departments=(PARENT,), **kwargs)
        for number, person in enumerate(people):
            _answer(survey, person, f"I help customers, number {number}.", comment)
        closed_release(survey)
        return survey.id


def test_a_group_at_the_comment_minimum_shows_theme_counts_and_released_examples(app, company):
    survey_id = _wave(app, {BIG: 10})
    html = _page(app, "head@example.test", survey_id, BIG)
    assert SECTION in html
    assert "Tools and systems" in html
    with app.app_context():
        release = disclosure.release_of(db.session.get(Survey, survey_id), utcnow())
        found = comment_themes(release, BIG, "en")
        shown = disclosure.statements(release, BIG)
    assert found is not None
    assert shown is not None
    tools = next(row for row in found.themes if row.theme == "tools")
    assert (tools.texts, tools.negative, tools.positive) == (10, 10, 0)
    assert found.texts == 20  # ten comments and ten role statements
    assert set(tools.examples) <= set(shown)
    assert 0 < len(tools.examples) <= 3


def test_a_group_below_the_comment_minimum_shows_no_theme_counts(app, company):
    survey_id = _wave(app, {BIG: 9})
    html = _page(app, "head@example.test", survey_id, BIG)
    assert "Customer Orientation Index" in html  # its numbers are shown (9 >= 5) ...
    assert SECTION not in html  # ... its words and their themes are not
    assert "Tools and systems" not in html
    assert TOOLS not in html
    with app.app_context():
        release = disclosure.release_of(db.session.get(Survey, survey_id), utcnow())
        assert disclosure.statements(release, BIG) is None
        assert comment_themes(release, BIG, "en") is None


def test_counts_never_appear_where_texts_are_withheld(app, company):
    """Ops (19) less Big (11) would give Small's 8 texts: the guard releases one side only, and
    the themes follow the texts group by group."""
    survey_id = _wave(app, {BIG: 11, SMALL: 8})
    with app.app_context():
        release = disclosure.release_of(db.session.get(Survey, survey_id), utcnow())
        keys = [PARENT, BIG, SMALL, ""]
        for key in keys:
            texts = disclosure.statements(release, key)
            themes = comment_themes(release, key, "en")
            assert (texts is None) == (themes is None), key
        withheld = [key for key in keys if disclosure.statements(release, key) is None]
    assert SMALL in withheld
    assert PARENT in withheld or BIG in withheld  # the subtraction is blocked
    for key in withheld:
        if key:
            assert SECTION not in _page(app, "hr@example.test", survey_id, key)


def test_a_wave_comparison_that_withholds_texts_withholds_counts(app, company):
    """The same ten people wrote the same words in two waves, but one of them changed theirs:
    set beside the first wave, the second would show what that one person wrote now."""
    with app.app_context():
        people = [make_user(department=BIG) for _ in range(10)]
        first = make_survey(name="Wave 1", departments=(PARENT,), opens_in=timedelta(days=-20))
        for person in people:
            _answer(first, person, "I help customers.", TOOLS)
        assert disclosure.statements(closed_release(first), BIG) is not None
        second = make_survey(name="Wave 2", departments=(PARENT,))
        for number, person in enumerate(people):
            _answer(second, person, "I help customers.", TRAINING if number == 0 else TOOLS)
        release = closed_release(second)
        assert not release.group(BIG).is_suppressed  # its numbers are out ...
        assert disclosure.statements(release, BIG) is None  # ... its texts are not
        assert comment_themes(release, BIG, "en") is None
        second_id = second.id
    html = _page(app, "head@example.test", second_id, BIG)
    assert SECTION not in html
    assert "Training and skills" not in html


def test_the_same_words_in_both_waves_are_released_with_their_themes(app, company):
    """The control of the test above: nobody changed, so nothing is singled out."""
    with app.app_context():
        people = [make_user(department=BIG) for _ in range(10)]
        first = make_survey(name="Wave 1", departments=(PARENT,), opens_in=timedelta(days=-20))
        for person in people:
            _answer(first, person, "I help customers.", TOOLS)
        closed_release(first)
        second = make_survey(name="Wave 2", departments=(PARENT,))
        for person in people:
            _answer(second, person, "I help customers.", TOOLS)
        found = comment_themes(closed_release(second), BIG, "en")
    assert found is not None
    assert [row.theme for row in found.themes] == ["tools"]


def test_comments_in_an_unsupported_language_are_counted_as_not_classified(app, company):
    survey_id = _wave(app, {BIG: 10}, comment="Les outils sont lents et la formation est nulle.")
    with app.app_context():
        release = disclosure.release_of(db.session.get(Survey, survey_id), utcnow())
        found = comment_themes(release, BIG, "en")
    assert found is not None
    assert found.not_classified == 10
    assert "training" not in [row.theme for row in found.themes]
    html = _page(app, "head@example.test", survey_id, BIG)
    assert "Not classified: 10 texts" in html


def test_labels_follow_the_reader_language(app, company):
    survey_id = _wave(app, {BIG: 10})
    with app.app_context():
        release = disclosure.release_of(db.session.get(Survey, survey_id), utcnow())
        found = comment_themes(release, BIG, "pt_BR")
    assert "Ferramentas e sistemas" in [row.label for row in found.themes]


def test_the_page_is_the_same_for_hr_and_the_head(app, company):
    survey_id = _wave(app, {BIG: 10})
    for email in ("hr@example.test", "head@example.test"):
        html = _page(app, email, survey_id, BIG)
        assert SECTION in html
        assert "Tools and systems" in html


def test_examples_never_tell_which_texts_one_person_wrote(app):
    """A statement and a comment of one response both naming a theme: skipping the second, or
    picking by response, would show they came from the same person."""
    same = [("Our managers never listen to us.", "The managers ignore what the team says.")]
    apart = [("Our managers never listen to us.",), ("The managers ignore what the team says.",)]
    with app.app_context():
        names = {"leadership": "Leadership"}
        one = {t.theme: t for t in summarise(same, names).themes}["leadership"]
        two = {t.theme: t for t in summarise(apart, names).themes}["leadership"]
    assert one.texts == two.texts == 2
    assert len(one.examples) == 2  # as many as it names, up to three
    assert one.examples == two.examples  # whoever wrote them
