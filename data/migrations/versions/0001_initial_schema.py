"""initial schema

Revision ID: 0001
Revises: 
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('period',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.CheckConstraint("kind IN ('year', 'quarter')", name='ck_period_kind'),
    sa.CheckConstraint('end_date >= start_date', name='ck_period_dates'),
    sa.ForeignKeyConstraint(['parent_id'], ['period.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('region',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('org_unit',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('company', 'division', 'department', 'team')", name='ck_org_unit_kind'),
    sa.ForeignKeyConstraint(['parent_id'], ['org_unit.id'], ),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_unit_parent_id'), ['parent_id'], unique=False)

    op.create_table('review_cycle',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('employee',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('job_family', sa.String(length=100), nullable=False),
    sa.Column('hire_date', sa.Date(), nullable=False),
    sa.Column('work_mode', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("work_mode IN ('office', 'hybrid', 'remote')", name='ck_employee_work_mode'),
    sa.ForeignKeyConstraint(['manager_id'], ['employee.id'], ),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_region_id'), ['region_id'], unique=False)

    op.create_table('rating_guideline',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('target_share', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['review_cycle.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cycle_id', 'rating', name='uq_guideline_cycle_rating')
    )
    op.create_table('checkin',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('held_at', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.CheckConstraint("kind IN ('1:1', 'goal review', 'development')", name='ck_checkin_kind'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], ),
    sa.ForeignKeyConstraint(['manager_id'], ['employee.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_employee_held', ['employee_id', 'held_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_manager_id'), ['manager_id'], unique=False)

    op.create_table('employee_sensitive',
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=32), nullable=True),
    sa.Column('age_band', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], ),
    sa.PrimaryKeyConstraint('employee_id')
    )
    op.create_table('goal',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('owner_employee_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('business', 'development')", name='ck_goal_kind'),
    sa.CheckConstraint("level IN ('company', 'department', 'team', 'individual')", name='ck_goal_level'),
    sa.CheckConstraint('weight >= 0', name='ck_goal_weight'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], ),
    sa.ForeignKeyConstraint(['owner_employee_id'], ['employee.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['goal.id'], ),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_owner_employee_id'), ['owner_employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_goal_period_level', ['period_id', 'level'], unique=False)

    op.create_table('rating',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('pre_calibration', sa.Integer(), nullable=False),
    sa.Column('post_calibration', sa.Integer(), nullable=False),
    sa.Column('potential', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['review_cycle.id'], ),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['employee.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cycle_id', 'employee_id', name='uq_rating_cycle_employee')
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index('ix_rating_reviewer', ['reviewer_id'], unique=False)

    op.create_table('viewer',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('executive', 'hr', 'manager', 'none')", name='ck_viewer_role'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('goal_link',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('target_goal_id', sa.Integer(), nullable=False),
    sa.Column('link_type', sa.String(length=16), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.CheckConstraint("link_type IN ('contributes', 'supports')", name='ck_goal_link_type'),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], ),
    sa.ForeignKeyConstraint(['target_goal_id'], ['goal.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('goal_id', 'target_goal_id', name='uq_goal_link')
    )
    with op.batch_alter_table('goal_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_link_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_link_target_goal_id'), ['target_goal_id'], unique=False)

    op.create_table('key_result',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=300), nullable=False),
    sa.Column('start_value', sa.Float(), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('current_value', sa.Float(), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.CheckConstraint("direction IN ('increase', 'decrease')", name='ck_kr_direction'),
    sa.CheckConstraint('target_value <> start_value', name='ck_kr_target'),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('key_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_result_goal_id'), ['goal_id'], unique=False)

    op.create_table('progress_update',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key_result_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['key_result_id'], ['key_result.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.create_index('ix_progress_update_kr_at', ['key_result_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_update_kr_at')

    op.drop_table('progress_update')
    with op.batch_alter_table('key_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_result_goal_id'))

    op.drop_table('key_result')
    with op.batch_alter_table('goal_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_link_target_goal_id'))
        batch_op.drop_index(batch_op.f('ix_goal_link_goal_id'))

    op.drop_table('goal_link')
    op.drop_table('viewer')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_reviewer')
        batch_op.drop_index(batch_op.f('ix_rating_employee_id'))

    op.drop_table('rating')
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index('ix_goal_period_level')
        batch_op.drop_index(batch_op.f('ix_goal_parent_id'))
        batch_op.drop_index(batch_op.f('ix_goal_owner_employee_id'))
        batch_op.drop_index(batch_op.f('ix_goal_org_unit_id'))

    op.drop_table('goal')
    op.drop_table('employee_sensitive')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_manager_id'))
        batch_op.drop_index('ix_checkin_employee_held')

    op.drop_table('checkin')
    op.drop_table('rating_guideline')
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_region_id'))
        batch_op.drop_index(batch_op.f('ix_employee_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_employee_manager_id'))

    op.drop_table('employee')
    op.drop_table('review_cycle')
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_parent_id'))

    op.drop_table('org_unit')
    op.drop_table('region')
    op.drop_table('period')
