"""Background work: the jobs the workers run (RQ on Redis when REDIS_URL is set), and the
periodic maintenance, run by a worker or right here when there is none."""

from __future__ import annotations

from cxculture.extensions import db
from cxculture.models import utcnow
from cxculture.services import mail
from cxculture.services.plans import reminders as plan_reminders
from cxculture.services.training import assignments


def deliver_outbox(survey_id: int | None = None) -> mail.DeliveryReport:
    """Job: send the queued emails (of one survey, or all). ``cxculture.services.mail`` queues
    it, by name, after a commit that queued email."""
    try:
        return mail.deliver_pending(survey_id)
    finally:
        db.session.remove()  # a worker runs many jobs in one application context


def maintenance() -> dict[str, int]:
    """Job: the periodic work no request triggers. Training rules of surveys that closed on
    their date, reminders of overdue training (one a day at most), then the outbox. Safe to
    run as often as wanted: each step does only what is not done yet."""
    try:
        now = utcnow()
        enrolled = assignments.apply_closed_surveys(now)
        reminders = assignments.queue_overdue_reminders(now.date())
        reminders += plan_reminders.remind_overdue_actions(now)
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
    workers = mail.queue()
    if workers is None:
        return maintenance()
    workers.enqueue(maintenance)
    return None
