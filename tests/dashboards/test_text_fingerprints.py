"""What people wrote is compared with every earlier wave that released the same group's texts,
also once those texts are deleted at the end of their retention: a reader may have kept them,
and the same words written again would single out the few who wrote something new."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture import disclosure
from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import ResultSnapshot, Survey, User, utcnow
from cxculture.services.surveys import responses, retention
from tests.conftest import make_person
from tests.factories import full_answers, make_survey

TEAM = "Operations/Contact Center"
PEOPLE = 12
NEW = "Something new that only one person wrote this time."


def _answer(survey_id: int, email: str, statement: str) -> None:
    person = db.session.execute(select(User).where(User.email == email)).scalar_one()
    invitation = responses.invitation_for(person, survey_id)
    responses.submit_response(
        invitation, full_answers(invitation.survey, 4, statement), "en", utcnow()
    )


def _close(survey_id: int, days_ago: int) -> Survey:
    survey = db.session.get_one(Survey, survey_id)
    survey.closed_at = survey.closes_at = utcnow() - timedelta(days=days_ago, minutes=10)
    db.session.commit()
    return survey


def _same(number: int) -> str:
    return f"I help customer number {number} with their orders."


def _wave(app, name: str, opens_days_ago: int, close_days_ago: int, changed: int) -> Survey:
    """A wave where everyone writes what they wrote before, except ``changed`` people."""
    survey_id = make_survey(
        name=name, departments=("Operations",), opens_in=timedelta(days=-opens_days_ago)
    ).id
    for number in range(PEOPLE):
        text = f"{NEW} ({number})" if number < changed else _same(number)
        _answer(survey_id, f"p{number}@example.test", text)
    return _close(survey_id, close_days_ago)


@pytest.fixture
def people(app):
    for number in range(PEOPLE):
        make_person(app, email=f"p{number}@example.test", department=TEAM)


def _shown(survey: Survey) -> list[str] | None:
    return disclosure.statements(disclosure.release_of(survey, utcnow()), TEAM)


def _delete_texts(survey: Survey) -> None:
    hr = db.session.execute(select(User).where(User.is_hr_admin.is_(True))).scalars().first()
    retention.delete_free_text(survey, hr, utcnow())
    db.session.commit()


@pytest.mark.parametrize("deleted", [False, True])
def test_one_new_text_against_a_wave_a_reader_kept_stays_hidden(app, hr_admin, people, deleted):
    with app.app_context():
        app.config["CX_FREE_TEXT_RETENTION_DAYS"] = 0
        first = _wave(app, "W1", 60, 40, changed=0)
        assert len(_shown(first)) == PEOPLE
        if deleted:
            _delete_texts(first)
            assert db.session.get(Survey, first.id).free_text_deleted_at is not None
        second = _wave(app, "W2", 20, 1, changed=1)
        assert _shown(second) is None


def test_enough_new_texts_are_released_after_the_earlier_ones_are_deleted(app, hr_admin, people):
    with app.app_context():
        app.config["CX_FREE_TEXT_RETENTION_DAYS"] = 0
        first = _wave(app, "W1", 60, 40, changed=0)
        assert _shown(first) is not None
        _delete_texts(first)
        second = _wave(app, "W2", 20, 1, changed=PEOPLE)  # everyone writes something new
        assert len(_shown(second)) == PEOPLE


def test_every_earlier_wave_is_compared_not_only_the_last(app, hr_admin, people):
    """Wave 3 differs from wave 1 by one person although each wave differs from the one
    before it by many: compared with the last wave alone, that person would be singled out."""
    with app.app_context():
        first = _wave(app, "W1", 90, 70, changed=0)
        assert _shown(first) is not None
        second = _wave(app, "W2", 60, 40, changed=PEOPLE)
        assert _shown(second) is not None
        third = _wave(app, "W3", 20, 1, changed=1)
        assert _shown(third) is None


def test_fingerprints_keep_no_text_and_no_order(app, hr_admin, people):
    with app.app_context():
        first = _wave(app, "W1", 60, 40, changed=0)
        _shown(first)
        snapshot = db.session.execute(
            select(ResultSnapshot).where(ResultSnapshot.survey_id == first.id)
        ).scalar_one()
        stored = snapshot.text_fingerprints
        assert set(stored) == {"check", "groups"}
        rows = stored["groups"][TEAM]
        assert len(rows) == PEOPLE
        assert rows == sorted(rows)
        flat = repr(stored)
        assert "customer" not in flat
        assert "orders" not in flat


def test_a_release_made_before_fingerprints_is_fingerprinted_before_its_texts_go(
    app, hr_admin, people
):
    with app.app_context():
        app.config["CX_FREE_TEXT_RETENTION_DAYS"] = 0
        first = _wave(app, "W1", 60, 40, changed=0)
        _shown(first)
        snapshot = db.session.execute(
            select(ResultSnapshot).where(ResultSnapshot.survey_id == first.id)
        ).scalar_one()
        snapshot.text_fingerprints = None  # as released before fingerprints were kept
        db.session.commit()
        _delete_texts(first)
        assert db.session.get(ResultSnapshot, snapshot.id).text_fingerprints is not None
        second = _wave(app, "W2", 20, 1, changed=1)
        assert _shown(second) is None


def test_texts_deleted_without_fingerprints_are_never_compared_away(app, hr_admin, people):
    """Fingerprints of another key (or none at all) cannot be compared with: the group's texts
    stay hidden rather than risk singling someone out."""
    with app.app_context():
        app.config["CX_FREE_TEXT_RETENTION_DAYS"] = 0
        first = _wave(app, "W1", 60, 40, changed=0)
        _shown(first)
        _delete_texts(first)
        snapshot = db.session.execute(
            select(ResultSnapshot).where(ResultSnapshot.survey_id == first.id)
        ).scalar_one()
        snapshot.text_fingerprints = {**snapshot.text_fingerprints, "check": "another key"}
        db.session.commit()
        second = _wave(app, "W2", 20, 1, changed=PEOPLE)
        assert _shown(second) is None


def test_each_group_keeps_the_fingerprints_of_exactly_its_own_texts(app, hr_admin, people):
    """Fingerprints are made once per text and counted in every group above it: each group's
    set is the one its own texts give, read group by group."""
    for number in range(11):
        make_person(app, email=f"s{number}@example.test", department="Sales/Inside")
    with app.app_context():
        survey_id = make_survey(name="W1", opens_in=timedelta(days=-30)).id
        for number in range(PEOPLE):
            _answer(survey_id, f"p{number}@example.test", _same(number))
        for number in range(11):
            _answer(survey_id, f"s{number}@example.test", f"I sell plan {number} to customers.")
        survey = _close(survey_id, 1)
        disclosure.release_of(survey, utcnow())
        snapshot = db.session.execute(
            select(ResultSnapshot).where(ResultSnapshot.survey_id == survey.id)
        ).scalar_one()
        groups = snapshot.text_fingerprints["groups"]
        assert {"", "Operations", TEAM, "Sales", "Sales/Inside"} <= set(groups)
        for key, rows in groups.items():
            expected = disclosure.texts.fingerprints(measures.group_texts(survey, key))
            assert [tuple(row) for row in rows] == expected
        assert len(groups[""]) == PEOPLE + 11
