"""key result milestones: phased targets, a value due by a day inside the goal's period

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from data.stamp import create_change_triggers, drop_change_triggers

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_result_milestone",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_result_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["key_result_id"], ["key_result.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_result_id", "at", name="uq_milestone_kr_at"),
    )
    op.create_index("ix_key_result_milestone_key_result_id", "key_result_milestone", ["key_result_id"])
    # Milestones are part of the snapshot: a write must change the data stamp like any other snapshot table's.
    create_change_triggers(op.get_bind(), ["key_result_milestone"])


def downgrade() -> None:
    drop_change_triggers(op.get_bind(), ["key_result_milestone"])
    op.drop_index("ix_key_result_milestone_key_result_id", table_name="key_result_milestone")
    op.drop_table("key_result_milestone")
