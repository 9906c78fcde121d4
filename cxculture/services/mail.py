"""Email: messages are queued in the outbox inside the caller's transaction, then delivered by
SMTP when MAIL_SERVER is set, or written to the log when it is not (the outbox keeps them)."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
BATCH = 200


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
    sent = failed = 0
    refused: set[int] = set()
    has_server = bool(current_app.config["MAIL_SERVER"])
    while True:
        query = pending_query(survey_id)
        if refused:
            query = query.where(OutboxMessage.id.not_in(refused))
        batch = db.session.execute(query.limit(BATCH)).scalars().all()
        if not batch:
            break
        smtp = None
        try:
            if has_server:
                smtp = _smtp()
            for message in batch:
                if smtp is None:
                    log.info("Email (no MAIL_SERVER) to %s: %s", message.to_email, message.subject)
                else:
                    try:
                        smtp.send_message(_as_email(message))
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                        # This address was refused; the others in the batch still go.
                        message.attempts += 1
                        message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                        failed += 1
                        refused.add(message.id)
                        continue
                message.sent_at = utcnow()
                message.attempts += 1
                message.last_error = None
                sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            for message in batch:
                if message.sent_at is None:
                    message.attempts += 1
                    message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    failed += 1
            log.warning("Email delivery failed, %d messages kept for a retry: %s", failed, exc)
            db.session.commit()
            break
        finally:
            if smtp is not None:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    smtp.quit()
        db.session.commit()
    return DeliveryReport(sent=sent, failed=failed)
