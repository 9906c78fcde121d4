"""Delivering email: started in one place, right after the commit of the transaction that
queued it, for web requests, commands and jobs alike.

A service that queues a message marks the session (``note_queued``); when that transaction
commits, delivery starts here: handed to the workers when REDIS_URL is set; otherwise, in a
web request, after the answer has gone to the browser (no answer waits for a mail server, and
its timing tells nothing of what was sent), and in a command or a job, at once. A rolled-back
transaction sends nothing, its messages being gone with it. Messages go by SMTP when
MAIL_SERVER is set, or are written to the log when it is not (the outbox keeps them). A mail
server that is down leaves them queued for the next delivery or ``send-emails``.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, Response, after_this_request, current_app, has_request_context, url_for
from flask_sqlalchemy.session import Session as AppSession
from redis import Redis
from rq import Queue
from sqlalchemy import Select, event, select, update
from sqlalchemy.orm import Session, scoped_session

from cxculture.extensions import db
from cxculture.models import OutboxMessage, utcnow
from cxculture.services.mail.links import LINK_SLOT, link_pattern, link_tokens

log = logging.getLogger(__name__)
BATCH = 1000
QUEUED = "cxculture.mail_queued"  # a flag in the session's info: this transaction queued mail
QUEUE_NAME = "cxculture"
DELIVERY_JOB = "cxculture.jobs.deliver_outbox"  # by name: the job module sits above services
# Where delivery reads and writes: the app's session (db.session) or a session of its own.
_AnySession = Session | scoped_session[AppSession]


def note_queued() -> None:
    """Mark the current transaction: it queued messages, to deliver once it commits."""
    db.session.info[QUEUED] = True


def queue() -> Queue | None:
    """The workers' queue, or None when there are no workers (no REDIS_URL)."""
    url = current_app.config.get("REDIS_URL")
    return Queue(QUEUE_NAME, connection=Redis.from_url(url)) if url else None


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(QUEUED, None)


@event.listens_for(Session, "after_commit")
def _deliver_committed(session: Session) -> None:
    """The one place delivery starts: after a commit that queued messages."""
    if not session.info.pop(QUEUED, False):
        return
    workers = queue()
    if workers is not None:
        workers.enqueue(DELIVERY_JOB)
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]

    def deliver() -> None:
        # The committed session emits no more SQL: delivery takes a session of its own.
        with app.app_context(), Session(db.engine) as own:
            deliver_pending(session=own)

    if has_request_context():

        @after_this_request
        def after_the_answer(response: Response) -> Response:
            response.call_on_close(deliver)
            return response

    else:
        deliver()


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int


def pending_query(survey_id: int | None = None) -> Select[OutboxMessage]:
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


def _as_email(message: OutboxMessage, body: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email.set_content(body)
    email["Content-Language"] = message.locale.replace("_", "-")  # after: set_content resets it
    return email


def deliver_pending(survey_id: int | None = None, session: Session | None = None) -> DeliveryReport:
    """Send every unsent message (of one survey, or all) now, in ``session`` (by default the
    app's); failures stay queued for a retry. What services queue is delivered without calling
    this: see the module's note."""
    used = db.session if session is None else session
    if not current_app.config["MAIL_SERVER"]:
        return _write_to_log(survey_id, used)
    return _send_by_smtp(survey_id, used)


def _write_to_log(survey_id: int | None, session: _AnySession) -> DeliveryReport:
    """Without a mail server the outbox is the destination: log each message, mark it sent."""
    sent = 0
    query = pending_query(survey_id).with_only_columns(
        OutboxMessage.id, OutboxMessage.to_email, OutboxMessage.subject
    )
    while batch := session.execute(query.limit(BATCH)).all():
        for row in batch:
            log.info("Email (no MAIL_SERVER) to %s: %s", row.to_email, row.subject)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in batch]))
            .values(
                sent_at=utcnow(),
                delivered_by="log",
                attempts=OutboxMessage.attempts + 1,
                last_error=None,
            )
        )
        session.commit()
        sent += len(batch)
    return DeliveryReport(sent=sent, failed=0)


def _failed(message: OutboxMessage, exc: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]


def _with_links(batch: Sequence[OutboxMessage], session: _AnySession) -> dict[int, str]:
    """Each message's body as sent: its link slot filled with the personal link (made now, held
    by no row). A slot whose invitation is gone (the person was erased) gets the sign-in page."""
    wanted = {m.invitation_id for m in batch if m.invitation_id and LINK_SLOT in m.body}
    tokens = link_tokens(session, wanted)
    pattern, marker = link_pattern()
    bodies = {}
    for message in batch:
        body = message.body
        if LINK_SLOT in body:
            token = tokens.get(message.invitation_id or 0)
            link = pattern.replace(marker, token) if token else _sign_in_url()
            body = body.replace(LINK_SLOT, link)
        bodies[message.id] = body
    return bodies


def _sign_in_url() -> str:
    with current_app.test_request_context(base_url=current_app.config["CX_BASE_URL"]):
        return url_for("auth.login", _external=True)


def _send_by_smtp(survey_id: int | None, session: _AnySession) -> DeliveryReport:
    sent = failed = 0
    refused: set[int] = set()  # addresses the server refused: retried next time, not now
    while True:
        query = pending_query(survey_id)
        if refused:
            query = query.where(OutboxMessage.id.not_in(refused))
        batch = session.execute(query.limit(BATCH)).scalars().all()
        if not batch:
            break
        bodies = _with_links(batch, session)
        try:
            with contextlib.closing(_smtp()) as smtp:
                for message in batch:
                    try:
                        smtp.send_message(_as_email(message, bodies[message.id]))
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                        _failed(message, exc)  # the others in the batch still go
                        refused.add(message.id)
                        failed += 1
                        continue
                    message.sent_at = utcnow()
                    message.delivered_by = "smtp"
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
            session.commit()
            break
        session.commit()
    return DeliveryReport(sent=sent, failed=failed)
