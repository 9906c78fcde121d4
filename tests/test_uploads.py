"""Uploads: every file a request body was spooled into is closed when the request ends."""

from __future__ import annotations

import werkzeug.wrappers.request

BOUNDARY = "cut-short"


def _multipart(size: int, finished: bool) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode() if finished else b""
    return head + b"x" * size + tail


def _spools(monkeypatch) -> list:
    opened = []
    factory = werkzeug.wrappers.request.default_stream_factory

    def recording(*args, **kwargs):
        opened.append(factory(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(werkzeug.wrappers.request, "default_stream_factory", recording)
    return opened


def test_an_upload_cut_short_leaves_no_file_open(browser, hr_admin, monkeypatch):
    browser.login(hr_admin.email)
    opened = _spools(monkeypatch)
    response = browser.client.post(
        "/hr/roster/",
        data=_multipart(600 * 1024, finished=False),  # spooled to disk above 500 KB
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 400  # nothing readable, not even the CSRF token
    assert opened
    assert all(stream.closed for stream in opened)


def test_a_complete_upload_is_closed_too(browser, hr_admin, monkeypatch):
    browser.login(hr_admin.email)
    opened = _spools(monkeypatch)
    browser.client.post(
        "/hr/roster/",
        data=_multipart(1024, finished=True),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert opened
    assert all(stream.closed for stream in opened)
