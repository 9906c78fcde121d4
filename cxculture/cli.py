"""``flask --app cxculture ...`` commands for installing and operating the product."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import SimpleWorker

from cxculture import demo, jobs
from cxculture.lexicons import lexicon_dir
from cxculture.models import utcnow
from cxculture.passwords import PasswordProblem
from cxculture.scoring import role_statement
from cxculture.services import accounts, mail, training
from cxculture.services.accounts import tokens
from cxculture.services.org import roster
from cxculture.services.org.roster.labels import ROSTER_FILE_ERRORS, ROSTER_PROBLEMS
from cxculture.services.plans import reminders as plan_reminders
from cxculture.services.surveys import questionnaires, responses, retention
from cxculture.services.training import assignments

ROSTER_LINES_SHOWN = 200  # rejected rows printed; the count says how many more

PASSWORD_PROBLEM_TEXT = {
    PasswordProblem.TOO_SHORT: "use at least 12 characters",
    PasswordProblem.TOO_LONG: "use at most 256 characters",
    PasswordProblem.CONTAINS_EMAIL: "do not use the email address in the password",
    PasswordProblem.COMMON: "this is one of the most common passwords",
    PasswordProblem.GUESSABLE: "this is easy to guess (keyboard row, repeat, sequence, date)",
}


@click.command("create-admin")
@click.option("--email", required=True, help="The HR admin's email address (their login).")
@click.option("--name", required=True, help="The HR admin's full name.")
@click.password_option(help="Asked for when not given; at least 12 characters.")
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an HR admin account: the first step of a real installation."""
    try:
        user = accounts.create_admin(email, name, password)
    except accounts.EmailLooksTaken as exc:
        raise click.ClickException(f"Refused: {exc}.") from None
    except accounts.EmailTaken:
        raise click.ClickException(f"An account for {email} already exists.") from None
    except accounts.WeakPassword as exc:
        reasons = "; ".join(PASSWORD_PROBLEM_TEXT[p] for p in exc.problems)
        raise click.ClickException(f"Password refused: {reasons}.") from None
    click.echo(f"HR admin {user.email} created. Log in at /auth/login.")


@click.command("create-api-token")
@click.option("--name", required=True, help="What will use it, e.g. 'Payroll sync' or 'Power BI'.")
@click.option(
    "--scopes",
    required=True,
    help=f"Comma-separated, among: {', '.join(tokens.SCOPES)}.",
)
@click.option("--expires-in-days", type=int, help="Stop working after this many days (1-3650).")
@with_appcontext
def create_api_token_command(name: str, scopes: str, expires_in_days: int | None) -> None:
    """Create a token for the JSON API; it is printed once and never stored in clear."""
    try:
        issued = tokens.issue_token(name, scopes, None, utcnow(), expires_in_days)
    except tokens.InvalidTokenRequest as exc:
        reasons = {
            "name": "give a name of at most 100 characters",
            "scopes": f"use scopes among {', '.join(tokens.SCOPES)}",
            "valid_days": "the validity is 1 to 3650 days",
        }
        raise click.ClickException(f"Token refused: {reasons[exc.field]}.") from None
    token = issued.token
    expiry = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
    click.echo(f"API token {token.name!r} ({token.scopes}{expiry}). Shown this once; keep it safe:")
    click.echo(issued.secret)


@click.command("seed-demo")
@click.option(
    "--password",
    default=demo.DEFAULT_PASSWORD,
    show_default=True,
    help="Password of every demo account created by this run.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has people.")
@with_appcontext
def seed_demo_command(password: str, if_empty: bool) -> None:
    """Create the demo company (idempotent: running it again adds only what is missing)."""
    if if_empty and not demo.is_database_empty():
        click.echo("The database already has people; the demo company was not added.")
    else:
        report = demo.seed_demo(password)
        click.echo(
            f"Demo company ready: {report.departments} departments, {report.people_total} people "
            f"({report.people_created} created by this run), "
            f"{report.responses_created} survey responses added."
        )
    logins = demo.existing_demo_logins()
    if logins:
        click.echo(
            f"Demo logins (password {demo.DEFAULT_PASSWORD!r} unless seeded with --password):"
        )
        for person in logins:
            click.echo(f"  {person.login:<28} {person.role}")


@click.command("load-instrument")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def load_instrument_command(path: str | None) -> None:
    """Load a questionnaire from YAML (default: every shipped version of the Customer
    Orientation Index)."""
    paths = [Path(path)] if path else list(questionnaires.SHIPPED_INSTRUMENTS)
    for each in paths:
        try:
            instrument, created = questionnaires.load_instrument(each)
        except questionnaires.InstrumentError as exc:
            raise click.ClickException(f"Questionnaire refused: {exc}") from None
        verb = "Loaded" if created else "Already loaded:"
        outcome = " and the outcome question" if instrument.outcome_question else ""
        click.echo(
            f"{verb} {instrument.key} v{instrument.version}, "
            f"{len(instrument.items)} items{outcome}."
        )


@click.command("load-modules")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
@with_appcontext
def load_modules_command(folder: str | None) -> None:
    """Load training modules (default: the shipped catalogue); existing texts are kept."""
    try:
        modules, texts = training.load_modules(Path(folder) if folder else training.MODULES)
    except training.ModuleError as exc:
        raise click.ClickException(f"Module refused: {exc}") from None
    click.echo(f"{modules} modules and {texts} texts added.")


@click.command("send-emails")
@with_appcontext
def send_emails_command() -> None:
    """Deliver every queued email now (the outbox), for example from cron."""
    report = mail.deliver_pending()
    click.echo(f"{report.sent} sent, {report.failed} kept for a retry.")
    if report.failed:
        raise SystemExit(1)


@click.command("send-training-reminders")
@with_appcontext
def send_training_reminders_command() -> None:
    """Queue and send a reminder for every overdue training module, and one to each owner of
    overdue focus plan actions (run it daily, e.g. cron)."""
    queued = assignments.queue_overdue_reminders(utcnow().date())  # delivered at the end
    click.echo(f"{queued} overdue reminders queued.")
    owners = plan_reminders.remind_overdue_actions(utcnow())
    click.echo(f"{owners} focus plan reminders queued.")


@click.command("apply-training-rules")
@with_appcontext
def apply_training_rules_command() -> None:
    """Apply HR's training rules of surveys that have closed (run it daily, e.g. cron)."""
    click.echo(f"{assignments.apply_closed_surveys(utcnow())} people enrolled by rules.")


@click.command("maintain")
@with_appcontext
def maintain_command() -> None:
    """The periodic work (closed surveys' training rules, overdue reminders, the outbox):
    queued for a worker when REDIS_URL is set, else done now. Run it from cron on one machine,
    every few minutes. Expired and ended sessions are deleted here in any case."""
    sessions = accounts.delete_dead_sessions(utcnow())
    click.echo(f"{sessions} expired or ended sessions deleted.")
    outcome = jobs.run_maintenance()
    if outcome is None:
        click.echo("Maintenance queued for the workers.")
    else:
        click.echo(
            f"{outcome['enrolled']} enrolled by rules, {outcome['reminders']} reminders queued,"
            f" {outcome['sent']} emails sent, {outcome['failed']} kept for a retry."
        )


@click.command("delete-expired-free-text")
@click.option("--dry-run", is_flag=True, help="List the surveys; delete nothing.")
@with_appcontext
def delete_expired_free_text_command(dry_run: bool) -> None:
    """Delete the free-text answers of every survey closed for longer than
    CX_FREE_TEXT_RETENTION_DAYS (not part of maintain: schedule it only if your policy is to
    delete automatically)."""
    now = utcnow()
    found = retention.expired_surveys(now) if dry_run else retention.delete_expired_free_text(now)
    for survey in found:
        click.echo(f"  {survey.name} (closed {survey.closes_at:%Y-%m-%d})")
    verb = "would be deleted" if dry_run else "deleted"
    click.echo(f"Free-text answers of {len(found)} surveys {verb}.")


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the background worker (needs REDIS_URL): sends the emails queued by the app."""
    rq_queue = mail.queue()
    if rq_queue is None:
        raise click.ClickException("REDIS_URL is not set: background work runs inline.")
    SimpleWorker([rq_queue], connection=rq_queue.connection).work()


@click.command("classify-role")
@click.argument("text")
@click.option("--lang", type=click.Choice(["en", "pt", "es"]), help="Detected when not given.")
@with_appcontext
def classify_role_command(text: str, lang: str | None) -> None:
    """Apply the Deming/Drucker test to TEXT: print the category and why."""
    result = role_statement.classify(text, lang, lexicon_dir())
    click.echo(f"{result.category} ({result.lang})")
    for item in result.evidence:
        click.echo(f"  {item.kind:<18} {item.phrase!r} at {item.start}-{item.end}")


@click.command("rescore")
@click.option("--survey", "survey_id", type=int, help="Only this survey (default: all).")
@with_appcontext
def rescore_command(survey_id: int | None) -> None:
    """Recompute stored scores and role categories, e.g. after the lexicons changed."""
    changed, total = responses.rescore(survey_id)
    click.echo(f"{total} responses rescored; {changed} changed category.")


@click.command("import-roster")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option(
    "--deactivate-missing",
    is_flag=True,
    help="Deactivate people with an employee number who are not in the file (leavers).",
)
@click.option("--no-emails", is_flag=True, help="Do not email newcomers their set-password link.")
@with_appcontext
def import_roster_command(
    path: str, dry_run: bool, deactivate_missing: bool, no_emails: bool
) -> None:
    """Create, update and deactivate people from the HR system's export (CSV or XLSX)."""
    data = Path(path).read_bytes()
    try:
        parsed = roster.read_roster(data, current_app.config["MAX_CONTENT_LENGTH"])
    except roster.RosterFileError as exc:
        message = str(ROSTER_FILE_ERRORS[exc.code]) % {"detail": exc.detail}
        raise click.ClickException(message) from exc
    plan = roster.plan_roster(parsed, deactivate_missing=deactivate_missing)
    how = f"{parsed.encoding}, '{parsed.delimiter}'" if parsed.delimiter else "Excel workbook"
    click.echo(f"{path}: {parsed.data_rows} rows ({how}).")
    if parsed.unknown_columns:
        click.echo(f"Columns not used: {', '.join(parsed.unknown_columns)}")
    for name, count in plan.counts().items():
        click.echo(f"  {name.replace('_', ' ')}: {count}")
    for problem in plan.problems[:ROSTER_LINES_SHOWN]:
        value = f" ({problem.value})" if problem.value else ""
        click.echo(f"  line {problem.line}: {ROSTER_PROBLEMS[problem.reason]}{value}")
    if len(plan.problems) > ROSTER_LINES_SHOWN:
        click.echo(f"  ... and {len(plan.problems) - ROSTER_LINES_SHOWN} more rejected rows")
    if plan.problems:
        raise click.ClickException("Rows were rejected: nothing was changed. Fix them and retry.")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    roster.apply_roster(
        parsed,
        deactivate_missing=deactivate_missing,
        actor=None,
        now=utcnow(),
        send_emails=not no_emails,
    )
    click.echo("Applied.")


def register_commands(app: Flask) -> None:
    """Attach the commands to ``app``'s CLI."""
    for command in (
        create_admin_command,
        create_api_token_command,
        seed_demo_command,
        load_instrument_command,
        load_modules_command,
        send_emails_command,
        worker_command,
        send_training_reminders_command,
        apply_training_rules_command,
        classify_role_command,
        rescore_command,
        import_roster_command,
        maintain_command,
        delete_expired_free_text_command,
    ):
        app.cli.add_command(command)
