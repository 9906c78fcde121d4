"""Department results: stored scores, SQL roll-up through the tree, the guard on every number."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture import disclosure
from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import Invitation, Response, User, utcnow
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.scores import ItemKey, dimension_scores
from cxculture.services import surveys
from cxculture.services.surveys import responses
from tests.factories import closed_release, full_answers, make_survey, make_user

DIRECT = "I answer our customers' calls."
INTERNAL = "I prepare reports for my manager."


def _answer_all(survey, value=4, statement=DIRECT, where=None):
    """Everyone invited (in ``where``, a department path prefix) submits the same answers."""
    query = (
        select(Invitation)
        .join(User, User.id == Invitation.user_id)
        .where(Invitation.survey_id == survey.id, Invitation.submitted_at.is_(None))
    )
    for invitation in db.session.execute(query).scalars().all():
        path = invitation.user.department.path if invitation.user.department else ""
        if where is None or path.startswith(where):
            answers = full_answers(survey, value, statement)
            responses.submit_response(invitation, answers, "en", utcnow())


def _people(path: str, count: int) -> None:
    for _ in range(count):
        make_user(department=path)


def test_a_submission_stores_six_scores_the_index_and_the_role_category(ctx):
    person = make_user(department="IT")
    survey = make_survey()
    invitation = responses.invitation_for(person, survey.id)
    stored = responses.submit_response(invitation, full_answers(survey, 5, DIRECT), "en", utcnow())
    assert set(stored.dimension_scores) == set(DIMENSIONS)
    assert stored.role_category == "customer_direct"
    assert stored.role_lang == "en"
    assert stored.orientation_index == pytest.approx(
        sum(stored.dimension_scores.values()) / len(DIMENSIONS)
    )


def test_a_dimension_with_fewer_than_half_its_items_is_missing():
    items = {
        1: ItemKey("listen", False),
        2: ItemKey("listen", False),
        3: ItemKey("listen", True),
        4: ItemKey("lead", False),
        5: ItemKey("lead", False),
    }
    scores = dimension_scores({1: 5, 4: 3}, items)
    assert "listen" not in scores  # one of three answered
    assert scores["lead"] == 50.0  # one of two is half: kept


def test_results_roll_up_the_tree(ctx):
    _people("Operations/Contact Center", 6)
    _people("Operations/Logistics", 6)
    survey = make_survey()
    _answer_all(survey, 5, DIRECT, where="Operations/Contact")
    _answer_all(survey, 2, INTERNAL, where="Operations/Logistics")
    found = closed_release(survey)

    contact = found.groups["Operations/Contact Center"]
    logistics = found.groups["Operations/Logistics"]
    operations = found.groups["Operations"]
    assert contact.n == 6
    assert contact.customer_mention_rate == 1.0
    assert logistics.customer_mention_rate == 0.0
    assert operations.n == 12
    assert operations.index == pytest.approx((contact.index + logistics.index) / 2)
    assert contact.index > logistics.index
    assert found.company.n == 12
    assert set(operations.dimensions) == set(DIMENSIONS)


def test_a_small_group_shows_nothing_and_cannot_be_subtracted(ctx):
    _people("Operations/Contact Center", 6)
    _people("Operations/Logistics", 6)
    _people("Finance", 3)
    survey = make_survey()
    _answer_all(survey, 4, DIRECT, where="Operations")
    _answer_all(survey, 3, INTERNAL, where="Finance")
    found = closed_release(survey)
    finance = found.groups["Finance"]
    assert finance.is_suppressed
    assert finance.n is None
    assert finance.index is None
    assert finance.dimensions == {}
    # Company 15 = Operations 12 + Finance 3: showing both would give Finance away.
    assert found.company.is_suppressed or found.groups["Operations"].is_suppressed
    assert not found.groups["Operations/Contact Center"].is_suppressed


def test_the_minimum_is_kept_from_launch_and_never_lowered(app):
    with app.app_context():
        _people("IT", 6)
        survey = make_survey()
        _answer_all(survey, where="IT")
        assert survey.min_group_size == 5
        assert closed_release(survey).groups["IT"].n == 6
        app.config["CX_MIN_GROUP_SIZE"] = 3  # lowered after the survey: changes nothing
        assert measures.minimums(survey)[0] == 5
        app.config["CX_MIN_GROUP_SIZE"] = 7  # raised: applies to past waves too
        assert closed_release(survey).groups["IT"].is_suppressed


def test_item_results_give_favorable_neutral_and_unfavorable_shares(ctx):
    _people("IT", 6)
    survey = make_survey()
    _answer_all(survey, 4, where="IT")
    release = closed_release(survey)
    found = disclosure.answer_distributions(release, "IT")
    items = found.items
    assert len(items) == len(survey.instrument.items)
    normal = next(i for i in survey.instrument.items if not i.is_reverse_keyed)
    reverse = next(i for i in survey.instrument.items if i.is_reverse_keyed)
    assert items[normal.id].favorable == 1.0
    assert items[reverse.id].unfavorable == 1.0  # agreeing with a reverse item is unfavorable
    listen = found.dimensions["listen"]  # two plain items and one reverse-keyed
    assert listen.favorable == pytest.approx(2 / 3)
    assert listen.unfavorable == pytest.approx(1 / 3)
    assert listen.n == 6 * 3
    assert disclosure.answer_distributions(release, "Finance") is None


def test_free_text_needs_the_larger_group_and_carries_nothing_else(ctx):
    _people("IT", 6)
    _people("Sales", 11)
    survey = make_survey()
    _answer_all(survey)
    release = closed_release(survey)
    assert disclosure.statements(release, "IT") is None  # 6: numbers yes, text no
    texts = disclosure.statements(release, "Sales")
    assert len(texts) == 11
    assert set(texts) == {DIRECT}


def test_wave_change_flags_a_real_difference(ctx):
    _people("IT", 8)
    first = make_survey(name="Wave 1")
    _answer_all(first, 2, where="IT")
    surveys.close_survey(first, make_user(is_hr_admin=True), utcnow())
    second = make_survey(name="Wave 2")
    invitations = (
        db.session.execute(select(Invitation).where(Invitation.survey_id == second.id))
        .scalars()
        .all()
    )
    for number, invitation in enumerate(invitations):
        if invitation.user.department and invitation.user.department.path == "IT":
            value = 4 + number % 2
            responses.submit_response(invitation, full_answers(second, value), "en", utcnow())
    before, after = closed_release(first), closed_release(second)
    change = disclosure.wave_change(before, after, "IT")
    assert change.difference > 0
    assert change.is_significant
    assert change.ci_low <= change.difference <= change.ci_high
    assert disclosure.wave_change(before, after, "Nowhere") is None


def test_alpha_is_computed_per_dimension(ctx):
    _people("IT", 8)
    survey = make_survey()
    invitations = (
        db.session.execute(select(Invitation).where(Invitation.survey_id == survey.id))
        .scalars()
        .all()
    )
    for number, invitation in enumerate(invitations):
        responses.submit_response(invitation, full_answers(survey, 1 + number % 5), "en", utcnow())
    alphas = measures.dimension_alphas(survey)
    assert set(alphas) == set(DIMENSIONS)
    assert all(alpha is None or alpha <= 1 for alpha in alphas.values())


def test_rescore_recomputes_categories(app):
    with app.app_context():
        _people("IT", 1)
        survey = make_survey()
        _answer_all(survey, where="IT")
        response = db.session.execute(select(Response)).scalar_one()
        response.role_category = "internal_only"
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["rescore"])
    assert "1 responses rescored; 1 changed category." in result.output
    with app.app_context():
        assert db.session.execute(select(Response.role_category)).scalar() == "customer_direct"
