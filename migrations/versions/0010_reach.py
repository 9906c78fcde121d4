"""Reaching every employee: personal links and printed answer codes on invitations (seeds and
hashes, never the tokens), revoked ones remembered, the outbox's link slot, survey texts per
language, and people known by their employee number alone (no mailbox)

Revision ID: 0010_reach
Revises: 0009_audiences
Create Date: 2026-12-06 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import cxculture.models.base


# revision identifiers, used by Alembic.
revision = '0010_reach'
down_revision = '0009_audiences'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('revoked_passes',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('revoked_at', cxculture.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_revoked_passes_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_revoked_passes'))
    )
    with op.batch_alter_table('revoked_passes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_passes_survey_id'), ['survey_id'], unique=False)

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_seed', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('link_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('code_seed', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('code_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_invitations_link_hash'), ['link_hash'])
        batch_op.create_unique_constraint(batch_op.f('uq_invitations_code_hash'), ['code_hash'])

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_invitation_id_invitations'), 'invitations', ['invitation_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('texts', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
        batch_op.create_check_constraint('email_or_number', 'email IS NOT NULL OR employee_number IS NOT NULL')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_email_or_number'), type_='check')
    # People without a mailbox cannot be kept by the earlier schema: they get a placeholder.
    op.execute("UPDATE users SET email = 'person-' || id || '@no-mailbox.invalid' WHERE email IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('texts')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_invitation_id_invitations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_invitation_id'))
        batch_op.drop_column('invitation_id')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitations_code_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_invitations_link_hash'), type_='unique')
        batch_op.drop_column('code_hash')
        batch_op.drop_column('code_seed')
        batch_op.drop_column('link_hash')
        batch_op.drop_column('link_seed')

    with op.batch_alter_table('revoked_passes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_passes_survey_id'))

    op.drop_table('revoked_passes')
