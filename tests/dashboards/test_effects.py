"""Did it work: between two closed waves, departments that completed a module (or carried out a
focus plan) against the others, as a difference-in-differences with Welch's interval, checked
against answers worked out independently; only departments released in both waves enter,
no department's own change is shown, a hidden department changes nothing, and only HR reads it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from scipy import stats
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import (
    Department,
    Enrolment,
    Invitation,
    Survey,
    User,
    utcnow,
)
from cxculture.scoring.effects import Verdict
from cxculture.services import plans, training
from cxculture.services.org import ensure_department
from cxculture.services.results import effects
from cxculture.services.surveys import responses
from cxculture.services.surveys.responses import AnswerSet
from tests.conftest import make_person
from tests.factories import make_survey, make_user

# Days before now: the first wave opens, closes; the second opens (and closes yesterday).
FIRST_OPENS, FIRST_CLOSES, SECOND_OPENS = 100, 80, 30
ASSIGNED, DONE_IN_TIME, DONE_LATE = 70, 40, 20
PEOPLE = 5  # per compared department: the minimum group size

# Each department answers one keyed value (1-5) in each wave: every dimension then scores
# (value - 1) * 25 there, so the changes below are known exactly.
TREATED = {"North": (2, 4), "South": (2, 3), "East": (3, 5), "Ops/One": (2, 4)}
CONTROL = {"West": (3, 3), "Central": (2, 3), "Harbour": (3, 3), "Ops/Two": (3, 4)}
# Too small to show (three people each): the two together keep either from being worked out.
HIDDEN = ("Tiny", "Small")
# Five answer the first wave, three the second: shown in one wave only.
ONE_WAVE_ONLY = "Quay"
RIGHT_FIRST_TIME = "right-first-time"


def _score(value: int) -> float:
    return (value - 1) * 25.0


def changes_of(departments: dict[str, tuple[int, int]], keys) -> list[float]:
    return [_score(departments[key][1]) - _score(departments[key][0]) for key in keys]


def welch_answer(treated: list[float], control: list[float]) -> tuple[float, float, float]:
    """The known answer, from scipy's own Welch test: difference, interval low and high."""
    test = stats.ttest_ind(treated, control, equal_var=False)
    interval = test.confidence_interval(0.95)
    difference = sum(treated) / len(treated) - sum(control) / len(control)
    return difference, float(interval.low), float(interval.high)


def _keyed(survey: Survey, value: int) -> AnswerSet:
    """Every item answered so that its keyed value is ``value`` (reverse items the other way)."""
    return AnswerSet(
        values={
            item.id: 6 - value if item.is_reverse_keyed else value
            for item in survey.instrument.items
        },
        role_statement="I answer our customers' calls.",
    )


def _days_ago(days: int):
    return utcnow() - timedelta(days=days)


def _wave(
    name: str,
    opens: int,
    closes: int,
    values: dict[str, int],
    hr: User,
    answering: dict[str, int] | None = None,
) -> Survey:
    """A whole-company wave in which each department of ``values`` answers its value (only the
    first ``answering[path]`` of its people, when given), closed ``closes`` days ago."""
    survey = make_survey(name=name, opens_in=timedelta(days=-opens), actor=hr)
    invitations = db.session.execute(
        select(Invitation).where(Invitation.survey_id == survey.id).order_by(Invitation.id)
    ).scalars()
    left = dict(answering or {})
    for invitation in list(invitations):
        path = invitation.department_path
        if path in left:
            left[path] -= 1
            if left[path] < 0:
                continue
        if path in values:
            answers = _keyed(survey, values[invitation.department_path])
            responses.submit_response(invitation, answers, "en", utcnow())
    survey.closed_at = _days_ago(closes)
    db.session.commit()
    return survey


def _people(path: str) -> list[User]:
    return list(
        db.session.execute(
            select(User).join(Department).where(Department.path == path).order_by(User.id)
        ).scalars()
    )


def _assign(
    slug: str, path: str, done: list[int | None], assigned: int = ASSIGNED, source="department"
):
    """Assign module ``slug`` to the people of ``path`` ``assigned`` days ago; ``done`` says how
    many days ago each completed it (None: not yet)."""
    module = training.get_module(slug)
    department = ensure_department(path)
    for person, days in zip(_people(path), done, strict=False):
        db.session.add(
            Enrolment(
                user_id=person.id,
                module_id=module.id,
                source=source,
                department_id=department.id,
                assigned_at=_days_ago(assigned),
                completed_at=_days_ago(days) if days is not None else None,
            )
        )
    db.session.commit()


def _plan(
    first: Survey,
    hr: User,
    path: str,
    dimensions: list[str],
    done: list[int | None],
    created: int = 60,
) -> None:
    """A focus plan for ``path`` written ``created`` days ago, one action per entry of ``done``:
    the days ago it was marked done (None: never)."""
    plan = plans.create_plan(hr, ensure_department(path), first, dimensions, utcnow())
    plan.created_at = _days_ago(created)
    for days in done:
        action = plans.add_action(
            hr, plan, "Call back every complaint", None, utcnow().date(), utcnow().date()
        )
        action.created_at = _days_ago(created)
        db.session.commit()
        if days is None:
            continue
        plans.update_action(hr, action, "done", _days_ago(days))
    db.session.commit()


def build_world(tiny_second: int = 4) -> dict[str, int]:
    """Two closed waves with the departments above; ``tiny_second`` is what the hidden Tiny
    answers in the second wave (it must change nothing anyone reads)."""
    training.load_modules()
    hr = make_user(is_hr_admin=True, department="People")
    for path in [*TREATED, *CONTROL]:
        for _ in range(PEOPLE):
            make_user(department=path)
    for path in HIDDEN:
        for _ in range(3):
            make_user(department=path)
    for _ in range(PEOPLE):
        make_user(department=ONE_WAVE_ONLY)
    first_values = {path: before for path, (before, _after) in {**TREATED, **CONTROL}.items()}
    second_values = {path: after for path, (_before, after) in {**TREATED, **CONTROL}.items()}
    hidden_first = {"Tiny": 2, "Small": 3, ONE_WAVE_ONLY: 3}
    first = _wave("Spring", FIRST_OPENS, FIRST_CLOSES, {**first_values, **hidden_first}, hr)
    hidden_second = {"Tiny": tiny_second, "Small": 3, ONE_WAVE_ONLY: 4}
    second = _wave(
        "Autumn", SECOND_OPENS, 1, {**second_values, **hidden_second}, hr, {ONE_WAVE_ONLY: 3}
    )
    # Right first time: everyone in time in three teams, exactly three of five in East (60%).
    for path in ("North", "South", "Ops/One"):
        _assign(RIGHT_FIRST_TIME, path, [DONE_IN_TIME] * PEOPLE)
    _assign(RIGHT_FIRST_TIME, "East", [DONE_IN_TIME] * 3 + [None] * 2)
    # In part: everyone after the second wave opened; two of five in time.
    _assign(RIGHT_FIRST_TIME, "Central", [DONE_LATE] * PEOPLE)
    _assign(RIGHT_FIRST_TIME, "Harbour", [DONE_IN_TIME] * 2 + [None] * 3)
    _assign(RIGHT_FIRST_TIME, "Tiny", [DONE_IN_TIME] * 3)  # hidden: never enters
    # One team only: a side of one shows no number.
    _assign("one-company-across-channels", "North", [DONE_IN_TIME] * PEOPLE)
    # Not between the waves, or a person's own choice: no row.
    _assign("who-is-my-customer", "West", [DONE_IN_TIME] * PEOPLE, assigned=90)
    _assign("permission-to-fix-it", "West", [DONE_IN_TIME] * PEOPLE, source="self")
    # Plans on Listen: North done (3 of 4 in time); South short (2 of 5 in time, 2 more late);
    # Ops done, covering both its teams; Tiny done but hidden. A plan written after the second
    # wave opened counts for nothing.
    _plan(first, hr, "North", ["listen"], [45, 45, 45, None])
    _plan(first, hr, "South", ["listen"], [45, 45, 10, 10, None])
    _plan(first, hr, "Ops", ["listen"], [45, 45])
    _plan(first, hr, "Tiny", ["listen"], [45])
    _plan(first, hr, "West", ["act"], [45], created=5)
    return {"first": first.id, "second": second.id, "hr": hr.id}


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def _effects(survey_id: int | None = None) -> effects.Effects:
    survey = db.session.get(Survey, survey_id) if survey_id else None
    return effects.effects_of(survey, utcnow())


def _row(found: effects.Effects, kind: str, dimension: str, slug: str | None = None):
    [row] = [
        r
        for r in found.rows
        if r.kind == kind
        and r.dimension == dimension
        and (r.module is None or r.module.slug == slug)
    ]
    return row


def _only_wave() -> None:
    survey = make_survey(name="Only wave", opens_in=timedelta(days=-5))
    survey.closed_at = _days_ago(1)
    db.session.commit()


# The service


def test_the_newest_second_wave_is_compared_with_the_wave_before_it(app, world):
    with app.app_context():
        found = _effects()
        assert (found.pair.first.id, found.pair.second.id) == (world["first"], world["second"])
        assert [s.id for s in effects.second_waves(utcnow())] == [world["second"]]


def test_a_module_row_is_the_known_difference_in_differences(app, world):
    with app.app_context():
        row = _row(_effects(), effects.MODULE, "right_first_time", RIGHT_FIRST_TIME)
    treated = changes_of(TREATED, TREATED)
    control = changes_of(CONTROL, CONTROL)
    difference, low, high = welch_answer(treated, control)
    assert (row.treated, row.control, row.partly) == (4, 4, 2)  # Central and Harbour in part
    assert row.treated_change == pytest.approx(sum(treated) / 4)
    assert row.control_change == pytest.approx(sum(control) / 4)
    assert row.difference == pytest.approx(difference)
    assert (row.ci_low, row.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert row.verdict is Verdict.CLEARLY_HIGHER
    assert row.is_weighted  # equal counts everywhere: the same answer as unweighted


def test_a_plan_row_counts_actions_done_before_the_second_wave_opened(app, world):
    with app.app_context():
        found = _effects()
        row = _row(found, effects.PLAN, "listen")
        assert [r.dimension for r in found.plan_rows()] == ["listen"]  # "act" came too late
    every = {**TREATED, **CONTROL}
    done = ["North", "Ops/One", "Ops/Two"]  # Ops's plan counts for both its teams
    others = ["South", "East", "West", "Central", "Harbour"]
    difference, low, high = welch_answer(changes_of(every, done), changes_of(every, others))
    assert (row.treated, row.control, row.partly) == (3, 5, 1)  # South's plan fell short
    assert row.difference == pytest.approx(difference)
    assert (row.ci_low, row.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_only_modules_assigned_between_the_waves_by_someone_else_have_rows(app, world):
    with app.app_context():
        slugs = {row.module.slug for row in _effects().rows if row.module is not None}
    assert slugs == {RIGHT_FIRST_TIME, "one-company-across-channels"}


def test_a_side_of_one_department_shows_no_number(app, world):
    with app.app_context():
        row = _row(_effects(), effects.MODULE, "share", "one-company-across-channels")
    assert (row.treated, row.control) == (1, 7)
    assert row.verdict is Verdict.TOO_FEW_DEPARTMENTS
    numbers = (row.treated_change, row.control_change, row.difference, row.ci_low, row.ci_high)
    assert numbers == (None,) * 5


def test_the_finest_departments_released_in_both_waves_are_compared(app, world):
    with app.app_context():
        found = _effects()
        first = effects.disclosure.release_of(found.pair.first, utcnow())
        second = effects.disclosure.release_of(found.pair.second, utcnow())
        compared = effects.comparable_departments(first, second)
        assert not first.group("Ops").is_suppressed  # released, but its two teams are finer
    assert sorted(compared) == sorted([*TREATED, *CONTROL])
    assert found.departments == 8


def test_a_suppressed_department_never_enters(app, world):
    with app.app_context():
        found = _effects()
        first = effects.disclosure.release_of(found.pair.first, utcnow())
        second = effects.disclosure.release_of(found.pair.second, utcnow())
        for key in (*HIDDEN, "People"):
            assert first.group(key).is_suppressed or second.group(key).is_suppressed
            assert key not in effects.comparable_departments(first, second)
        row = _row(found, effects.MODULE, "right_first_time", RIGHT_FIRST_TIME)
    assert row.treated + row.control == 8  # Tiny completed it, and is not counted anywhere


def test_a_department_hidden_in_one_wave_only_is_left_out(app, world):
    with app.app_context():
        found = _effects()
        first = effects.disclosure.release_of(found.pair.first, utcnow())
        second = effects.disclosure.release_of(found.pair.second, utcnow())
        assert not first.group(ONE_WAVE_ONLY).is_suppressed
        assert second.group(ONE_WAVE_ONLY).is_suppressed
        assert ONE_WAVE_ONLY not in effects.comparable_departments(first, second)
        row = _row(found, effects.MODULE, "right_first_time", RIGHT_FIRST_TIME)
    assert row.control == 4


@pytest.mark.parametrize("tiny_second", [1, 5])
def test_a_hidden_departments_answers_change_nothing_shown(app, tiny_second):
    """Whatever the hidden Tiny answered, every number is the known answer computed without
    it: nothing here can be turned back into its figures."""
    with app.app_context():
        build_world(tiny_second)
        found = _effects()
        rows = {(r.kind, r.dimension, r.module.slug if r.module else None): r for r in found.rows}
    difference, low, high = welch_answer(changes_of(TREATED, TREATED), changes_of(CONTROL, CONTROL))
    row = rows[(effects.MODULE, "right_first_time", RIGHT_FIRST_TIME)]
    assert (row.difference, row.ci_low, row.ci_high) == (
        pytest.approx(difference),
        pytest.approx(low),
        pytest.approx(high),
    )
    assert (row.treated, row.control, row.partly) == (4, 4, 2)


def test_a_survey_without_a_closed_wave_before_it_is_refused(app, world):
    with app.app_context(), pytest.raises(effects.NotASecondWave):
        effects.effects_of(db.session.get(Survey, world["first"]), utcnow())


def test_nothing_to_compare_before_two_closed_waves(app):
    with app.app_context():
        _only_wave()
        found = _effects()
    assert (found.pair, found.departments, found.rows) == (None, 0, [])


# The page


@pytest.fixture
def hr_browser(browser, app, world):
    with app.app_context():
        email = db.session.get(User, world["hr"]).email
    browser.login(email)
    return browser


def test_hr_reads_each_row_in_numbers_and_words(hr_browser, world):
    response = hr_browser.client.get("/dashboards/results/effects")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Did it work?" in html
    assert "How this is computed" in html
    difference, _low, _high = welch_answer(
        changes_of(TREATED, TREATED), changes_of(CONTROL, CONTROL)
    )
    assert (
        f"Teams that took “Right the first time” rose {round(difference)} points more on "
        "Right first time than teams that did not."
    ) in html
    assert "More than chance would explain" in html
    assert "Too few teams to compare" in html  # the module of one team
    assert "Focus plans" in html
    assert 'data-verdict="clearly_higher"' in html


def test_the_page_names_no_department(hr_browser, world):
    html = hr_browser.client.get(f"/dashboards/results/effects?survey={world['second']}").get_data(
        as_text=True
    )
    for path in (*TREATED, *CONTROL, *HIDDEN):
        assert f">{path}<" not in html
        assert f"{path}</" not in html


def test_a_bad_second_wave_is_refused(hr_browser, world):
    client = hr_browser.client
    assert client.get("/dashboards/results/effects?survey=abc").status_code == 400
    assert client.get("/dashboards/results/effects?survey=999999").status_code == 404
    # The first wave has no wave before it: not a choice.
    assert client.get(f"/dashboards/results/effects?survey={world['first']}").status_code == 404


def test_no_two_waves_says_so(app, browser, hr_admin):
    with app.app_context():
        _only_wave()
    browser.login(hr_admin.email)
    html = browser.client.get("/dashboards/results/effects").get_data(as_text=True)
    assert "There are no two waves to compare yet" in html


def test_two_waves_with_nothing_between_them_say_so(app, browser, hr_admin):
    with app.app_context():
        hr = db.session.get(User, hr_admin.id)
        for _ in range(PEOPLE):
            make_user(department="North")
        _wave("Spring", FIRST_OPENS, FIRST_CLOSES, {"North": 2}, hr)
        _wave("Autumn", SECOND_OPENS, 1, {"North": 4}, hr)
    browser.login(hr_admin.email)
    html = browser.client.get("/dashboards/results/effects").get_data(as_text=True)
    assert "Nothing to compare between these waves" in html


def test_heads_and_employees_may_not_open_it(app, browser, world):
    head = make_person(app, department=None, heads=("North",))
    browser.login(head.email)
    assert browser.client.get("/dashboards/results/effects").status_code == 403
    browser.logout()
    employee = make_person(app, department="North")
    browser.login(employee.email)
    assert browser.client.get("/dashboards/results/effects").status_code == 403


# The module's own page


def test_hr_reads_the_module_rows_on_its_page(hr_browser, world):
    html = hr_browser.client.get(f"/training/{RIGHT_FIRST_TIME}").get_data(as_text=True)
    assert "Did it work?" in html
    assert "Teams that took “Right the first time” rose" in html
    assert f"/dashboards/results/effects?survey={world['second']}" in html


def test_a_head_does_not_see_it_on_the_modules_page(app, browser, world):
    head = make_person(app, department=None, heads=("North",))
    browser.login(head.email)
    html = browser.client.get(f"/training/{RIGHT_FIRST_TIME}").get_data(as_text=True)
    assert "Did it work?" not in html
    assert "Teams that took" not in html
