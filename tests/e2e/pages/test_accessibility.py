"""No serious or critical accessibility violation, as axe-core finds them, on the pages people
use most: the three homes, the answer form and the results page, on a laptop and on a phone.

axe-core runs inside the page from the copy bundled in the axe-playwright-python wheel, so
nothing is fetched while testing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DESKTOP, PHONE, Tab, new_tab
from tests.e2e.pages import demo_site
from tests.e2e.pages.conftest import DemoSite
from tests.e2e.pages.demo_site import Account

SCREENS = {"desktop": DESKTOP, "phone": PHONE}
FAILING_IMPACTS = ("serious", "critical")
# Who opens which pages after landing on their home: Ana has an open survey to answer.
CHECKED = {
    demo_site.EMPLOYEE: ("surveys.answer",),
    demo_site.HEAD_CONTACT: ("dashboards.results_page",),
    demo_site.HR: ("dashboards.results_page",),
}


def violations(page: Page) -> list[str]:
    """The serious and critical violations on the page, each with its rule, help and nodes."""
    found = Axe().run(page).response["violations"]
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"[{violation['helpUrl']}] at "
        + "; ".join(", ".join(map(str, node["target"])) for node in violation["nodes"])
        for violation in found
        if violation["impact"] in FAILING_IMPACTS
    ]


@pytest.mark.parametrize("account", CHECKED, ids=lambda account: account.key)
@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_accessibility_violation(
    open_as: Callable[..., Tab], demo_company: DemoSite, account: Account, screen: str
):
    app, server = demo_company.server.app, demo_company.server
    with app.test_request_context():
        # The first address of each page: the results of the reader's own department.
        urls = [
            demo_site.addresses(endpoint, demo_company.data, "en")[0]
            for endpoint in CHECKED[account]
        ]
    tab = open_as(account, "en", **SCREENS[screen])
    problems = []
    try:
        for url in ["/", *urls]:  # the home first
            tab.page.goto(url)
            where = tab.page.url.removeprefix(server.url)
            problems += [f"{where}: {violation}" for violation in violations(tab.page)]
        problems += tab.watcher.problems
    finally:
        tab.page.context.close()
    if problems:
        pytest.fail(f"{len(problems)} violations:\n" + "\n".join(problems), pytrace=False)


def test_the_checker_names_a_serious_violation(chromium: Browser):
    """axe-core runs in a page and its findings are named (a page written here, no server)."""
    tab = new_tab(chromium, "http://127.0.0.1:9", **DESKTOP)
    try:
        tab.page.set_content(
            '<!doctype html><html lang="en"><title>Form</title><main><h1>Form</h1>'
            '<form><input type="text" id="nameless"></form></main></html>'
        )
        (found,) = violations(tab.page)
    finally:
        tab.page.context.close()
    assert found.startswith("label (critical): Form elements must have labels")
    assert found.endswith(" at #nameless")
