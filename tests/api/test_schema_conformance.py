"""Schemathesis drives every operation of the OpenAPI document through the app (WSGI, no
network) with a token of every scope: no answer is a server error, and every answer matches
the document. Bounded: a few examples per operation, so the run takes seconds."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

import config
from cxculture import create_app
from tests.factories import make_survey, make_user

EXAMPLES_PER_OPERATION = 25


def _document() -> dict:
    """The OpenAPI document, from an app that touches no database (building it needs none)."""
    app = create_app(config.TestingConfig(tempfile.gettempdir()))
    with app.test_request_context():
        return app.extensions["cxculture-api"].spec.to_dict()


# Loaded once at collection, not from a fixture: schemathesis' fixture loader does not work
# with pytest 9.2 (it sets a node attribute pytest renamed).
schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def data(app):
    """Something to find: a person, a launched survey and a draft."""
    with app.app_context():
        make_user(department="Operations/Contact Center")
        make_survey()
        make_survey(name="Draft", launch=False)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_within_its_documented_schema(case, app, token, data):
    case.call_and_validate(
        app=app,
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
