"""The outcome question and its drivers: questionnaires may ask how likely, from 0 to 10, a
person would recommend what the company delivers; responses keep that answer; and each released
group's key drivers are kept once worked out; plan actions keep when they were marked done

Revision ID: 0012_outcome_drivers
Revises: 0011_focus_plans
Create Date: 2026-12-06 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import cxculture.models.base


# revision identifiers, used by Alembic.
revision = '0012_outcome_drivers'
down_revision = '0011_focus_plans'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('released_drivers',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=1000), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['result_snapshots.id'], name=op.f('fk_released_drivers_snapshot_id_result_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('snapshot_id', 'group_key', 'outcome', name=op.f('pk_released_drivers'))
    )
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_question', sa.JSON(), nullable=True))

    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_at', cxculture.models.base.UTCDateTime(), nullable=True))

    _date_done_actions()

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('advocacy', sa.SmallInteger(), nullable=True))
        batch_op.create_check_constraint(
            'advocacy_on_scale', 'advocacy BETWEEN 0 AND 10'
        )


def _date_done_actions():
    """Actions already done were marked so when the audit trail last recorded them done."""
    events = sa.table(
        'audit_events',
        sa.column('id', sa.Integer),
        sa.column('action', sa.String),
        sa.column('details', sa.JSON),
        sa.column('created_at', cxculture.models.base.UTCDateTime),
    )
    actions = sa.table(
        'plan_actions',
        sa.column('id', sa.Integer),
        sa.column('status', sa.String),
        sa.column('created_at', cxculture.models.base.UTCDateTime),
        sa.column('done_at', cxculture.models.base.UTCDateTime),
    )
    bind = op.get_bind()
    done = {row.id: row.created_at for row in bind.execute(
        sa.select(actions.c.id, actions.c.created_at).where(actions.c.status == 'done')
    )}
    if not done:
        return
    last_done = {}
    for row in bind.execute(
        sa.select(events.c.details, events.c.created_at)
        .where(events.c.action == 'plan.action_updated')
        .order_by(events.c.created_at, events.c.id)
    ):
        details = row.details or {}
        if details.get('status') == 'done' and details.get('plan_action') in done:
            last_done[details['plan_action']] = row.created_at
    for action_id, created_at in done.items():
        # An entry the trail no longer holds (past its retention): the day it was written.
        bind.execute(
            actions.update()
            .where(actions.c.id == action_id)
            .values(done_at=last_done.get(action_id, created_at))
        )


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_responses_advocacy_on_scale'), type_='check')
        batch_op.drop_column('advocacy')

    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_column('done_at')

    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_column('outcome_question')

    op.drop_table('released_drivers')
