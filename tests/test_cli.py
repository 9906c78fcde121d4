"""The install commands: create-admin for a real first install, seed-demo for exploring."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from cxculture.extensions import db
from cxculture.models import Department, OutboxMessage, Role, User
from cxculture.services import mail
from cxculture.services.accounts import find_user_by_email
from tests.conftest import build_app
from tests.factories import make_user

STRONG = "a long enough admin passphrase"


def test_create_admin_prompts_for_the_password_and_creates_an_hr_admin(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "Boss@Example.test", "--name", "Bea Boss"],
        input=f"{STRONG}\n{STRONG}\n",
    )
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    with app.app_context():
        user = find_user_by_email("boss@example.test")
        assert user.roles == {Role.EMPLOYEE, Role.HR_ADMIN}
        assert check_password_hash(user.password_hash, STRONG)


def test_create_admin_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "a@example.test", "--name", "A", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    with app.app_context():
        assert find_user_by_email("a@example.test") is None


def test_create_admin_refuses_an_email_already_in_use(app):
    with app.app_context():
        make_user(email="taken@example.test")
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "taken@example.test", "--name", "T", "--password", STRONG]
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_create_admin_refuses_a_look_alike_of_an_email_in_use(app):
    with app.app_context():
        make_user(email="taken@example.test")
    look_alike = "t\u0430ken@example.test"  # a Cyrillic a
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", look_alike, "--name", "T", "--password", STRONG]
    )
    assert result.exit_code == 1
    assert "looks like taken@example.test" in result.output
    assert "already exists" not in result.output


def _counts(app):
    with app.app_context():
        return (
            db.session.execute(select(func.count(Department.id))).scalar_one(),
            db.session.execute(select(func.count(User.id))).scalar_one(),
        )


def test_seed_demo_builds_the_demo_company_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "hr@demo.test" in first.output
    departments, people = _counts(app)
    assert departments >= 8
    assert 110 <= people <= 130

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "0 created" in again.output
    assert _counts(app) == (departments, people)


def test_demo_logins_have_their_roles_and_departments(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        hr = find_user_by_email("hr@demo.test")
        head = find_user_by_email("head.contact@demo.test")
        ana = find_user_by_email("ana@demo.test")
        assert Role.HR_ADMIN in hr.roles
        assert [d.path for d in head.headed_departments] == ["Operations/Contact Center"]
        assert ana.roles == {Role.EMPLOYEE}
        assert ana.department.path == "Operations/Contact Center"
        for person in (hr, head, ana):
            assert check_password_hash(person.password_hash, "cxdemo")


def test_demo_company_is_a_tree_with_heads_and_three_languages(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        paths = set(db.session.execute(select(Department.path)).scalars())
        assert {
            "Operations/Contact Center",
            "Operations/Social Media Care",
            "Operations/Logistics",
            "Commercial/Sales",
            "Commercial/Marketing",
            "Finance",
            "IT",
        } <= paths
        locales = dict(
            db.session.execute(select(User.locale, func.count()).group_by(User.locale)).all()
        )
        assert set(locales) == {"en", "pt_BR", "es"}
        names = db.session.execute(select(User.name)).scalars().all()
        assert any(not name.isascii() for name in names)  # accents survive
        headless = (
            db.session.execute(select(Department.path).where(~Department.heads.any()))
            .scalars()
            .all()
        )
        assert headless == []


def test_seed_demo_password_option_and_if_empty(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--password", "another-demo-pass"])
    assert result.exit_code == 0
    with app.app_context():
        ana = find_user_by_email("ana@demo.test")
        assert check_password_hash(ana.password_hash, "another-demo-pass")
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "was not added" in skipped.output
    assert "ana@demo.test" in skipped.output  # the logins are still shown


def test_seed_demo_if_empty_leaves_a_real_installation_alone(app):
    with app.app_context():
        make_user(email="real.person@example.test")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert _counts(app)[1] == 1


def test_maintain_runs_the_periodic_work_inline_without_redis(app):
    with app.app_context():
        db.session.add(
            OutboxMessage(
                kind="reminder", to_email="a@example.test", locale="en", subject="S", body="B"
            )
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["maintain"])
    assert result.exit_code == 0, result.output
    assert "0 enrolled by rules, 0 reminders queued, 1 emails sent" in result.output
    with app.app_context():
        assert db.session.execute(select(OutboxMessage.sent_at)).scalar_one() is not None


@pytest.mark.usefixtures("_schema")
def test_maintain_queues_a_job_when_redis_is_set(database_url, tmp_path):
    url = "redis://127.0.0.1:6379/15"
    try:
        Redis.from_url(url, socket_connect_timeout=2).ping()
    except RedisError:
        pytest.skip("Redis is not reachable")
    app = build_app(database_url, tmp_path / "instance", REDIS_URL=url)
    with app.app_context():
        queue = mail.queue()
        queue.empty()
        result = app.test_cli_runner().invoke(args=["maintain"])
        assert result.exit_code == 0, result.output
        assert "Maintenance queued for the workers." in result.output
        assert [job.func_name for job in queue.get_jobs()] == ["cxculture.jobs.maintenance"]
        queue.empty()
        db.engine.dispose()
