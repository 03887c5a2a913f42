"""external ids: the text id another system gives a row, and the row's Ladder id

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_id",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("ladder_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "external_id"),
        sa.UniqueConstraint("table_name", "ladder_id", name="uq_external_id_ladder_id"),
    )


def downgrade() -> None:
    op.drop_table("external_id")
