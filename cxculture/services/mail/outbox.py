"""Queueing email: every message is a row of the outbox, written in the transaction of the change
that caused it (and so gone with it when that change is rolled back). Delivery starts after the
commit, in one place (``delivery``): no service sends anything itself."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import Select, func, insert, literal, select

from config import SUPPORTED_LOCALES
from cxculture.extensions import db
from cxculture.models import OutboxMessage, Survey, User
from cxculture.services.mail.delivery import note_queued

log = logging.getLogger(__name__)
BATCH = 1000


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email, built on CX_BASE_URL (emails leave the request that made them)."""
    with current_app.test_request_context(base_url=current_app.config["CX_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def render_email(template: str, locale: str, **context) -> tuple[str, str]:
    """(subject, body) of ``templates/email/<template>.txt`` in ``locale``.

    The first line of the rendered template is the subject; the rest is the body.
    """
    with current_app.test_request_context(), force_locale(locale):
        rendered = render_template(f"email/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def queue_survey_emails(
    kind: str,
    survey: Survey,
    narrow: Callable[[Select], Select],
    *,
    hide_recipients: bool = False,
) -> None:
    """Queue the ``kind`` email (``templates/email/<kind>.txt``) of ``survey`` for the people
    that ``narrow`` selects, each in their language: one INSERT ... SELECT per language, no rows
    through Python. The caller's transaction commits them with the change that caused them."""
    link = absolute_url("surveys.answer", survey_id=survey.id)
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    for locale in SUPPORTED_LOCALES:
        subject, body = render_email(kind, locale, survey=survey, link=link)
        people = narrow(
            select(
                literal(kind),
                User.email,
                literal(locale),
                literal(subject),
                literal(body),
                literal(survey.id),
                literal(hide_recipients),
            )
        ).where(func.coalesce(User.locale, default_locale) == locale)
        columns = ["kind", "to_email", "locale", "subject", "body", "survey_id"]
        db.session.execute(
            insert(OutboxMessage).from_select([*columns, "is_recipient_hidden"], people)
        )
    note_queued()


def queue_messages(rows: list[dict]) -> int:
    """Queue one message per row (``kind``, ``to_email``, ``locale``, ``subject``, ``body``,
    optionally ``survey_id``) in one INSERT; how many."""
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
        note_queued()
    return len(rows)


def queue_message(kind: str, to_email: str, locale: str, subject: str, body: str) -> None:
    """Queue one message (the caller commits)."""
    queue_messages(
        [{"kind": kind, "to_email": to_email, "locale": locale, "subject": subject, "body": body}]
    )
