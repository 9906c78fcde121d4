"""The demo company (two waves, departments of every size) and helpers to read its results."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Survey, utcnow


@pytest.fixture
def demo(app) -> int:
    """Seed the demo data; the closed first wave's id."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        return db.session.execute(
            select(Survey.id).where(Survey.name == "Customer orientation, first wave")
        ).scalar_one()


@pytest.fixture
def guarded(app, demo) -> disclosure.Release:
    """The closed wave as released, as every output must show it."""
    with app.app_context():
        return disclosure.release_of(db.session.get(Survey, demo), utcnow())


@pytest.fixture
def hidden_key(guarded) -> str:
    """A department the guard hides in the demo's closed wave."""
    return next(group.key for group in guarded.departments() if group.is_suppressed)
