"""The two ways in without a password, in Chromium on a phone: the personal link of an invitation
email, in the person's language, straight to the form and through to the thank-you page; and a
printed answer code on a shared tablet, which is free for the next person afterwards."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Invitation
from cxculture.services.surveys import passes
from tests.e2e.conftest import PHONE
from tests.e2e.test_answer_form import expect_422_only
from tests.factories import make_survey, make_user

Shoot = Callable[[Page, str], Path]


@pytest.fixture
def invited(app: Flask) -> dict:
    """An open survey; a Brazilian agent with an email, and a store clerk with none."""
    with app.app_context():
        agent = make_user(email="rita@example.test", locale="pt_BR", employee_number="BR-1")
        clerk = make_user(employee_number="ST-7", password=None, locale="es")
        clerk.email = None
        db.session.commit()
        for _ in range(5):
            make_user()
        survey = make_survey(name="Customer orientation, second wave")
        survey.texts = {"pt_BR": {"name": "Orientação ao cliente, segunda onda"}}
        db.session.commit()
        found = {}
        for person, key in ((agent, "link"), (clerk, "code")):
            invitation = db.session.execute(
                select(Invitation).where(
                    Invitation.survey_id == survey.id, Invitation.user_id == person.id
                )
            ).scalar_one()
            found[key] = (
                passes.link_for(invitation) if key == "link" else passes.code_for(invitation)
            )
        db.session.commit()
        items = [item.id for item in survey.instrument.items]
        return {**found, "items": items}


def _answer_everything(page: Page, items: list[int]) -> None:
    for item_id in items:
        page.locator(f'input[name="item_{item_id}"][value="4"]').check()
    page.locator('textarea[name="role_statement"]').fill("Atendo os clientes que nos ligam.")


def test_the_email_link_opens_the_form_in_her_language_without_a_password(
    invited, open_browser, screenshot, pt
):
    tab = open_browser(locale="en-US", **PHONE)  # a phone set to English: her profile wins
    page = tab.page
    page.goto(f"/s/{invited['link']}")
    expect(page).to_have_url(re.compile(r".*/s/answer$"))
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientação ao cliente, segunda onda")
    screenshot(page, "pass-link-form-pt-phone")
    _answer_everything(page, invited["items"])
    page.locator('button[name="submit"], input[name="submit"]').click()
    expect(page).to_have_url(re.compile(r".*/s/thanks$"))
    screenshot(page, "pass-link-thanks-pt-phone")
    tab.watcher.assert_clean("answering through the link")
    # The same link later, in another browser: answered already, said in her language.
    other = open_browser(locale="en-US", **PHONE).page
    other.goto(f"/s/{invited['link']}")
    expect(other.get_by_role("heading", level=1)).to_have_text(
        pt("You have already answered this survey")
    )


def test_a_printed_code_on_a_shared_tablet(invited, open_browser, live_server, screenshot):
    tab = open_browser(locale="es-ES", viewport={"width": 800, "height": 1280})
    page = tab.page
    page.goto("/code")
    screenshot(page, "pass-code-page-es-tablet")
    page.locator('input[name="employee_number"]').fill("ST-7")
    page.locator('input[name="code"]').fill("AAAAA-AAAAA")
    page.locator('input[name="submit"], button[name="submit"]').click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    expect_422_only(tab, live_server, "/code")
    page.locator('input[name="employee_number"]').fill("ST-7")
    page.locator('input[name="code"]').fill(passes.printed_code(invited["code"]).lower())
    page.locator('input[name="submit"], button[name="submit"]').click()
    expect(page).to_have_url(re.compile(r".*/s/answer$"))
    expect(page.locator('button[name="save"], input[name="save"]')).to_have_count(0)
    _answer_everything(page, invited["items"])
    page.locator('button[name="submit"], input[name="submit"]').click()
    expect(page).to_have_url(re.compile(r".*/s/thanks$"))
    screenshot(page, "pass-code-thanks-es-tablet")
    page.locator("a.btn-primary[href$='/code']").click()
    expect(page).to_have_url(re.compile(r".*/code$"))
    tab.watcher.assert_clean("answering with a code")
