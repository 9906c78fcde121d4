"""Who a training module is written for (suggested to heads only when it is about leading a
team), and how an email left (by SMTP, or to the log when no mail server is set)

Revision ID: 0009_audiences
Revises: 0008_releases
Create Date: 2026-12-06 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_audiences'
down_revision = '0008_releases'
branch_labels = None
depends_on = None

# The shipped modules about leading a team (their texts say audience: heads from now on).
LEADERSHIP = ("equip-your-team-to-serve", "leaders-who-make-the-customer-the-context")


def upgrade():
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=16), server_default=sa.text("'everyone'"), nullable=False))
        batch_op.create_check_constraint('audience_known', "audience IN ('everyone', 'heads')")
    op.get_bind().execute(
        sa.text("UPDATE modules SET audience = 'heads' WHERE slug IN :slugs").bindparams(
            sa.bindparam("slugs", expanding=True)
        ),
        {"slugs": list(LEADERSHIP)},
    )

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_by', sa.String(length=8), nullable=True))
    # Messages sent before: by SMTP only if a mail server was configured, which the database
    # cannot tell; they stay unknown (None) rather than be called sent or logged wrongly.


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('delivered_by')

    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_modules_audience_known'), type_='check')
        batch_op.drop_column('audience')
