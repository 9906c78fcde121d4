"""Background work: on Redis with RQ when REDIS_URL is set, inline otherwise."""

from __future__ import annotations

import logging

from flask import current_app
from redis import Redis
from rq import Queue

from cxculture.extensions import db
from cxculture.models import utcnow
from cxculture.services import assignments, mail

log = logging.getLogger(__name__)
QUEUE_NAME = "cxculture"


def queue() -> Queue | None:
    """The RQ queue, or None when jobs run inline."""
    url = current_app.config.get("REDIS_URL")
    return Queue(QUEUE_NAME, connection=Redis.from_url(url)) if url else None


def deliver_outbox(survey_id: int | None = None) -> mail.DeliveryReport:
    """Job: send the queued emails (of one survey, or all)."""
    try:
        return mail.deliver_pending(survey_id)
    finally:
        db.session.remove()  # a worker runs many jobs in one application context


def send_emails_later(survey_id: int | None = None) -> None:
    """Deliver the outbox in the background, or right away when there is no Redis."""
    rq_queue = queue()
    if rq_queue is None:
        mail.deliver_pending(survey_id)
    else:
        rq_queue.enqueue(deliver_outbox, survey_id)
        log.info("Queued email delivery for survey %s", survey_id)


def send_emails_in_background() -> bool:
    """Hand the outbox to a worker when there is one; never deliver inside the request (a
    request that waits for a mail server tells, by its time, what it should not). Without
    Redis the emails wait for ``maintain`` or ``send-emails``."""
    rq_queue = queue()
    if rq_queue is None:
        return False
    rq_queue.enqueue(deliver_outbox, None)
    return True


def maintenance() -> dict[str, int]:
    """Job: the periodic work no request triggers. Training rules of surveys that closed on
    their date, reminders of overdue training (one a day at most), then the outbox. Safe to
    run as often as wanted: each step does only what is not done yet."""
    try:
        now = utcnow()
        enrolled = assignments.apply_closed_surveys(now)
        reminders = assignments.queue_overdue_reminders(now.date())
        report = mail.deliver_pending()
        return {
            "enrolled": enrolled,
            "reminders": reminders,
            "sent": report.sent,
            "failed": report.failed,
        }
    finally:
        db.session.remove()


def run_maintenance() -> dict[str, int] | None:
    """Queue the maintenance job for a worker, or run it here when there is no Redis (then
    its outcome is returned)."""
    rq_queue = queue()
    if rq_queue is None:
        return maintenance()
    rq_queue.enqueue(maintenance)
    return None
