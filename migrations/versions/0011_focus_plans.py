"""Focus plans: the one to three dimensions a department works on after a wave, and their
actions with an owner, a due day and a status

Revision ID: 0011_focus_plans
Revises: 0010_reach
Create Date: 2026-12-06 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import cxculture.models.base


# revision identifiers, used by Alembic.
revision = '0011_focus_plans'
down_revision = '0010_reach'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('focus_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('dimensions', sa.JSON(), nullable=False),
    sa.Column('is_shared', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('closed_at', cxculture.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', cxculture.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_focus_plans_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_focus_plans_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_focus_plans_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_plans'))
    )
    with op.batch_alter_table('focus_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_focus_plans_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_focus_plans_survey_id'), ['survey_id'], unique=False)

    op.create_table('plan_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default=sa.text("'not_started'"), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('created_at', cxculture.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('not_started', 'on_track', 'off_track', 'done')", name=op.f('ck_plan_actions_status_known')),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_plan_actions_text_not_blank')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_plan_actions_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['focus_plans.id'], name=op.f('fk_plan_actions_plan_id_focus_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_actions'))
    )
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_actions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_actions_plan_id'), ['plan_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_actions_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_actions_owner_id'))

    op.drop_table('plan_actions')
    with op.batch_alter_table('focus_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_focus_plans_survey_id'))
        batch_op.drop_index(batch_op.f('ix_focus_plans_department_id'))

    op.drop_table('focus_plans')
