"""The ceiling of a survey submission: a bare Flask endpoint under the same gunicorn, writing
the same rows (the invitation claim, the response with its scores, the answers) with plain SQL
and nothing else: no login session, CSRF, form validation, scoring or template.

    BENCH_DATABASE_URL=sqlite:///... gunicorn bench.bare_app:app
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, request
from sqlalchemy import create_engine, event, insert, text

from config import normalise_database_url
from cxculture.models import Answer, Response
from cxculture.scoring.dimensions import DIMENSIONS

engine = create_engine(normalise_database_url(os.environ["BENCH_DATABASE_URL"]))
if engine.dialect.name == "sqlite":

    @event.listens_for(engine, "connect")
    def _wait_for_locks(connection, _record) -> None:
        connection.execute("PRAGMA busy_timeout = 5000")
        connection.execute("PRAGMA synchronous = NORMAL")  # as the app does


app = Flask(__name__)
CLAIM = text("UPDATE invitations SET submitted_at = :now WHERE id = :id AND submitted_at IS NULL")


@app.post("/submit/<int:invitation_id>")
def submit(invitation_id: int):
    values = {
        int(key.removeprefix("item_")): int(value)
        for key, value in request.form.items()
        if key.startswith("item_")
    }
    now = datetime.now(UTC).replace(tzinfo=None)
    response_id = uuid.uuid4()
    with engine.begin() as connection:
        if connection.execute(CLAIM, {"now": now, "id": invitation_id}).rowcount != 1:
            return "already answered", 409
        connection.execute(
            insert(Response.__table__),
            {
                "id": response_id,
                "survey_id": int(request.form["survey_id"]),
                "invitation_id": invitation_id,
                "locale": "en",
                "role_statement": request.form["role_statement"],
                "submitted_on": now.date(),
                "role_category": "customer_direct",
                "role_lang": "en",
                "orientation_index": 75.0,
                **{f"score_{dimension}": 75.0 for dimension in DIMENSIONS},
            },
        )
        connection.execute(
            insert(Answer.__table__),
            [
                {"response_id": response_id, "item_id": item, "value": value}
                for item, value in values.items()
            ],
        )
    return "", 204
