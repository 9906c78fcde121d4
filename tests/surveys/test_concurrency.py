"""Twenty tabs answering at once, on the same and on different invitations: one response per
invitation that submitted, none lost, none duplicated, and no draft left on an answered one.

Runs on SQLite (a file in WAL mode with a busy timeout, as configured) and on PostgreSQL when
the suite does (``make test-pg``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Answer, Invitation, PrivacyMode, Response
from tests.conftest import Browser, csrf_token, make_person
from tests.factories import make_survey

JOIN_SECONDS = 120  # the whole race takes a few seconds; a hang fails instead of blocking
ALREADY = "already submitted"
SAVED = "Your answers are saved"

# (person, what each of their tabs does): 20 tabs in all.
PLAN = [
    (0, ["submit"] * 4 + ["draft"] * 4),  # one invitation, eight tabs
    (1, ["submit", "submit", "draft"]),
    (2, ["submit", "draft", "draft"]),
    (3, ["submit"]),
    (4, ["submit"]),
    (5, ["submit"]),
    (6, ["draft"]),
    (7, ["draft"]),
    (8, ["draft"]),
]


@dataclass
class Tab:
    person: int
    action: str
    browser: Browser
    form: dict[str, str]
    status: int | None = None
    location: str = ""
    page: str = ""


def _form(token: str, items: list[int], action: str) -> dict[str, str]:
    form = {f"item_{item}": "4" for item in items}
    form.update(role_statement="I answer our customers' calls.", csrf_token=token)
    form["submit" if action == "submit" else "save"] = "1"
    return form


@pytest.mark.parametrize("privacy_mode", [PrivacyMode.CONFIDENTIAL, PrivacyMode.ANONYMOUS])
def test_twenty_threads_store_one_response_per_invitation(app, privacy_mode):
    people = [make_person(app, email=f"tab{n}@example.test") for n in range(len(PLAN))]
    with app.app_context():
        survey = make_survey(privacy_mode=privacy_mode)
        survey_id, items = survey.id, [item.id for item in survey.instrument.items]
    tabs = []
    for person, actions in PLAN:
        for action in actions:
            browser = Browser(app.test_client())
            browser.login(people[person].email)
            page = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
            tabs.append(Tab(person, action, browser, _form(csrf_token(page), items, action)))
    assert len(tabs) == 20
    barrier = threading.Barrier(len(tabs))

    def post(tab: Tab) -> None:
        barrier.wait(timeout=30)
        response = tab.browser.client.post(f"/surveys/{survey_id}", data=tab.form)
        tab.status, tab.location = response.status_code, response.headers.get("Location", "")

    threads = [threading.Thread(target=post, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads)

    assert [tab.status for tab in tabs] == [302] * len(tabs)  # no 500, no lost request
    for tab in tabs:  # what each tab is told (its flashed message) on the page it lands on
        tab.page = tab.browser.client.get(tab.location).get_data(as_text=True)
    submitters = {person for person, actions in PLAN if "submit" in actions}
    for person in submitters:
        submits = [tab for tab in tabs if tab.person == person and tab.action == "submit"]
        stored = [tab for tab in submits if ALREADY not in tab.page]
        assert len(stored) == 1, f"person {person}: {len(stored)} submissions stored"
        assert all(tab.location.endswith("/thanks") for tab in submits)
    for tab in tabs:
        if tab.action == "draft":
            assert (SAVED in tab.page) != (ALREADY in tab.page)

    with app.app_context():
        invitations = {
            invitation.user_id: invitation
            for invitation in db.session.execute(
                select(Invitation).where(Invitation.survey_id == survey_id)
            ).scalars()
        }
        answered = {n for n, p in enumerate(people) if invitations[p.id].submitted_at is not None}
        assert answered == submitters
        for n, person in enumerate(people):
            if n in submitters:
                assert invitations[person.id].draft is None, "a draft on an answered invitation"
            else:
                assert invitations[person.id].draft is not None, "a saved draft was lost"
        responses = (
            db.session.execute(select(Response).where(Response.survey_id == survey_id))
            .scalars()
            .all()
        )
        assert len(responses) == len(submitters)
        answers = db.session.execute(select(func.count()).select_from(Answer)).scalar_one()
        assert answers == len(submitters) * len(items)
        if privacy_mode is PrivacyMode.CONFIDENTIAL:
            owners = sorted(response.user_id for response in responses)
            assert owners == sorted(people[n].id for n in submitters)
        else:
            assert {response.user_id for response in responses} == {None}
            assert {response.invitation_id for response in responses} == {None}
