"""Email: messages are queued in the outbox inside the caller's transaction, then delivered by
SMTP when MAIL_SERVER is set, or written to the log when it is not (the outbox keeps them)."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import Select, func, insert, literal, select, update

from config import SUPPORTED_LOCALES
from cxculture.extensions import db
from cxculture.models import OutboxMessage, Survey, User, utcnow

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


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int


def pending_query(survey_id: int | None = None):
    query = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
    if survey_id is not None:
        query = query.where(OutboxMessage.survey_id == survey_id)
    return query


def _smtp() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email.set_content(message.body)
    email["Content-Language"] = message.locale.replace("_", "-")  # after: set_content resets it
    return email


def deliver_pending(survey_id: int | None = None) -> DeliveryReport:
    """Send every unsent message (of one survey, or all); failures stay queued for a retry."""
    if not current_app.config["MAIL_SERVER"]:
        return _write_to_log(survey_id)
    return _send_by_smtp(survey_id)


def _write_to_log(survey_id: int | None) -> DeliveryReport:
    """Without a mail server the outbox is the destination: log each message, mark it sent."""
    sent = 0
    query = pending_query(survey_id).with_only_columns(
        OutboxMessage.id, OutboxMessage.to_email, OutboxMessage.subject
    )
    while batch := db.session.execute(query.limit(BATCH)).all():
        for row in batch:
            log.info("Email (no MAIL_SERVER) to %s: %s", row.to_email, row.subject)
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in batch]))
            .values(sent_at=utcnow(), attempts=OutboxMessage.attempts + 1, last_error=None)
        )
        db.session.commit()
        sent += len(batch)
    return DeliveryReport(sent=sent, failed=0)


def _failed(message: OutboxMessage, exc: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]


def _send_by_smtp(survey_id: int | None) -> DeliveryReport:
    sent = failed = 0
    refused: set[int] = set()  # addresses the server refused: retried next time, not now
    while True:
        query = pending_query(survey_id)
        if refused:
            query = query.where(OutboxMessage.id.not_in(refused))
        batch = db.session.execute(query.limit(BATCH)).scalars().all()
        if not batch:
            break
        try:
            with contextlib.closing(_smtp()) as smtp:
                for message in batch:
                    try:
                        smtp.send_message(_as_email(message))
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                        _failed(message, exc)  # the others in the batch still go
                        refused.add(message.id)
                        failed += 1
                        continue
                    message.sent_at = utcnow()
                    message.attempts += 1
                    message.last_error = None
                    sent += 1
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    smtp.quit()
        except (OSError, smtplib.SMTPException) as exc:
            unsent = [m for m in batch if m.sent_at is None and m.id not in refused]
            for message in unsent:
                _failed(message, exc)
            failed += len(unsent)
            log.warning("Email delivery failed; %d messages kept for a retry: %s", failed, exc)
            db.session.commit()
            break
        db.session.commit()
    return DeliveryReport(sent=sent, failed=failed)
