"""demo marker, and viewer e-mail addresses unique whatever their case

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    clashes = bind.execute(
        sa.text("SELECT lower(email) FROM viewer GROUP BY lower(email) HAVING COUNT(*) > 1 ORDER BY 1")
    ).scalars().all()
    if clashes:
        # Which of two rows is the person's real role is for HR to say, not for a migration to guess.
        raise RuntimeError(
            "the viewer table names these addresses more than once, differing only in case: "
            f"{', '.join(clashes[:10])}{' …' if len(clashes) > 10 else ''}. Keep one row per address, then upgrade."
        )
    op.create_index('uq_viewer_email_lower', 'viewer', [sa.text('lower(email)')], unique=True)
    op.create_table(
        'demo_marker',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('written_at', sa.DateTime(), nullable=False),
        sa.Column('written_by', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('demo_marker')
    op.drop_index('uq_viewer_email_lower', table_name='viewer')
