"""pinned reviews: a scope's objective figures and its goalposts at a review (Ladder-owned, no stamp triggers)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign keys to the goals tables: an import may replace goals, and a pinned review must never block it.
    op.create_table(
        "review_pin",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope_key", sa.String(length=400), nullable=False),
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("pinned_by", sa.String(length=320), nullable=False),
        sa.Column("pinned_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_pin_scope_key", "review_pin", ["scope_key"])
    op.create_table(
        "review_pin_objective",
        sa.Column("pin_id", sa.Integer(), sa.ForeignKey("review_pin.id", ondelete="CASCADE"), nullable=False),
        sa.Column("goal_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("progress", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("pin_id", "goal_id"),
    )
    op.create_table(
        "review_pin_goal",
        sa.Column("pin_id", sa.Integer(), sa.ForeignKey("review_pin.id", ondelete="CASCADE"), nullable=False),
        sa.Column("goal_id", sa.BigInteger(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("aligned", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("pin_id", "goal_id"),
    )
    op.create_table(
        "review_pin_key_result",
        sa.Column("pin_id", sa.Integer(), sa.ForeignKey("review_pin.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key_result_id", sa.BigInteger(), nullable=False),
        sa.Column("goal_id", sa.BigInteger(), nullable=False),
        sa.Column("start_value", sa.Float(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("pin_id", "key_result_id"),
    )
    op.create_table(
        "review_pin_link",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pin_id", sa.Integer(), sa.ForeignKey("review_pin.id", ondelete="CASCADE"), nullable=False),
        sa.Column("goal_id", sa.BigInteger(), nullable=False),
        sa.Column("target_goal_id", sa.BigInteger(), nullable=False),
        sa.Column("link_type", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_pin_link_pin_id", "review_pin_link", ["pin_id"])


def downgrade() -> None:
    op.drop_index("ix_review_pin_link_pin_id", table_name="review_pin_link")
    for table in ("review_pin_link", "review_pin_key_result", "review_pin_goal", "review_pin_objective"):
        op.drop_table(table)
    op.drop_index("ix_review_pin_scope_key", table_name="review_pin")
    op.drop_table("review_pin")
