"""Confidential releases: results released in snapshots, personal suggestions kept personal,
anonymous answers timed to the day only, sessions kept on the server

Revision ID: 0008_releases
Revises: 0007_audit_retention
Create Date: 2026-12-06 00:59:24.886311

"""
from datetime import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_releases'
down_revision = '0007_audit_retention'
branch_labels = None
depends_on = None


def _keep_suggestions_personal() -> None:
    """Modules enrolled automatically from a person's own answers ('recommended') were listed to
    heads and HR. Those never opened go (the person still sees them suggested); those the person
    worked on become their own ('self'), which nobody else sees."""
    op.execute(
        "DELETE FROM enrolments WHERE source = 'recommended' AND quiz_attempts = 0 "
        "AND completed_at IS NULL AND reflection IS NULL"
    )
    op.execute("UPDATE enrolments SET source = 'self' WHERE source = 'recommended'")
    op.execute(
        "UPDATE enrolments SET assigned_at = created_at WHERE source IN ('department', 'rule')"
    )


def _anonymous_answers_to_the_day() -> None:
    """An anonymous survey's invitations keep only the day they were answered on."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT invitations.id, invitations.submitted_at FROM invitations "
            "JOIN surveys ON surveys.id = invitations.survey_id "
            "WHERE surveys.privacy_mode = 'anonymous' AND invitations.submitted_at IS NOT NULL"
        )
    ).all()
    for invitation_id, submitted_at in rows:
        if isinstance(submitted_at, str):  # SQLite hands back text
            submitted_at = datetime.fromisoformat(submitted_at)
        day = datetime(submitted_at.year, submitted_at.month, submitted_at.day)
        bind.execute(
            sa.text("UPDATE invitations SET submitted_at = :day WHERE id = :id"),
            {"day": day, "id": invitation_id},
        )


def upgrade():
    op.create_table('user_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_user_sessions'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('result_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('is_closing', sa.Boolean(), nullable=False),
    sa.Column('path_counts', sa.JSON(), nullable=False),
    sa.Column('text_groups', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_result_snapshots_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_snapshots')),
    sa.UniqueConstraint('survey_id', 'seq', name=op.f('uq_result_snapshots_survey_id'))
    )
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_snapshots_survey_id'), ['survey_id'], unique=False)

    op.create_table('released_groups',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=1000), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['result_snapshots.id'], name=op.f('fk_released_groups_snapshot_id_result_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('snapshot_id', 'group_key', name=op.f('pk_released_groups'))
    )

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(), nullable=True))
    _keep_suggestions_personal()
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_enrolments_source_known'), type_='check')
        batch_op.create_check_constraint(
            'source_known', "source IN ('self', 'department', 'rule')"
        )

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_results', sa.Boolean(), server_default=sa.text('false'), nullable=False))

    _anonymous_answers_to_the_day()


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('live_results')

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_enrolments_source_known'), type_='check')
        batch_op.create_check_constraint(
            'source_known', "source IN ('self', 'recommended', 'department', 'rule')"
        )
        batch_op.drop_column('assigned_at')

    op.drop_table('released_groups')
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_snapshots_survey_id'))

    op.drop_table('result_snapshots')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_expires_at'))

    op.drop_table('user_sessions')
