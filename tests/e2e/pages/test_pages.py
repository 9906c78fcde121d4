"""Every page of every kind of person, in English, Portuguese and Spanish, on a laptop and on a
phone: it loads, fits the screen, has one <h1>, logs no console error and, in Portuguese and
Spanish, shows no English the catalogs translate.

Each (person, language, screen) walks its pages in one logged-in tab, on the demo company
seeded once for the folder. Every home and results page leaves a screenshot in the artifacts
folder; with ``CX_README_SCREENSHOTS=1`` the English laptop walks also write the README's
screenshots (``make screenshots``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page

from tests.e2e.conftest import DESKTOP, PHONE, Tab
from tests.e2e.pages import demo_site
from tests.e2e.pages.conftest import BROWSER_LANGUAGES, DemoSite
from tests.e2e.pages.demo_site import ACCOUNTS, Account
from tests.e2e.pages.page_checks import inspect, problems_in

SCREENS = {"desktop": DESKTOP, "phone": PHONE}
RESULTS = "dashboards.results_page"
README_SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
# (account, page) -> the README's picture, and whether it shows the whole page: the three homes
# whole, and the top of a head's results (the index, the chart and its table), which would
# otherwise run to several screens.
README_PICTURES = {
    (demo_site.HR.key, "home"): ("hr-home.png", True),
    (demo_site.HEAD_OPERATIONS.key, "home"): ("head-home.png", True),
    (demo_site.EMPLOYEE.key, "home"): ("employee-home.png", True),
    (demo_site.HEAD_CONTACT.key, "results"): ("results.png", False),
}
README_MAX_BYTES = 400_000
README_COLOURS = 256  # a palette keeps interface screenshots small and still sharp


def save_screenshot(page: Page, path: Path, full_page: bool = True) -> None:
    """A screenshot from the top, so sticky parts sit where a reader first sees them."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=full_page, scale="css")


def save_readme_picture(page: Page, name: str, full_page: bool) -> None:
    """The README's picture: the page as screenshot, reduced to a palette and compressed."""
    README_SHOTS.mkdir(exist_ok=True)
    path = README_SHOTS / name
    save_screenshot(page, path, full_page)
    with Image.open(path) as shot:
        reduced = shot.convert("RGB").quantize(README_COLOURS, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)
    size = path.stat().st_size
    assert size <= README_MAX_BYTES, f"{name} is {size} bytes, more than {README_MAX_BYTES}"


class Walk:
    """One person's walk through their pages in one tab, noting every problem by page."""

    def __init__(self, site: DemoSite, tab: Tab, account: Account, locale: str, screen: str):
        self.site, self.tab, self.account = site, tab, account
        self.locale, self.screen = locale, screen
        self.visited: set[str] = set()
        self.problems: list[str] = []

    def check(self, endpoint: str, response_status: int | None) -> None:
        """The page the tab shows now, reached from ``endpoint``."""
        page, where = self.tab.page, self.tab.page.url.removeprefix(self.site.server.url)
        self.visited.add(where)
        found = []
        if response_status is None or response_status >= 400:
            found.append(f"HTTP {response_status}")
        found += problems_in(inspect(page), self.locale)
        found += self.tab.watcher.problems
        self.tab.watcher.problems.clear()
        errors = self.site.server.recorder.errors
        found += [f"server error: {error}" for error in errors]
        errors.clear()
        self.problems += [f"{where} ({endpoint}): {problem}" for problem in found]

    def open(self, endpoint: str, url: str) -> None:
        if url in self.visited:
            return
        response = self.tab.page.goto(url)
        self.check(endpoint, response.status if response else None)

    def screenshot(self, artifacts: Path, what: str) -> None:
        name = f"pages-{self.account.key}-{what}-{self.locale}-{self.screen}"
        save_screenshot(self.tab.page, artifacts / f"{name}.png")
        picture = README_PICTURES.get((self.account.key, what))
        if (
            picture
            and os.environ.get("CX_README_SCREENSHOTS") == "1"
            and (self.locale, self.screen) == ("en", "desktop")
        ):
            save_readme_picture(self.tab.page, *picture)


def test_every_page_has_an_address_and_a_reader(demo_company: DemoSite):
    """A new page is walked by whoever may open it; one whose address takes arguments fails
    here until ``ADDRESSES`` says how to fill them, and names that have gone fail too."""
    app = demo_company.server.app
    missing = demo_site.unaddressed(app)
    assert not missing, "\n".join(
        f"no URL for endpoint {endpoint}: add it to ADDRESSES in {demo_site.__name__}"
        for endpoint in missing
    )
    pages = demo_site.page_endpoints(app)
    unread = [
        endpoint
        for endpoint in pages
        if not any(demo_site.is_for(app, endpoint, kind) for kind in demo_site.Kind)
    ]
    assert not unread, f"pages nobody walks: {unread}"
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(demo_site.ADDRESSES) <= set(pages), "ADDRESSES names what is no page"
    assert set(demo_site.SKIPPED) <= endpoints, "SKIPPED names what is no endpoint"


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda account: account.key)
@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("locale", BROWSER_LANGUAGES)
def test_every_page_reads_well(
    open_as: Callable[..., Tab],
    demo_company: DemoSite,
    artifacts: Path,
    account: Account,
    locale: str,
    screen: str,
):
    pages = demo_site.page_urls(demo_company.server.app, demo_company.data, account.kind, locale)
    tab = open_as(account, locale, **SCREENS[screen])
    walk = Walk(demo_company, tab, account, locale, screen)
    try:
        walk.open("home.index", "/")  # where each person lands
        walk.screenshot(artifacts, "home")
        for endpoint, url in pages:
            walk.open(endpoint, url)
            if endpoint == RESULTS and "?" not in url:  # the reader's own department
                walk.screenshot(artifacts, "results")
    finally:
        tab.page.context.close()
    if walk.problems:
        pytest.fail(f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems), pytrace=False)
