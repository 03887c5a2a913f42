"""data version: a stamp that every write to a snapshot table changes

Revision ID: 0003
Revises: 0002
"""

import secrets

import sqlalchemy as sa
from alembic import op

from data.stamp import create_change_triggers, drop_change_triggers

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The snapshot tables at this revision; tables added later create their own triggers in their migration.
SNAPSHOT_TABLES = (
    "region", "org_unit", "employee", "employee_sensitive", "period", "goal", "goal_link", "key_result",
    "progress_update", "checkin", "review_cycle", "rating", "rating_guideline", "viewer",
)


def upgrade() -> None:
    op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute(
        sa.text("INSERT INTO data_version (id, token, version) VALUES (1, :token, 0)").bindparams(
            token=secrets.token_hex(16)
        )
    )
    create_change_triggers(op.get_bind(), SNAPSHOT_TABLES)


def downgrade() -> None:
    drop_change_triggers(op.get_bind(), SNAPSHOT_TABLES)
    op.drop_table('data_version')
