"""Queueing email: every message is a row of the outbox, written in the transaction of the change
that caused it (and so gone with it when that change is rolled back). Delivery starts after the
commit, in one place (``delivery``): no service sends anything itself."""

from __future__ import annotations

import logging

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import ColumnElement, func, insert, literal, select

from config import SUPPORTED_LOCALES
from cxculture.extensions import db
from cxculture.models import Invitation, OutboxMessage, Survey, User
from cxculture.services.mail.delivery import note_queued
from cxculture.services.mail.links import LINK_SLOT

log = logging.getLogger(__name__)
BATCH = 1000


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email, built on CX_BASE_URL (emails leave the request that made them)."""
    with current_app.test_request_context(base_url=current_app.config["CX_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def render_email(template: str, locale: str, **context) -> tuple[str, str]:
    """(subject, body) of ``templates/email/<template>.txt`` in ``locale``.

    The first line of the rendered template is the subject; the rest is the body. The template
    knows its language as ``locale``.
    """
    with current_app.test_request_context(), force_locale(locale):
        rendered = render_template(f"email/{template}.txt", locale=locale, **context)
    subject, _, body = rendered.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def queue_survey_emails(
    kind: str,
    survey: Survey,
    invitations: ColumnElement[bool],
    *,
    hide_recipients: bool = False,
) -> None:
    """Queue the ``kind`` email (``templates/email/<kind>.txt``) of ``survey`` for the invited
    people that ``invitations`` (a condition on Invitation and User) selects, each in their
    language and with a slot for their personal link, made as the email leaves (``links``):
    one INSERT ... SELECT per language, no rows through Python. People without an email address
    are left out (they answer with printed codes). The caller's transaction commits them."""
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    columns = ["kind", "to_email", "locale", "subject", "body", "survey_id", "invitation_id"]
    for locale in SUPPORTED_LOCALES:
        subject, body = render_email(kind, locale, survey=survey, link=LINK_SLOT)
        people = (
            select(
                literal(kind),
                User.email,
                literal(locale),
                literal(subject),
                literal(body),
                literal(survey.id),
                Invitation.id,
                literal(hide_recipients),
            )
            .select_from(Invitation)
            .join(User, User.id == Invitation.user_id)
            .where(
                Invitation.survey_id == survey.id,
                User.email.is_not(None),
                func.coalesce(User.locale, default_locale) == locale,
                invitations,
            )
        )
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
