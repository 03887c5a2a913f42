"""key results: current_value is optional (the latest progress update gives it; neither means no data yet)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _set_nullable(nullable: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column("key_result", "current_value", existing_type=sa.Float(), nullable=nullable)
        return
    # Copying the table, as SQLite's ALTER usually needs, would drop it under its progress updates, and
    # foreign keys cannot be turned off inside the migration's transaction. A NOT NULL constraint does not
    # touch the stored rows, so SQLite's documented shortcut applies: edit the table's definition in the
    # schema and bump the schema version so that every connection reads it again.
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'key_result'")).scalar()
    strict, loose = "current_value FLOAT NOT NULL", "current_value FLOAT"
    if (strict in sql) != nullable:
        return  # already so
    if loose not in sql:
        raise RuntimeError("key_result.current_value is not defined as Ladder defined it; upgrade it by hand.")
    old, new = (strict, loose) if nullable else (loose, strict)
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar()
    bind.execute(sa.text("PRAGMA writable_schema=ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'key_result'"),
        {"sql": sql.replace(old, new, 1)},
    )
    bind.execute(sa.text(f"PRAGMA schema_version={version + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema=OFF"))


def upgrade() -> None:
    _set_nullable(True)


def downgrade() -> None:
    op.execute("UPDATE key_result SET current_value = start_value WHERE current_value IS NULL")
    _set_nullable(False)
