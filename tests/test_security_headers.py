"""Every response carries security headers, and the pages need no inline script or style, so
the Content-Security-Policy can forbid them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Survey
from tests.api.conftest import ApiClient, make_token
from tests.conftest import Browser

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "inline style attribute": re.compile(r"\sstyle\s*=\s*[\"']", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize("path", ["/auth/login", "/healthz", "/no-such-page"])
def test_every_response_has_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_policy_lets_bootstraps_own_icons_show(client):
    # Bootstrap's CSS draws the phone menu button, select arrows and radio dots as data: SVGs.
    response = client.get("/bootstrap/static/css/bootstrap.min.css")
    css = response.get_data(as_text=True)
    response.close()
    assert 'url("data:image/svg+xml' in css
    policy = client.get("/auth/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data:" in policy
    assert "script-src 'self';" in policy + ";"  # data: is for images only


def test_https_responses_ask_browsers_to_stay_on_https(client):
    headers = client.get("/auth/login", base_url="https://cx.example.com").headers
    assert "max-age=" in headers["Strict-Transport-Security"]


def test_logged_in_pages_keep_the_policy(browser, hr_admin):
    browser.login(hr_admin.email)
    for path in ("/hr/", "/dashboards/overview", "/hr/roster/", "/hr/org/people"):
        assert "script-src 'self'" in browser.client.get(path).headers["Content-Security-Policy"]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_have_no_inline_script_or_style(template):
    text = template.read_text(encoding="utf-8")
    found = [name for name, pattern in INLINE.items() if pattern.search(text)]
    assert not found, f"{template.relative_to(TEMPLATES)}: {', '.join(found)}"


# Cache-Control: no-store (ASVS 14.3.2): nothing a signed-in person sees, no download and no API
# data may be kept by a browser or a proxy. Only the static files may be cached.


@pytest.fixture
def demo_wave(app) -> int:
    """The demo company with answers; the closed first wave's id."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        return db.session.execute(
            select(Survey.id).where(Survey.name == "Customer orientation, first wave")
        ).scalar_one()


def _plain_get_paths(app) -> list[str]:
    """Every GET address without a variable part, but the static files."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not rule.endpoint.endswith("static")
    )


def _assert_no_store(response, path: str) -> None:
    assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)


@pytest.mark.parametrize(
    ("email", "extra"),
    [
        ("hr@demo.test", ()),
        ("head.operations@demo.test", ("/dashboards/", "/dashboards/training")),
        ("ana@demo.test", ("/me", "/surveys/", "/training/")),
    ],
    ids=["hr", "head", "employee"],
)
def test_every_page_a_signed_in_person_opens_says_no_store(app, demo_wave, email, extra):
    browser = Browser(app.test_client())
    assert browser.login(email, "cxdemo").status_code == 302
    for path in [*_plain_get_paths(app), *extra]:
        with browser.client.get(path) as response:
            _assert_no_store(response, path)


def test_every_download_and_result_says_no_store(app, demo_wave):
    browser = Browser(app.test_client())
    browser.login("hr@demo.test", "cxdemo")
    wave = demo_wave
    department = "department=Operations/Contact Center"
    for path in (
        "/hr/",
        f"/hr/surveys/{wave}",
        "/hr/org/people",
        "/hr/outbox",
        "/hr/audit/",
        "/hr/audit/export.csv",
        f"/dashboards/overview?survey={wave}",
        f"/dashboards/overview.csv?survey={wave}",
        f"/dashboards/overview.xlsx?survey={wave}",
        f"/dashboards/overview/heatmap.png?survey={wave}&level=1",
        f"/dashboards/overview/trend.png?survey={wave + 1}",
        f"/dashboards/results?survey={wave}&{department}",
        f"/dashboards/results/chart.png?survey={wave}&{department}",
        f"/dashboards/results/items.png?survey={wave}&{department}",
        f"/dashboards/results/report.pdf?survey={wave}&{department}",
        "/dashboards/training",
        "/dashboards/training.csv",
    ):
        with browser.client.get(path) as response:
            assert response.status_code == 200, path
            _assert_no_store(response, path)


def test_charts_say_no_store_and_still_answer_304_when_unchanged(app, demo_wave):
    browser = Browser(app.test_client())
    browser.login("hr@demo.test", "cxdemo")
    url = f"/dashboards/overview/trend.png?survey={demo_wave + 1}"
    first = browser.client.get(url)
    assert first.headers["Cache-Control"] == "no-store"
    again = browser.client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "no-store"


def test_every_api_answer_says_no_store(app, client, demo_wave, hr_admin):
    api = ApiClient(client, make_token(app, owner=hr_admin))
    for path in (
        "/api/v1/departments",
        "/api/v1/people",
        "/api/v1/surveys",
        f"/api/v1/surveys/{demo_wave}/results",
        "/api/v1/training/completion",
        "/api/v1/people/NO-SUCH-NUMBER",
    ):
        _assert_no_store(api.get(path), path)
    refused = client.get("/api/v1/people", headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401
    _assert_no_store(refused, "/api/v1/people (no token)")


def test_anonymous_pages_say_no_store_and_static_files_may_be_cached(client):
    _assert_no_store(client.get("/auth/login"), "/auth/login")  # it holds a CSRF token
    for path in ("/static/css/app.css", "/bootstrap/static/css/bootstrap.min.css"):
        with client.get(path) as response:
            assert response.status_code == 200
            assert "no-store" not in response.headers.get("Cache-Control", ""), path
