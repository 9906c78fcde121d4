"""A hidden group's page helps: why it is hidden (one sentence, whatever the cause, without the
count), the nearest larger group the reader may see, and nothing of its own to download."""

from __future__ import annotations

import dataclasses
import re
from html import unescape

import pytest

from cxculture import disclosure
from cxculture.disclosure.figures import SUPPRESSED, hidden
from cxculture.extensions import db
from cxculture.models import Survey, User, utcnow
from cxculture.services.results import dashboards
from cxculture.services.surveys import responses
from tests.factories import closed_release, full_answers, make_survey, make_user

BIG, SMALL, PARENT = "Ops/Big", "Ops/Small", "Ops"
REASON = re.compile(r'<p class="cx-hidden-reason">(.*?)</p>', re.S)
SECTION = re.compile(r'<section class="alert alert-secondary".*?</section>', re.S)


@pytest.fixture
def split(app) -> int:
    """A closed wave of Ops: six answers in Ops/Big, two in Ops/Small. Small is below the
    minimum; Big has enough, but Ops less Big would show Small, so the guard hides Big too."""
    with app.app_context():
        hr = make_user(is_hr_admin=True, department="People", email="hr@example.test")
        make_user(department="People", heads=(SMALL,), email="head.small@example.test")
        make_user(department="People", heads=(PARENT,), email="head.ops@example.test")
        people = [make_user(department=BIG) for _ in range(6)]
        people += [make_user(department=SMALL) for _ in range(2)]
        survey = make_survey(name="Wave 1", actor=hr, departments=(PARENT,))
        for person in people:
            invitation = responses.invitation_for(person, survey.id)
            responses.submit_response(invitation, full_answers(survey, 4), "en", utcnow())
        release = closed_release(survey)
        assert not release.groups[PARENT].is_suppressed
        assert release.groups[BIG].is_suppressed  # by complementary suppression
        assert release.groups[SMALL].is_suppressed  # below the minimum
        return survey.id


def _page(browser, survey: int, key: str, locale: str = "en") -> str:
    browser.use_language(locale)
    response = browser.client.get(f"/dashboards/results?survey={survey}&department={key}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("locale", ["en", "pt_BR", "es"])
def test_the_reason_is_the_same_sentence_whichever_the_cause(split, browser, locale):
    browser.login("hr@example.test")
    below_minimum = _page(browser, split, SMALL, locale)
    complementary = _page(browser, split, BIG, locale)
    reasons = [REASON.search(html).group(1) for html in (below_minimum, complementary)]
    assert reasons[0].encode() == reasons[1].encode()
    # The whole notice, nearest group included, says nothing that tells the two apart.
    sections = [SECTION.search(html).group(0) for html in (below_minimum, complementary)]
    assert sections[0].encode() == sections[1].encode()
    assert reasons[0][0].isupper()


def test_the_reason_is_one_sentence_naming_both_causes_and_no_count(split, browser):
    browser.login("hr@example.test")
    reason = unescape(REASON.search(_page(browser, split, SMALL)).group(1))
    assert reason.count(". ") == 0
    assert reason.endswith(".")
    assert "fewer than 5 people answered" in reason  # the minimum, the same for every group
    assert "smaller group" in reason
    assert re.findall(r"\d+", reason) == ["5"]  # no count of this group's answers


@pytest.mark.parametrize("key", [SMALL, BIG])
def test_a_hidden_group_page_offers_no_pdf_chart_or_export(split, browser, key):
    browser.login("hr@example.test")
    html = _page(browser, split, key)
    for offer in ("report.pdf", "chart.png", "items.png", "<img", "<picture", ".csv", ".xlsx"):
        assert offer not in html
    assert "Customer Orientation Index:" not in html  # the group's own figure


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("hr@example.test", SMALL),
        ("hr@example.test", BIG),
        ("head.small@example.test", SMALL),
        ("head.ops@example.test", BIG),
    ],
)
def test_a_hidden_groups_files_are_refused(split, browser, email, key):
    browser.login(email)
    for path in ("results/chart.png", "results/items.png", "results/report.pdf"):
        for layout in ("", "&layout=narrow"):
            url = f"/dashboards/{path}?survey={split}&department={key}{layout}"
            with browser.client.get(url) as response:
                assert response.status_code == 404, url


def test_hr_is_sent_to_the_parent_department(split, browser, guarded_split):
    browser.login("hr@example.test")
    html = _page(browser, split, SMALL)
    index = round(guarded_split.groups[PARENT].index)
    assert f"The nearest larger group with figures is Ops: Customer Orientation Index {index}." in (
        html
    )
    assert f'href="/dashboards/results?survey={split}&amp;department=Ops"' in html


def test_a_head_of_the_parent_is_sent_to_it_too(split, browser):
    browser.login("head.ops@example.test")
    html = _page(browser, split, BIG)
    assert f'href="/dashboards/results?survey={split}&amp;department=Ops"' in html


def test_a_head_who_cannot_see_the_parent_is_shown_the_company(split, browser, guarded_split):
    browser.login("head.small@example.test")
    html = _page(browser, split, SMALL)
    index = round(guarded_split.company.index)
    assert (
        "The nearest larger group with figures is the whole company: "
        f"Customer Orientation Index {index}."
    ) in html
    assert "department=Ops&" not in html
    assert 'department=Ops"' not in html
    assert "/dashboards/overview" not in html  # HR's page, not theirs


@pytest.fixture
def guarded_split(app, split) -> disclosure.Release:
    with app.app_context():
        return disclosure.release_of(db.session.get(Survey, split), utcnow())


def _user(email: str) -> User:
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def test_the_nearest_shown_group_skips_hidden_and_unreachable_ones(app, split):
    with app.app_context():
        found = disclosure.release_of(db.session.get(Survey, split), utcnow())
        hr, head = _user("hr@example.test"), _user("head.small@example.test")
        assert dashboards.nearest_shown(hr, found, SMALL).key == PARENT
        assert dashboards.nearest_shown(head, found, SMALL).key == ""  # the company
        # With the parent hidden as well, HR is sent to the company.
        groups = dict(found.groups, **{PARENT: hidden(PARENT, found.minimum, SUPPRESSED)})
        parent_hidden = dataclasses.replace(found, groups=groups)
        assert dashboards.nearest_shown(hr, parent_hidden, SMALL).key == ""
        # And with the company hidden too, there is nothing nearer to show.
        groups[""] = hidden("", found.minimum, SUPPRESSED)
        assert dashboards.nearest_shown(hr, parent_hidden, SMALL) is None


def test_hr_is_sent_to_the_company_results_when_no_department_above_shows(
    app, split, browser, monkeypatch
):
    real = dashboards.nearest_shown

    def company_only(viewer, found, key):
        return real(viewer, dataclasses.replace(found, groups=_without_parent(found)), key)

    monkeypatch.setattr(dashboards, "nearest_shown", company_only)
    browser.login("hr@example.test")
    html = _page(browser, split, SMALL)
    assert "the whole company" in html
    assert f'href="/dashboards/overview?survey={split}"' in html


def _without_parent(found: disclosure.Release) -> dict:
    return dict(found.groups, **{PARENT: hidden(PARENT, found.minimum, SUPPRESSED)})


def test_the_overview_offers_no_pdf_of_a_hidden_group(split, browser):
    browser.login("hr@example.test")
    browser.use_language("en")
    html = browser.client.get(f"/dashboards/overview?survey={split}&level=2").get_data(as_text=True)
    for key in (SMALL, BIG):
        assert f"department={key}" in html  # its page, which says why
        assert f"results/report.pdf?survey={split}&amp;department={key}" not in html
    top = browser.client.get(f"/dashboards/overview?survey={split}&level=1").get_data(as_text=True)
    assert f"results/report.pdf?survey={split}&amp;department={PARENT}" in top
