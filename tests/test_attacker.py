"""The attacker, through the real release layer and database: random department trees, answers
arriving over time, surveys with and without live results, closed and reopened. At every step
HR reads everything the release layer gives (HR sees a superset of what any head or token can
read); everything read is kept and handed to the independent solver of
``tests/scoring/test_releases.py``, which must never single out fewer than the minimum.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Invitation, Survey, User, utcnow
from cxculture.paths import ancestors
from cxculture.scoring.releases import Snapshot
from cxculture.services.surveys import responses
from tests.conftest import empty_tables
from tests.factories import full_answers, make_survey, make_user
from tests.scoring.test_releases import exposed_by_sums, exposed_by_texts

MINIMUM = 5
TEXT_MINIMUM = 10
EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def companies(draw):
    """Departments (a tree of up to four), people in each, and up to five steps of answers,
    each followed by HR reading results, closing the survey or reopening it."""
    paths: list[str] = []
    for number in range(draw(st.integers(min_value=1, max_value=4))):
        parent = draw(st.integers(min_value=-1, max_value=len(paths) - 1))
        paths.append(f"d{number}" if parent < 0 else f"{paths[parent]}/d{number}")
    people = {path: draw(st.integers(min_value=2, max_value=12)) for path in paths}
    steps = [
        (
            {path: draw(st.integers(min_value=0, max_value=5)) for path in paths},
            draw(st.sampled_from(["read", "read", "read", "close", "reopen"])),
        )
        for _ in range(draw(st.integers(min_value=2, max_value=5)))
    ]
    return people, steps, draw(st.sampled_from([True, True, False]))


def _answer(survey_id: int, path: str, count: int, value: int) -> int:
    """``count`` more people of ``path`` answer (as many as are left); how many did."""
    waiting = db.session.execute(
        select(Invitation)
        .join(User, User.id == Invitation.user_id)
        .where(
            Invitation.survey_id == survey_id,
            Invitation.submitted_at.is_(None),
            Invitation.department_path == path,
        )
        .order_by(Invitation.id)
        .limit(count)
    ).scalars()
    done = 0
    for invitation in list(waiting):
        answers = full_answers(invitation.survey, value, f"Texts of {invitation.id} on {path}.")
        responses.submit_response(invitation, answers, "en", utcnow())
        done += 1
    return done


def _play(app, people, steps, is_live):
    """Run the company through the steps; what HR read, as snapshots the solver takes, and the
    invitation groups whose counts were shown."""
    app.config["CX_LIVE_RESULTS_HOURS"] = 0
    with app.app_context():
        empty_tables()
        for path, count in people.items():
            for _ in range(count):
                make_user(department=path)
        survey = make_survey(live_results=is_live, actor=make_user(department=None))
        survey_id = survey.id
        counts: Counter = Counter()
        taken: dict = {}  # when a snapshot was released -> (step, counts then)
        numbers: set[tuple[str, object]] = set()
        texts: set[tuple[str, object]] = set()
        shown_counts: set[str] = set()
        for step, (arrivals, event) in enumerate(steps):
            survey = db.session.get(Survey, survey_id)
            for path, count in arrivals.items():
                if survey.state(utcnow()).value == "open":
                    counts[path] += _answer(survey_id, path, count, 1 + step % 5)
            now = utcnow() + timedelta(seconds=step)
            if event == "close" and survey.closed_at is None:
                survey.closed_at = now
            elif event == "reopen" and survey.closed_at is not None:
                survey.closed_at = None
            db.session.commit()
            release = disclosure.release_of(survey, now)
            if release.latest_at is not None and release.latest_at not in taken:
                taken[release.latest_at] = dict(counts)
            for key, group in release.groups.items():
                if not group.is_suppressed:
                    in_set = sum(
                        n for path, n in taken[group.released_at].items() if key in ancestors(path)
                    )
                    assert group.n == in_set, "a figure covers the responses it says it does"
                    numbers.add((key, group.released_at))
                    if disclosure.statements(release, key) is not None:
                        texts.add((key, release.latest_at))
            shown_counts |= {
                row.key
                for row in disclosure.response_rates(survey).rows.values()
                if not row.is_hidden
            }
        invited = Counter(
            db.session.execute(
                select(Invitation.department_path).where(Invitation.survey_id == survey_id)
            ).scalars()
        )
    history = [
        Snapshot(
            {path: n for path, n in at_the_time.items() if n},
            frozenset(key for key, when in numbers if when == moment),
            frozenset(key for key, when in texts if when == moment),
        )
        for moment, at_the_time in sorted(taken.items())
    ]
    return history, invited, shown_counts


def test_nothing_hr_reads_over_a_wave_singles_out_a_small_group(app):
    @EXAMPLES
    @given(company=companies())
    # Live: a team's three late answers stay unreleased, at the closing too.
    @example(
        (
            {"d0": 10, "d0/d1": 8},
            [
                ({"d0": 5, "d0/d1": 5}, "read"),
                ({"d0": 5, "d0/d1": 0}, "read"),
                ({"d0": 0, "d0/d1": 3}, "read"),
                ({"d0": 0, "d0/d1": 0}, "close"),
            ],
            True,
        )
    )
    # Phased: closed, reopened, two more answers, closed again.
    @example(
        (
            {"d0": 12, "d1": 12},
            [
                ({"d0": 10, "d1": 11}, "close"),
                ({"d0": 0, "d1": 0}, "reopen"),
                ({"d0": 2, "d1": 0}, "read"),
                ({"d0": 0, "d1": 0}, "close"),
            ],
            False,
        )
    )
    def play(company):
        people, steps, is_live = company
        history, invited, shown_counts = _play(app, people, steps, is_live)
        assert exposed_by_sums(history, MINIMUM) is None
        assert exposed_by_texts(history, TEXT_MINIMUM) is None
        # Counts: the invitation groups whose counts show never tell a set of fewer people apart.
        memberships = Counter(
            tuple(key for key in sorted(shown_counts) if key in ancestors(path))
            for path, n in invited.items()
            for _ in range(n)
        )
        assert {m: n for m, n in memberships.items() if m and n < MINIMUM} == {}

    play()
