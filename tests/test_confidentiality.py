"""The confidentiality promise, tried the way a curious head or HR admin would: through the
pages, the exports and the API, one test per way it used to break.

1. personal suggestions must stay with the person;
2. an open wave must not be readable one answer at a time;
3. free text must not be subtracted between groups;
4. response counts must not name who answered or not.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Enrolment, Invitation, Module, Response, Survey, User, utcnow
from cxculture.services import surveys, training
from cxculture.services.org import leavers
from cxculture.services.surveys import responses
from tests.api.conftest import ApiClient, make_token
from tests.conftest import Browser, make_person
from tests.factories import full_answers, make_survey, make_user

TEAM = "Operations/Contact Center"
SECRET_WORDS = "zebra-quartz-lantern"  # words only the employee writes


def _answer(app, survey_id: int, email: str, value: int = 4, statement: str | None = None) -> None:
    with app.app_context():
        person = db.session.execute(select(User).where(User.email == email)).scalar_one()
        invitation = responses.invitation_for(person, survey_id)
        survey = invitation.survey
        answers = full_answers(survey, value, statement or f"I help {email}'s customers.")
        responses.submit_response(invitation, answers, "en", utcnow())


def _people(app, path: str, count: int, prefix: str) -> list[str]:
    return [
        make_person(app, email=f"{prefix}{n}@example.test", department=path).email
        for n in range(count)
    ]


def _close(app, survey_id: int) -> None:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.closed_at = utcnow()
        db.session.commit()


def _logged_in(app, email: str) -> Browser:
    browser = Browser(app.test_client())
    browser.login(email)
    browser.use_language("en")
    return browser


# ---------------------------------------------------------------- 1. suggestions stay personal


@pytest.fixture
def answered_low(app, employee, head, hr_admin):
    """Eva (Contact Center) answered a confidential survey low on every dimension; four
    colleagues answered high. Returns the survey id."""
    colleagues = _people(app, TEAM, 5, "mate")
    with app.app_context():
        training.load_modules()
        survey_id = make_survey(departments=("Operations",)).id
    _answer(app, survey_id, employee.email, value=1)
    for email in colleagues:
        _answer(app, survey_id, email, value=5)
    return survey_id


def test_suggestions_from_my_answers_reach_nobody_else(app, answered_low, employee, head, hr_admin):
    eva = _logged_in(app, employee.email)
    thanks = eva.client.get(f"/surveys/{answered_low}/thanks").get_data(as_text=True)
    assert "Suggested for you" in thanks
    suggested = re.findall(r'href="/training/([a-z0-9-]+)"', thanks)
    assert suggested, "the person sees modules for their weakest dimensions"
    mine = eva.client.get("/training/").get_data(as_text=True)
    assert "Suggested for you" in mine
    # She even starts and finishes one on her own: still hers alone.
    with app.app_context():
        module = training.get_module(suggested[0])
        person = db.session.get(User, employee.id)
        enrolment = training.enrol_self(person, module)
        enrolment.completed_at = utcnow()
        db.session.commit()
        assert db.session.execute(select(Enrolment.source)).scalars().all() == ["self"]

    token = make_token(app, owner=hr_admin)
    hugo, helga = _logged_in(app, head.email), _logged_in(app, hr_admin.email)
    seen = [
        hugo.client.get("/dashboards/training").get_data(as_text=True),
        hugo.client.get(f"/dashboards/results?survey={answered_low}").get_data(as_text=True),
        helga.client.get("/dashboards/training").get_data(as_text=True),
        helga.client.get("/dashboards/training.csv").get_data(as_text=True),
        helga.client.get(f"/dashboards/overview.csv?survey={answered_low}").get_data(as_text=True),
        helga.client.get("/hr/audit/").get_data(as_text=True),
        ApiClient(app.test_client(), token)
        .get("/api/v1/training/completion")
        .get_data(as_text=True),
    ]
    for text in seen:
        assert employee.name not in text
        assert employee.email not in text
    completion = ApiClient(app.test_client(), token).get("/api/v1/training/completion")
    assert completion.get_json()["modules"] == []  # nobody assigned anything
    with app.app_context():  # and no email told anyone (she got her invitation, nothing else)
        from cxculture.models import OutboxMessage

        kinds = db.session.execute(select(OutboxMessage.kind, OutboxMessage.to_email)).all()
        assert {kind for kind, _to in kinds} == {"invitation"}


def test_an_assignment_counts_everyone_and_keeps_earlier_progress_private(
    app, answered_low, employee, head
):
    with app.app_context():
        module = db.session.execute(select(Module).order_by(Module.slug)).scalars().first()
        person = db.session.get(User, employee.id)
        enrolment = training.enrol_self(person, module)
        enrolment.completed_at = utcnow() - timedelta(days=1)
        db.session.commit()
        module_id, slug = module.id, module.slug
    hugo = _logged_in(app, head.email)
    with app.app_context():
        department_id = db.session.execute(
            select(User.department_id).where(User.id == employee.id)
        ).scalar()
    answer = hugo.post_form(
        "/dashboards/training",
        {
            "module_id": str(module_id),
            "department_id": str(department_id),
            "due_on": (utcnow().date() + timedelta(days=7)).isoformat(),
            "message": "",
        },
    )
    assert answer.status_code == 302
    page = hugo.client.get("/dashboards/training").get_data(as_text=True)
    # Six people in the team: all six assigned, none completed, whatever Eva did on her own.
    assert "Module assigned: 6 people enrolled." in page
    assert re.search(r">\s*0\s*<", page)
    # Eva chooses to count her earlier completion; only then does her team see it.
    eva = _logged_in(app, employee.email)
    module_page = eva.client.get(f"/training/{slug}").get_data(as_text=True)
    assert "Count it for my team" in module_page
    eva.post_form(f"/training/{slug}", {}, action=f"/training/{slug}/count")
    with app.app_context():
        from cxculture.services.training import assignments

        rows = assignments.completion(db.session.get(User, head.id))
        assert [row.completed for row in rows if row.person == employee.name] == [True]


# ---------------------------------------------------------------- 2. an open wave, read twice


def _api(app, hr_admin) -> ApiClient:
    return ApiClient(app.test_client(), make_token(app, owner=hr_admin))


def test_an_open_wave_shows_only_response_rates_and_one_more_answer_changes_no_figure(
    app, head, hr_admin
):
    team = _people(app, TEAM, 7, "agent")
    with app.app_context():
        survey_id = make_survey(departments=("Operations",)).id
    for email in team[:6]:
        _answer(app, survey_id, email)
    hugo = _logged_in(app, head.email)
    api = _api(app, hr_admin)
    url = f"/dashboards/results?survey={survey_id}&department={TEAM}"

    def figures(html: str) -> str:
        return re.sub(r'name="csrf_token"[^>]*>', "", html)

    before_page = figures(hugo.client.get(url).get_data(as_text=True))
    before_api = api.get(f"/api/v1/surveys/{survey_id}/results").get_json()
    assert "Results come out when the survey closes" in before_page
    assert before_api["withheld"] == "not_released"
    assert before_api["index"] is None
    _answer(app, survey_id, team[6], value=1)
    after_api = api.get(f"/api/v1/surveys/{survey_id}/results").get_json()
    assert after_api == before_api
    after_page = figures(hugo.client.get(url).get_data(as_text=True))
    numbers = lambda html: [n for n in re.findall(r"\d+", html) if len(n) < 4]  # noqa: E731
    # Only the response rate moved (6 -> 7 of 7); no score, share or count of a score.
    assert "Customer Orientation Index:" not in after_page
    assert Counter(numbers(after_page)) - Counter(numbers(before_page)) <= Counter(
        {"7": 1, "100": 1}
    )


def test_live_results_wait_for_enough_new_answers(app, head, hr_admin):
    team = _people(app, TEAM, 12, "agent")
    with app.app_context():
        survey_id = make_survey(departments=("Operations",), live_results=True).id
    app.config["CX_LIVE_RESULTS_HOURS"] = 0
    for email in team[:6]:
        _answer(app, survey_id, email, value=4)
    api = _api(app, hr_admin)
    first = api.get(f"/api/v1/surveys/{survey_id}/results").get_json()
    assert first["n"] == 6
    for email in team[6:9]:  # three more: too few to release
        _answer(app, survey_id, email, value=1)
        assert api.get(f"/api/v1/surveys/{survey_id}/results").get_json()["index"] == first["index"]
    for email in team[9:11]:  # five new since the last release: released together
        _answer(app, survey_id, email, value=1)
    later = api.get(f"/api/v1/surveys/{survey_id}/results").get_json()
    assert later["n"] == 11
    assert later["index"] < first["index"]


def test_the_thank_you_page_shows_no_company_figure_while_the_wave_is_open(app, employee):
    others = _people(app, TEAM, 6, "agent")
    with app.app_context():
        survey_id = make_survey().id
    for email in others:
        _answer(app, survey_id, email)
    _answer(app, survey_id, employee.email, value=2)
    eva = _logged_in(app, employee.email)
    html = eva.client.get(f"/surveys/{survey_id}/thanks").get_data(as_text=True)
    assert "when results are released" in html


# ---------------------------------------------------------------- 3. free text, subtracted


def test_no_difference_of_shown_texts_isolates_fewer_than_the_text_minimum(app, hr_admin):
    sizes = {TEAM: 11, "Operations/Logistics": 8}
    teams = {
        path: _people(app, path, count, path.rsplit("/", 1)[1].replace(" ", "").lower())
        for path, count in sizes.items()
    }
    with app.app_context():
        survey_id = make_survey(departments=("Operations",)).id
    written: dict[str, str] = {}
    for emails in teams.values():
        for email in emails:
            written[email] = f"{SECRET_WORDS} {email}"
            _answer(app, survey_id, email, statement=written[email])
    _close(app, survey_id)
    helga = _logged_in(app, hr_admin.email)
    shown: dict[str, set[str]] = {}
    for key in ("Operations", TEAM, "Operations/Logistics"):
        html = helga.client.get(
            f"/dashboards/results?survey={survey_id}&department={key}"
        ).get_data(as_text=True)
        shown[key] = {text for text in written.values() if text in html}
    # Operations (19) minus Contact Center (11) would give Logistics' 8: never both.
    assert not shown["Operations/Logistics"]
    difference = shown["Operations"] - shown[TEAM]
    assert not (0 < len(difference) < 10)
    assert shown["Operations"] or shown[TEAM]  # and the larger group's words do come out


# ---------------------------------------------------------------- 4. counts


def test_counts_of_a_small_team_are_hidden_everywhere(app, hr_admin):
    _people(app, TEAM, 9, "agent")
    _people(app, "Finance", 1, "solo")
    with app.app_context():
        survey_id = make_survey(privacy_mode="anonymous").id
    helga = _logged_in(app, hr_admin.email)
    page = helga.client.get(f"/hr/surveys/{survey_id}").get_data(as_text=True)
    row = re.search(r">Finance</th>(.*?)</tr>", page, re.S).group(1)
    visible = re.sub(r"<[^>]+>", "", row)
    assert "hidden" in visible
    assert not re.search(r"\d", visible)
    _close(app, survey_id)
    export = helga.client.get(f"/dashboards/overview.csv?survey={survey_id}")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    invited = {row[0]: row[header.index("Invited")] for row in rows[1:]}
    assert invited.get("Finance", "") == ""
    # The company's count minus every shown department's never gives the hidden ones away.
    shown = [int(v) for key, v in invited.items() if v and key not in ("Company", "")]
    company = invited.get("Company") or ""
    if company:
        assert int(company) - sum(shown) == 0 or int(company) - sum(shown) >= 5


@pytest.mark.parametrize("leaver_answered", [True, False])
def test_a_leaver_leaves_every_count_as_it_was_whether_they_answered_or_not(app, leaver_answered):
    """Whoever knows who left reads the rates again: they must not move, or a drop would tell
    that the leaver had not answered (in an anonymous survey too)."""
    team = _people(app, TEAM, 8, "agent")
    with app.app_context():
        survey = make_survey(privacy_mode="anonymous", departments=("Operations",))
        survey_id = survey.id
    for email in team[:4]:
        _answer(app, survey_id, email)
    leaver = team[0] if leaver_answered else team[-1]
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        before = disclosure.response_rates(survey)
        person = db.session.execute(select(User).where(User.email == leaver)).scalar_one()
        leavers.deactivate_people([person.id], utcnow())
        db.session.commit()
        after = disclosure.response_rates(db.session.get(Survey, survey_id))
        assert after.get(TEAM) == before.get(TEAM)
        assert after.company == before.company
        assert before.get(TEAM).invited == 8  # shown: the check is not on hidden rows


def test_the_api_withholds_counts_of_a_survey_sent_to_fewer_than_the_minimum(app, hr_admin):
    with app.app_context():
        make_user(department="Finance")
        make_survey(departments=("Finance",))
    body = _api(app, hr_admin).get("/api/v1/surveys").get_json()["data"][0]
    assert body["invited"] is None
    assert body["responded"] is None
    assert body["counts_withheld"] == "suppressed"


# ---------------------------------------------------------------- anonymous answers


def test_an_anonymous_answer_keeps_only_the_day_and_no_link(app, employee):
    with app.app_context():
        survey_id = make_survey(privacy_mode="anonymous").id
    _answer(app, survey_id, employee.email)
    with app.app_context():
        invitation = db.session.execute(
            select(Invitation).where(Invitation.user_id == employee.id)
        ).scalar_one()
        assert invitation.submitted_at.time().isoformat() == "00:00:00"
        response = db.session.execute(select(Response)).scalar_one()
        assert response.user_id is None
        assert response.invitation_id is None
        assert response.id.version == 4  # random, so no order of submission
    columns = {column.name: column.type for column in Response.__table__.columns}
    assert not [name for name, kind in columns.items() if "DateTime" in type(kind).__name__]


def test_live_results_cannot_be_switched_on_after_launch(app, hr_admin):
    with app.app_context():
        survey = make_survey()
        actor = db.session.get(User, hr_admin.id)
        spec = surveys.SurveySpec(
            name=survey.name,
            instrument_id=survey.instrument_id,
            privacy_mode=survey.privacy_mode,
            opens_at=survey.opens_at,
            closes_at=survey.closes_at,
            live_results=True,
        )
        with pytest.raises(surveys.WrongState):
            surveys.update_survey(survey, spec, actor, utcnow())
        assert not db.session.get(Survey, survey.id).live_results
