"""The demo company's survey waves: two closed ones whose departments differ, training between
them whose effect "did it work?" shows honestly, and an open third wave."""

from __future__ import annotations

from sqlalchemy import func, select

from cxculture import disclosure
from cxculture.demo.surveys import CLOSED_WAVE, FIRST_WAVE, OPEN_WAVE
from cxculture.demo.training import PAST_MODULE
from cxculture.extensions import db
from cxculture.models import Answer, InstrumentItem, Response, Survey, SurveyState, utcnow
from cxculture.models.surveys import keyed_answer
from cxculture.services.accounts import find_user_by_email
from cxculture.services.surveys import responses


def _department_means(survey_id: int) -> dict[str, float]:
    return {
        path: float(mean)
        for path, mean in db.session.execute(
            select(
                Response.department_path,
                func.avg(keyed_answer()),
            )
            .join(Answer, Answer.response_id == Response.id)
            .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
            .where(Response.survey_id == survey_id)
            .group_by(Response.department_path)
        ).all()
    }


def test_demo_has_a_closed_wave_where_departments_really_differ(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        closed = db.session.execute(select(Survey).where(Survey.name == CLOSED_WAVE)).scalar_one()
        assert closed.state(utcnow()) is SurveyState.CLOSED
        answered = db.session.execute(
            select(func.count(Response.id)).where(Response.survey_id == closed.id)
        ).scalar_one()
        assert 90 <= answered <= 115  # most of the 120 people
        means = _department_means(closed.id)
        assert means["Operations/Contact Center"] > means["Finance"] + 0.8
        statements = db.session.execute(
            select(Response.locale, Response.role_statement).where(Response.survey_id == closed.id)
        ).all()
        assert {locale for locale, _ in statements} == {"en", "pt_BR", "es"}


def test_demo_has_an_open_wave_that_ana_has_not_answered(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        current = db.session.execute(select(Survey).where(Survey.name == OPEN_WAVE)).scalar_one()
        assert current.state(utcnow()) is SurveyState.OPEN
        ana = find_user_by_email("ana@demo.test")
        invitation = responses.invitation_for(ana, current.id)
        assert not invitation.has_submitted


def test_seeding_again_adds_no_wave_and_no_response(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        before = db.session.execute(select(func.count(Response.id))).scalar_one()
    again = runner.invoke(args=["seed-demo"])
    assert "0 survey responses added" in again.output
    with app.app_context():
        assert db.session.execute(select(func.count(Response.id))).scalar_one() == before
        assert db.session.execute(select(func.count(Survey.id))).scalar_one() == 3


def test_the_first_wave_asked_version_1_and_the_second_the_outcome_too(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        first = db.session.execute(select(Survey).where(Survey.name == FIRST_WAVE)).scalar_one()
        second = db.session.execute(select(Survey).where(Survey.name == CLOSED_WAVE)).scalar_one()
        assert first.instrument.outcome_question is None
        assert second.instrument.outcome_question is not None
        assert first.instrument.key == second.instrument.key  # the waves compare
        advocacy = db.session.execute(
            select(Response.advocacy).where(Response.survey_id == second.id)
        ).scalars()
        assert len(set(advocacy)) > 5  # a spread of answers, not one value


def test_did_it_work_finds_the_trained_teams_rising_more_with_an_honest_interval(app):
    from cxculture.services.results import effects

    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        second = db.session.execute(select(Survey).where(Survey.name == CLOSED_WAVE)).scalar_one()
        found = effects.effects_of(second, utcnow())
        rows = {
            (module.slug, row.dimension): row
            for module, module_rows in found.module_rows()
            for row in module_rows
        }
        row = rows[(PAST_MODULE, "right_first_time")]
        assert row.treated >= 3
        assert row.control >= 3
        assert row.difference > 5  # the lift the trained teams answered with shows
        assert row.ci_low < row.difference < row.ci_high
        # The head of Operations sees where to act by impact on the outcome, from the weights
        # of the company (Logistics alone has fewer than 30 answers).
        act = disclosure.where_to_act(
            disclosure.release_of(second, utcnow()), "Operations/Logistics", "advocacy"
        )
        assert act.ranking is not None
        assert act.ranking.uses_company_drivers
