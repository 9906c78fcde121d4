"""Where to act, ranked by impact: each dimension's weight on the outcome comes from exactly the
responses a group's closing snapshot released, from 30 complete answers up; smaller groups are
shown the company's weights with the reason; hidden groups and live results show none."""

from __future__ import annotations

import html
import random

import pytest
from sqlalchemy import delete, func, select

from cxculture import disclosure
from cxculture.disclosure import drivers as released_drivers
from cxculture.extensions import db
from cxculture.models import ReleasedDrivers, Response, Survey, utcnow
from cxculture.paths import COMPANY
from cxculture.scoring import drivers
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.drivers import Unavailable
from cxculture.services.surveys import responses
from cxculture.services.surveys.responses import AnswerSet
from tests.conftest import Browser
from tests.factories import closed_release, make_outcome_instrument, make_survey, make_user

PARENT, BIG, SMALL, TINY = "Ops", "Ops/Big", "Ops/Small", "Ops/Tiny"
ADVOCACY, MENTION = released_drivers.ADVOCACY, released_drivers.CUSTOMER_MENTION


def _answers(survey: Survey, levels: dict[str, int], advocacy: int | None, statement: str):
    values = {}
    for item in survey.instrument.items:
        level = levels[item.dimension]
        values[item.id] = 6 - level if item.is_reverse_keyed else level
    return AnswerSet(values=values, role_statement=statement, advocacy=advocacy)


def _person_answers(rng: random.Random, survey: Survey, outcome_follows: str):
    """Random levels per dimension; the outcome follows one dimension, with a little noise."""
    levels = {dimension: rng.randint(1, 5) for dimension in DIMENSIONS}
    advocacy = max(0, min(10, 2 * levels[outcome_follows] + rng.choice((-1, 0, 0, 1))))
    statement = (
        "I answer our customers' calls." if levels[outcome_follows] >= 4 else "I file reports."
    )
    asked = survey.instrument.outcome_question is not None
    return _answers(survey, levels, advocacy if asked else None, statement)


def _wave(
    sizes: dict[str, int],
    *,
    follows: str = "listen",
    seed: int = 7,
    order_seed: int | None = None,
    outcome: bool = True,
    close: bool = True,
    **kwargs,
) -> Survey:
    """A wave in Ops where everyone in ``sizes`` answered, the outcome following ``follows``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test answers, no secret
    people = [make_user(department=path) for path, n in sizes.items() for _ in range(n)]
    instrument = make_outcome_instrument() if outcome else None
    survey = make_survey(departments=(PARENT,), instrument=instrument, **kwargs)
    given = [(person, _person_answers(rng, survey, follows)) for person in people]
    if order_seed is not None:
        random.Random(order_seed).shuffle(given)  # noqa: S311 - a test order
    for person, answers in given:
        invitation = responses.invitation_for(person, survey.id)
        responses.submit_response(invitation, answers, "en", utcnow())
    if close:
        closed_release(survey)
    return survey


def _release(survey: Survey) -> disclosure.Release:
    return disclosure.release_of(survey, utcnow())


def test_a_group_of_30_or_more_is_ranked_by_its_own_weights(ctx):
    survey = _wave({BIG: 40, SMALL: 12})
    act = disclosure.where_to_act(_release(survey), BIG, ADVOCACY)
    assert act.refusal is None
    ranking = act.ranking
    assert ranking.fallback is None
    assert ranking.respondents == 40
    by_name = {row.name: row for row in ranking.priorities}
    # The outcome follows "listen" alone: it carries most of what the dimensions explain.
    assert max(by_name.values(), key=lambda row: row.share).name == "listen"
    assert by_name["listen"].share > 0.8
    # A percentile interval need not hold the estimate near the edge (a share close to 1).
    assert 0.5 < by_name["listen"].share_low < by_name["listen"].share_high <= 1
    assert [row.rank for row in ranking.priorities] == list(range(1, 7))


def test_a_smaller_group_is_shown_the_companys_weights_and_why(ctx):
    survey = _wave({BIG: 40, SMALL: 12})
    found = _release(survey)
    small = disclosure.where_to_act(found, SMALL, ADVOCACY)
    company = disclosure.where_to_act(found, COMPANY, ADVOCACY)
    assert small.refusal.reason is Unavailable.TOO_FEW_RESPONDENTS
    assert small.ranking.fallback is small.refusal
    assert small.ranking.uses_company_drivers
    shares = {row.name: row.share for row in small.ranking.priorities}
    assert shares == {row.name: row.share for row in company.ranking.priorities}
    # The company's weights, but the small group's own scores decide the gaps.
    scores = found.group(SMALL).dimensions
    assert {row.name: row.score for row in small.ranking.priorities} == scores


def test_a_hidden_group_gets_no_ranking_at_all(ctx):
    survey = _wave({BIG: 40, TINY: 2})
    found = _release(survey)
    assert found.group(TINY).is_suppressed
    assert disclosure.where_to_act(found, TINY, ADVOCACY) is None
    refused = disclosure.drivers_of(found, TINY, ADVOCACY)
    assert refused.reason is Unavailable.NOT_RELEASED_AT_CLOSING
    assert refused.respondents == 0  # never the hidden group's size


def test_the_weights_are_kept_and_read_back_the_same(ctx, monkeypatch):
    survey = _wave({BIG: 40, SMALL: 12})
    first = disclosure.where_to_act(_release(survey), BIG, ADVOCACY)
    kept = db.session.execute(select(func.count()).select_from(ReleasedDrivers)).scalar_one()
    assert kept == 1  # only the group read so far

    def refuse(*_args, **_kwargs):
        raise AssertionError("worked out again")

    monkeypatch.setattr(drivers, "key_drivers", refuse)
    again = disclosure.where_to_act(_release(survey), BIG, ADVOCACY)
    assert again == first


def test_the_weights_do_not_depend_on_the_order_people_answered_in(ctx):
    one = _wave({BIG: 35}, order_seed=1, name="Wave A")
    two = _wave({BIG: 35}, order_seed=2, name="Wave B")
    first = disclosure.drivers_of(_release(one), BIG, ADVOCACY)
    second = disclosure.drivers_of(_release(two), BIG, ADVOCACY)
    assert first.weights.shares == pytest.approx(second.weights.shares, abs=1e-12)
    assert first.intervals == second.intervals


def test_the_customer_mention_is_the_second_outcome_and_the_only_one_of_version_1(ctx):
    with_outcome = _wave({BIG: 40}, name="Wave 2")
    assert disclosure.outcomes(with_outcome) == (ADVOCACY, MENTION)
    mention = disclosure.where_to_act(_release(with_outcome), BIG, MENTION)
    assert mention.ranking.fallback is None
    first_version = _wave({BIG: 40}, outcome=False, name="Wave 1")
    assert disclosure.outcomes(first_version) == (MENTION,)
    assert disclosure.where_to_act(_release(first_version), BIG, ADVOCACY) is None
    assert disclosure.where_to_act(_release(first_version), BIG, MENTION).ranking is not None


def test_live_results_carry_no_weights(ctx):
    survey = _wave({BIG: 40}, close=False, live_results=True)
    found = _release(survey)
    assert not found.group(BIG).is_suppressed  # figures are out, weights are not
    act = disclosure.where_to_act(found, BIG, ADVOCACY)
    assert act.ranking is None
    assert act.refusal.reason is Unavailable.NOT_RELEASED_AT_CLOSING
    assert act.company_refusal.reason is Unavailable.NOT_RELEASED_AT_CLOSING


def test_answers_that_are_not_those_released_are_never_weighed(ctx):
    # Responses are never deleted (erasing a person unlinks them); should the stored answers
    # ever differ from those released, the weights would describe other people: none then.
    survey = _wave({BIG: 40, SMALL: 12})
    found = _release(survey)
    one = db.session.execute(
        select(Response.id).where(Response.department_path == BIG).limit(1)
    ).scalar_one()
    db.session.execute(delete(Response).where(Response.id == one))
    db.session.commit()
    refused = disclosure.drivers_of(found, BIG, ADVOCACY)
    assert refused.reason is Unavailable.NOT_RELEASED_AT_CLOSING
    assert db.session.execute(select(func.count()).select_from(ReleasedDrivers)).scalar_one() == 0


def test_an_outcome_everyone_gave_the_same_value_says_so(ctx):
    people = [make_user(department=BIG) for _ in range(32)]
    survey = make_survey(departments=(PARENT,), instrument=make_outcome_instrument())
    rng = random.Random(3)  # noqa: S311 - reproducible test answers
    for person in people:
        levels = {dimension: rng.randint(1, 5) for dimension in DIMENSIONS}
        invitation = responses.invitation_for(person, survey.id)
        answers = _answers(survey, levels, 8, "I serve customers.")
        responses.submit_response(invitation, answers, "en", utcnow())
    act = disclosure.where_to_act(closed_release(survey), BIG, ADVOCACY)
    assert act.ranking is None
    assert act.refusal.reason is Unavailable.NO_OUTCOME_VARIANCE
    assert act.company_refusal.reason is Unavailable.NO_OUTCOME_VARIANCE


@pytest.fixture
def head(app):
    with app.app_context():
        make_user(department="People", heads=(PARENT,), email="head@example.test")
        return "head@example.test"


def _page(app, email: str, survey_id: int, key: str, **params) -> str:
    browser = Browser(app.test_client())
    browser.login(email)
    browser.use_language("en")
    query = "&".join(
        f"{k}={v}" for k, v in {"survey": survey_id, "department": key, **params}.items()
    )
    response = browser.client.get(f"/dashboards/results?{query}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_head_reads_the_ranking_with_its_reasons(app, head):
    with app.app_context():
        survey_id = _wave({BIG: 40, SMALL: 12}).id
    html = _page(app, head, survey_id, BIG)
    assert "Ranked by how much each dimension goes with customer advocacy" in html
    assert "Based on this department's 40 complete answers" in html
    assert "Weighs a lot and scores below" in html or "keep it there" in html
    small = _page(app, head, survey_id, SMALL)
    assert "fewer than 30 complete answers" in small
    assert "the company's weights" in small


def test_the_second_outcome_is_one_click_away_and_a_bad_choice_is_the_default(app, head):
    with app.app_context():
        survey_id = _wave({BIG: 40}).id
    html = _page(app, head, survey_id, BIG, outcome=MENTION)
    assert "goes with naming the customer" in _section(html)
    unknown = _section(_page(app, head, survey_id, BIG, outcome="salary"))
    assert unknown == _section(_page(app, head, survey_id, BIG))
    assert "goes with customer advocacy" in unknown


def _section(html: str) -> str:
    start = html.index('id="where-to-act"')
    return html[start : html.index("Training in this department", start)]


def _advocacy_wave(values: dict[str, list[int]], outcome: bool = True) -> Survey:
    people = {
        path: [make_user(department=path) for _ in answers] for path, answers in values.items()
    }
    instrument = make_outcome_instrument() if outcome else None
    survey = make_survey(departments=(PARENT,), instrument=instrument)
    for path, answers in values.items():
        for person, value in zip(people[path], answers, strict=True):
            invitation = responses.invitation_for(person, survey.id)
            levels = dict.fromkeys(DIMENSIONS, 4)
            given = _answers(survey, levels, value if outcome else None, "I serve customers.")
            responses.submit_response(invitation, given, "en", utcnow())
    closed_release(survey)
    return survey


def test_advocacy_is_reported_like_a_net_promoter_score_for_shown_groups_only(app, head):
    with app.app_context():
        survey_id = _advocacy_wave({BIG: [10, 10, 9, 7, 3, 0], SMALL: [0] * 5}).id
        hidden_id = _advocacy_wave({BIG: [10] * 6, TINY: [0, 0]}).id
    html = _page(app, head, survey_id, BIG)
    # 3 promoters and 2 detractors of 6: 50% - 33% = +17; the company has 3 and 7 of 11: -36.
    assert "Customer advocacy: +17 (company: -36)" in html
    assert "from 6 answers: 50% would recommend" in html
    assert "33% would not" in html
    assert "Customer advocacy" not in _page(app, head, hidden_id, TINY)


def test_a_first_version_wave_reports_no_advocacy(app, head):
    with app.app_context():
        survey_id = _advocacy_wave({BIG: [0] * 6}, outcome=False).id
    assert "Customer advocacy:" not in _page(app, head, survey_id, BIG)


def test_weights_come_only_from_groups_whose_every_answer_is_complete(ctx):
    # Every question is required today; should an answer ever lack the outcome, weights from the
    # complete ones would describe a subset the release guard never checked.
    survey = _wave({BIG: 40, SMALL: 12})
    one = db.session.execute(
        select(Response).where(Response.department_path == BIG).limit(1)
    ).scalar_one()
    one.advocacy = None
    db.session.commit()
    refused = disclosure.drivers_of(_release(survey), BIG, ADVOCACY)
    assert refused.reason is Unavailable.INCOMPLETE_ANSWERS
    assert refused.respondents == 40
