"""table version: which snapshot table changed, and whether only by inserts

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from data.schema import SNAPSHOT_TABLES
from data.stamp import change_trigger_statements, drop_trigger_statements, table_trigger_statements

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def upgrade() -> None:
    op.create_table(
        "table_version",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("inserts", sa.BigInteger(), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    table = sa.table("table_version", sa.column("name"), sa.column("inserts"), sa.column("changes"))
    op.bulk_insert(table, [{"name": name, "inserts": 0, "changes": 0} for name in SNAPSHOT_TABLES])
    dialect = op.get_bind().dialect.name
    _run(drop_trigger_statements(dialect, SNAPSHOT_TABLES))
    _run(table_trigger_statements(dialect, SNAPSHOT_TABLES))
    op.execute(sa.text("UPDATE data_version SET version = version + 1"))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _run(["DROP TRIGGER IF EXISTS ladder_touch_stamp ON table_version",
              "DROP FUNCTION IF EXISTS ladder_touch_stamp()"])  # fmt: skip
    _run(drop_trigger_statements(dialect, SNAPSHOT_TABLES))
    if dialect == "sqlite":
        _run(['DROP TRIGGER IF EXISTS "ladder_touch_table_version"'])
    _run(change_trigger_statements(dialect, SNAPSHOT_TABLES))
    op.drop_table("table_version")
