"""Text fingerprints: a closing snapshot keeps keyed fingerprints of the texts it released, so a
later wave is still compared with them once the texts are deleted at the end of their retention

Revision ID: 0013_text_fingerprints
Revises: 0012_outcome_drivers
Create Date: 2026-12-06 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_text_fingerprints'
down_revision = '0012_outcome_drivers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_fingerprints', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.drop_column('text_fingerprints')
