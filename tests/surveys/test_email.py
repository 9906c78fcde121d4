"""Invitations and reminders by email: the outbox, a real SMTP server, and a real RQ worker."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Invitation, OutboxMessage, utcnow
from cxculture.services import accounts, mail, plans, surveys, training
from cxculture.services.training import assignments
from tests.conftest import build_app, empty_tables
from tests.factories import make_survey, make_user

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return _free_port()


@pytest.fixture
def inbox(smtp_port) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def mail_app(database_url, tmp_path, smtp_port, _schema):
    app = build_app(
        database_url,
        tmp_path / "instance",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_USE_TLS="false",
        MAIL_DEFAULT_SENDER="hr@example.test",
    )
    yield app
    with app.app_context():
        empty_tables()
        db.engine.dispose()


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _pending() -> int:
    return db.session.execute(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
    ).scalar_one()


def test_without_a_mail_server_messages_go_to_the_log_and_stay_in_the_outbox(ctx, caplog):
    make_user(department="IT", email="reader@example.test")
    caplog.set_level("INFO", logger="cxculture.services.mail")
    make_survey()
    assert _pending() == 0
    stored = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.to_email == "reader@example.test")
    ).scalar_one()
    assert stored.sent_at is not None
    assert stored.delivered_by == "log"  # the outbox says "logged", never "sent"
    assert "reader@example.test" in caplog.text
    # The outbox holds a slot, never the personal link: it is made as the email leaves.
    assert mail.LINK_SLOT in stored.body
    assert stored.invitation_id is not None
    assert "/s/" not in stored.body


def test_invitations_arrive_through_smtp_in_each_persons_language(mail_app, inbox):
    with mail_app.app_context():
        make_user(department="IT", email="lucia@example.test", locale="es")
        make_user(department="IT", email="rita@example.test", locale="pt_BR")
        survey_id = make_survey(name="Onda de outubro").id
        assert _pending() == 0
    received = {message["To"]: message for message in inbox.messages}
    assert {"lucia@example.test", "rita@example.test"} <= set(received)
    assert received["lucia@example.test"]["Content-Language"] == "es"
    with mail_app.app_context():
        assert set(db.session.execute(select(OutboxMessage.delivered_by)).scalars()) == {"smtp"}
    assert "Onda de outubro" in _subject(received["rita@example.test"])
    body = received["rita@example.test"].get_payload(decode=True).decode()
    link = re.search(r"http://\S+/s/([A-Za-z0-9_-]{24})\b", body)
    assert link is not None
    assert mail.LINK_SLOT not in body
    with mail_app.app_context():
        invitation = db.session.execute(
            select(Invitation)
            .join(Invitation.user)
            .where(Invitation.survey_id == survey_id)
            .where(Invitation.link_hash == mail.token_hash(link.group(1)))
        ).scalar_one()
        assert invitation.user.email == "rita@example.test"


def test_a_mail_server_that_is_down_leaves_the_launch_whole_and_the_emails_queued(
    mail_app, smtp_port
):
    with mail_app.app_context():
        for _ in range(3):
            make_user(department="IT")
        survey = make_survey()  # nothing listens on smtp_port yet
        invited = db.session.execute(
            select(func.count(Invitation.id)).where(Invitation.survey_id == survey.id)
        ).scalar_one()
        assert invited == 4
        assert _pending() == 4
        failed = (
            db.session.execute(
                select(OutboxMessage.last_error).where(OutboxMessage.last_error.is_not(None))
            )
            .scalars()
            .all()
        )
        assert len(failed) == 4
        survey_id = survey.id

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with mail_app.app_context():
            survey = surveys.get_survey(survey_id)
            surveys.retry_emails(survey, make_user(is_hr_admin=True))
            assert _pending() == 0
            again = db.session.execute(
                select(func.count(Invitation.id)).where(Invitation.survey_id == survey_id)
            ).scalar_one()
            assert again == invited  # retrying never invites twice
    finally:
        controller.stop()
    assert len(handler.messages) == 4


def test_one_refused_address_does_not_stop_the_others(mail_app, inbox, monkeypatch):
    import smtplib

    with mail_app.app_context():
        make_user(department="IT", email="bounce@example.test")
        make_user(department="IT", email="fine@example.test")
        original = smtplib.SMTP.send_message

        def refuse_bounce(self, msg, *args, **kwargs):
            if msg["To"] == "bounce@example.test":
                raise smtplib.SMTPRecipientsRefused({"bounce@example.test": (550, b"no")})
            return original(self, msg, *args, **kwargs)

        monkeypatch.setattr(smtplib.SMTP, "send_message", refuse_bounce)
        make_survey()
        report_pending = _pending()
    assert report_pending == 1
    assert "fine@example.test" in {message["To"] for message in inbox.messages}


def _redis_or_skip() -> Redis:
    redis = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        redis.ping()
    except RedisConnectionError:
        if os.environ.get("CI") == "true":
            raise  # CI has Redis: its absence is a failure, not a skip
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return redis


@pytest.mark.usefixtures("_schema")
def test_with_redis_launch_queues_the_emails_for_a_real_worker(database_url, tmp_path):
    redis = _redis_or_skip()
    redis.flushdb()
    app = build_app(database_url, tmp_path / "instance", REDIS_URL=REDIS_TEST_URL)
    try:
        with app.app_context():
            for _ in range(2):
                make_user(department="IT")
            make_survey()
            assert _pending() == 3  # queued, not sent inside the request
            queue = mail.queue()
            assert queue.count == 1
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
            db.session.expire_all()
            assert _pending() == 0
    finally:
        redis.flushdb()
        with app.app_context():
            empty_tables()
            db.engine.dispose()


def test_send_emails_command_delivers_what_is_queued(ctx):
    make_user(department="IT")
    survey = make_survey()
    db.session.add(
        OutboxMessage(
            kind="invitation",
            to_email="late@example.test",
            locale="en",
            subject="s",
            body="b",
            survey_id=survey.id,
        )
    )
    db.session.commit()
    result = ctx.test_cli_runner().invoke(args=["send-emails"])
    assert "1 sent" in result.output
    assert mail.deliver_pending().sent == 0


# -- Every kind of email in its recipient's language -------------------------------------------


def _queue_invitations(people):
    make_survey(name="Onda 1")


def _queue_reminders(people):
    survey = make_survey(name="Onda 1")
    surveys.send_reminders(survey, people[0], utcnow())


def _queue_set_password(people):
    accounts.queue_set_password_emails(people)
    db.session.commit()


def _queue_password_reset(people):
    for person in people:
        accounts.request_password_reset(person.email)


def _queue_login_alerts(people):
    for person in people:
        assert any(accounts.note_failed_login(person.email) for _ in range(10))


def _queue_training_overdue(people):
    training.load_modules()
    module = training.get_module("who-is-my-customer")
    today = utcnow().date()
    assignments.assign_to_department(people[0], module, people[0].department, today, None, today)
    assignments.queue_overdue_reminders(today + timedelta(days=1))


def _queue_plan_overdue(people):
    hr = people[0]
    survey = make_survey()
    surveys.close_survey(survey, hr, utcnow())
    plan = plans.create_plan(hr, hr.department, survey, ["listen"], utcnow())
    today = utcnow().date()
    for person in people:
        action = plans.add_action(hr, plan, "Call back", person.id, today, today)
        action.due_on = today - timedelta(days=1)  # written before, due since
    db.session.commit()
    plans.reminders.remind_overdue_actions(utcnow())


EMAIL_KINDS = {
    "invitation": _queue_invitations,
    "reminder": _queue_reminders,
    "set_password": _queue_set_password,
    "password_reset": _queue_password_reset,
    "login_alert": _queue_login_alerts,
    "training_overdue": _queue_training_overdue,
    "plan_overdue": _queue_plan_overdue,
}


@pytest.mark.parametrize("kind", sorted(EMAIL_KINDS))
def test_every_email_is_written_in_its_recipients_language(ctx, kind):
    """Subject and body of each kind of email, for a reader of each language: the same email
    in English, Brazilian Portuguese and Spanish, never English to the other two."""
    people = [
        make_user(
            department="IT", email=f"{locale.lower()}@example.test", locale=locale, is_hr_admin=True
        )
        for locale in ("en", "pt_BR", "es")
    ]
    EMAIL_KINDS[kind](people)
    sent = {
        message.locale: message
        for message in db.session.execute(
            select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.to_email.like("%@example.test")
            )
        ).scalars()
    }
    assert set(sent) == {"en", "pt_BR", "es"}
    for locale in ("pt_BR", "es"):
        assert sent[locale].to_email == f"{locale.lower()}@example.test"
        assert sent[locale].subject != sent["en"].subject
        assert "Hello," not in sent[locale].body
        assert not re.search(r"\d{4}-\d{2}-\d{2}", sent[locale].body)
    assert sent["pt_BR"].subject != sent["es"].subject
