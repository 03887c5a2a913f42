"""review notes: notes and decisions on objectives and goals, written from the app (Ladder-owned, no stamp triggers)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key to goal: an import may replace goals, and a note must never block it.
    op.create_table(
        "review_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("goal_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("written_by", sa.String(length=320), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('note', 'decision')", name="ck_review_note_kind"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_note_goal_id", "review_note", ["goal_id"])


def downgrade() -> None:
    op.drop_index("ix_review_note_goal_id", table_name="review_note")
    op.drop_table("review_note")
