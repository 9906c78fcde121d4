"""Scores: stored dimension scores, index and role category; survey anonymity minimums

Revision ID: 0003_scores
Revises: 0002_surveys
Create Date: 2026-11-27 07:50:40.081842

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_scores'
down_revision = '0002_surveys'
branch_labels = None
depends_on = None

DIMENSIONS = ('line_of_sight', 'listen', 'share', 'act', 'right_first_time', 'lead')


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_category', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('role_lang', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('orientation_index', sa.Float(), nullable=True))
        for dimension in DIMENSIONS:
            batch_op.add_column(sa.Column(f'score_{dimension}', sa.Float(), nullable=True))

    # Classify the statements already stored; `flask --app cxculture rescore` fills the scores.
    from cxculture.scoring.role_statement import classify

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, role_statement FROM responses")).all()
    for response_id, statement in rows:
        result = classify(statement or "")
        bind.execute(
            sa.text("UPDATE responses SET role_category = :c, role_lang = :l WHERE id = :i"),
            {"c": result.category, "l": result.lang, "i": response_id},
        )

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.alter_column('role_category', existing_type=sa.String(length=24), nullable=False)
        batch_op.alter_column('role_lang', existing_type=sa.String(length=2), nullable=False)
        batch_op.create_index(batch_op.f('ix_responses_role_category'), ['role_category'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_department_path'), ['department_path'], unique=False)
        batch_op.create_check_constraint(
            'role_category_known',
            "role_category IN ('customer_direct', 'customer_indirect', 'internal_only', "
            "'no_line_of_sight')",
        )

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_group_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('min_comment_group_size', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('min_comment_group_size')
        batch_op.drop_column('min_group_size')

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_responses_role_category_known'), type_='check')
        batch_op.drop_index(batch_op.f('ix_responses_department_path'))
        batch_op.drop_index(batch_op.f('ix_responses_role_category'))
        for dimension in reversed(DIMENSIONS):
            batch_op.drop_column(f'score_{dimension}')
        batch_op.drop_column('orientation_index')
        batch_op.drop_column('role_lang')
        batch_op.drop_column('role_category')
