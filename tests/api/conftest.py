"""API fixtures: tokens made the way HR makes them, and a client that sends one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cxculture.extensions import db
from cxculture.models import User, utcnow
from cxculture.models.api_tokens import SCOPES
from cxculture.services.accounts import tokens
from tests.conftest import Person


def make_token(
    app: Flask,
    scopes=SCOPES,
    owner: Person | None = None,
    valid_days: int | None = None,
    name: str = "HR system",
) -> str:
    """A new token's secret, issued by ``owner`` (None: from the command line)."""
    with app.app_context():
        actor = db.session.get(User, owner.id) if owner is not None else None
        return tokens.issue_token(name, scopes, actor, utcnow(), valid_days).secret


@dataclass
class ApiClient:
    """The test client with a bearer token on every request."""

    client: FlaskClient
    secret: str

    def _headers(self, kwargs) -> dict:
        return {"Authorization": f"Bearer {self.secret}", **kwargs.pop("headers", {})}

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self._headers(kwargs), **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self.client.put(path, json=json, headers=self._headers(kwargs), **kwargs)

    def delete(self, path: str, **kwargs):
        return self.client.delete(path, headers=self._headers(kwargs), **kwargs)


@pytest.fixture
def token(app: Flask, hr_admin: Person) -> str:
    """A token of every scope, made by the HR admin."""
    return make_token(app, owner=hr_admin)


@pytest.fixture
def api(client: FlaskClient, token: str) -> ApiClient:
    return ApiClient(client, token)


def error_of(response) -> dict:
    """The API's error body, checked for its shape."""
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]
