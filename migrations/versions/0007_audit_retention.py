"""Audit and data lifecycle: an append-only audit trail that names people by id, ids never
reused; free text that can be deleted after its retention period

Revision ID: 0007_audit_retention
Revises: 0006_api_tokens
Create Date: 2026-12-01 07:23:19.914006

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_audit_retention'
down_revision = '0006_api_tokens'
branch_labels = None
depends_on = None

# The same text as cxculture.models.audit.APPEND_ONLY_TRIGGERS, frozen here as of this revision.
MESSAGE = "audit_events is append-only"
TRIGGERS = {
    "sqlite": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; "
        "END $$",
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()",
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()",
    ),
}
DROP_TRIGGERS = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS audit_events_no_update",
        "DROP TRIGGER IF EXISTS audit_events_no_delete",
    ),
    "postgresql": (
        "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
        "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
        "DROP FUNCTION IF EXISTS audit_events_refuse_change()",
    ),
}


def _name_people_by_id() -> None:
    """Earlier entries named heads and managers by email; an erased person's email must not
    outlive their account, so they become ids (an email nobody has any more becomes None)."""
    bind = op.get_bind()
    ids = dict(bind.execute(sa.text("SELECT email, id FROM users")).all())
    events = sa.table(
        "audit_events", sa.column("id", sa.Integer), sa.column("action"), sa.column("details")
    )
    rows = bind.execute(
        sa.select(events.c.id, events.c.action, events.c.details).where(
            events.c.action.in_(["org.department_heads_set", "org.person_updated"])
        )
    ).all()
    for event_id, action, raw in rows:
        details = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
        if action == "org.department_heads_set":
            details["heads_before"] = [ids.get(email) for email in details.pop("before", [])]
            details["heads_after"] = [ids.get(email) for email in details.pop("after", [])]
        elif "manager" in details:
            details["manager"] = [ids.get(email) if email else None for email in details["manager"]]
        else:
            continue
        bind.execute(
            sa.text("UPDATE audit_events SET details = :details WHERE id = :id"),
            {"details": json.dumps(details), "id": event_id},
        )


def upgrade():
    dialect = op.get_context().dialect.name
    # An actor's id without a foreign key: erasing a person keeps their entries as they are.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_events_target_type', ['target_type', 'target_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_audit_events_actor_id_users'), type_='foreignkey')

    if dialect == "sqlite":
        # AUTOINCREMENT: an erased person's id is never given to a newcomer. Rebuilding the
        # table is safe because migrations run with foreign keys off (migrations/env.py).
        with op.batch_alter_table(
            'users', recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass

    # Free text can be deleted once its retention period is over (None: deleted).
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.alter_column('role_statement', existing_type=sa.TEXT(), nullable=True)
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('free_text_deleted_at', sa.DateTime(), nullable=True))

    _name_people_by_id()
    # Last: a later batch rebuild of audit_events on SQLite would drop these triggers, so any
    # revision that rebuilds the table must create them again.
    for statement in TRIGGERS.get(dialect, ()):
        op.execute(statement)


def downgrade():
    dialect = op.get_context().dialect.name
    for statement in DROP_TRIGGERS.get(dialect, ()):
        op.execute(statement)
    # Details keep naming people by id: their emails are not brought back.
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('free_text_deleted_at')
    op.execute("UPDATE responses SET role_statement = '' WHERE role_statement IS NULL")
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.alter_column('role_statement', existing_type=sa.TEXT(), nullable=False)

    if dialect == "sqlite":
        with op.batch_alter_table(
            'users', recreate="always", table_kwargs={"sqlite_autoincrement": False}
        ):
            pass

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_actor_id_users'), 'users', ['actor_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_index('ix_audit_events_target_type')
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))
