"""Every response carries security headers, and the pages need no inline script or style, so
the Content-Security-Policy can forbid them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
