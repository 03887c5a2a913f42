"""The goals database: SQLAlchemy 2 models for every table Ladder reads.

Ids are integers: the source system's own whole numbers, or numbers Ladder gives to the source
system's text ids (kept in `external_id`), so a re-import of the same rows updates instead of
duplicating.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ORG_KINDS = ("company", "division", "department", "team")
GOAL_LEVELS = ("company", "department", "team", "individual")
GOAL_KINDS = ("business", "development")
LINK_TYPES = ("contributes", "supports")
WORK_MODES = ("office", "hybrid", "remote")
CHECKIN_KINDS = ("1:1", "goal review", "development")
VIEWER_ROLES = ("executive", "hr", "manager", "none")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    pass


class Region(Base):
    __tablename__ = "region"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class OrgUnit(Base):
    __tablename__ = "org_unit"
    __table_args__ = (CheckConstraint(_in("kind", ORG_KINDS), name="ck_org_unit_kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))


class Employee(Base):
    __tablename__ = "employee"
    __table_args__ = (CheckConstraint(_in("work_mode", WORK_MODES), name="ck_employee_work_mode"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    job_family: Mapped[str] = mapped_column(String(100))
    hire_date: Mapped[date] = mapped_column(Date)
    work_mode: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class EmployeeSensitive(Base):
    """Attributes used only by the ratings bias panel; read under the HR role only."""

    __tablename__ = "employee_sensitive"
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    gender: Mapped[str | None] = mapped_column(String(32))
    age_band: Mapped[str | None] = mapped_column(String(16))


class Period(Base):
    __tablename__ = "period"
    __table_args__ = (
        CheckConstraint("kind IN ('year', 'quarter')", name="ck_period_kind"),
        CheckConstraint("end_date >= start_date", name="ck_period_dates"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("period.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class Goal(Base):
    __tablename__ = "goal"
    __table_args__ = (
        CheckConstraint(_in("level", GOAL_LEVELS), name="ck_goal_level"),
        CheckConstraint(_in("kind", GOAL_KINDS), name="ck_goal_kind"),
        CheckConstraint("weight >= 0", name="ck_goal_weight"),
        Index("ix_goal_period_level", "period_id", "level"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="business")
    owner_employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class GoalLink(Base):
    """An extra edge across teams: `goal_id` contributes to or supports `target_goal_id`."""

    __tablename__ = "goal_link"
    __table_args__ = (
        CheckConstraint(_in("link_type", LINK_TYPES), name="ck_goal_link_type"),
        UniqueConstraint("goal_id", "target_goal_id", name="uq_goal_link"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    target_goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    link_type: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class KeyResult(Base):
    __tablename__ = "key_result"
    __table_args__ = (
        CheckConstraint("direction IN ('increase', 'decrease')", name="ck_kr_direction"),
        CheckConstraint("target_value <> start_value", name="ck_kr_target"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    metric: Mapped[str] = mapped_column(String(300))
    start_value: Mapped[float] = mapped_column(Float)
    target_value: Mapped[float] = mapped_column(Float)
    current_value: Mapped[float | None] = mapped_column(Float)  # None: the latest progress update gives it
    direction: Mapped[str] = mapped_column(String(16), default="increase")
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class ProgressUpdate(Base):
    __tablename__ = "progress_update"
    __table_args__ = (Index("ix_progress_update_kr_at", "key_result_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_result.id"))
    at: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float | None] = mapped_column(Float)


class KeyResultMilestone(Base):
    """A phased target: the value a key result should have reached by a day inside its goal's period."""

    __tablename__ = "key_result_milestone"
    __table_args__ = (UniqueConstraint("key_result_id", "at", name="uq_milestone_kr_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_result.id"), index=True)
    at: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)


class Checkin(Base):
    __tablename__ = "checkin"
    __table_args__ = (
        CheckConstraint(_in("kind", CHECKIN_KINDS), name="ck_checkin_kind"),
        Index("ix_checkin_employee_held", "employee_id", "held_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    held_at: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="1:1")


class ReviewCycle(Base):
    __tablename__ = "review_cycle"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    scale_min: Mapped[int] = mapped_column(Integer, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    closed_on: Mapped[date | None] = mapped_column(Date)


class Rating(Base):
    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("cycle_id", "employee_id", name="uq_rating_cycle_employee"),
        Index("ix_rating_reviewer", "reviewer_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    pre_calibration: Mapped[int] = mapped_column(Integer)
    post_calibration: Mapped[int] = mapped_column(Integer)
    potential: Mapped[int | None] = mapped_column(Integer)


class RatingGuideline(Base):
    __tablename__ = "rating_guideline"
    __table_args__ = (UniqueConstraint("cycle_id", "rating", name="uq_guideline_cycle_rating"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    rating: Mapped[int] = mapped_column(Integer)
    target_share: Mapped[float] = mapped_column(Float)


class Viewer(Base):
    __tablename__ = "viewer"
    __table_args__ = (CheckConstraint(_in("role", VIEWER_ROLES), name="ck_viewer_role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))


# One viewer per address whatever its case: `Ann@x` and `ann@x` are one person, who must have one role.
Index("uq_viewer_email_lower", func.lower(Viewer.email), unique=True)


class DemoMarker(Base):
    """Present only in a database the demo generator wrote: the one kind of database demo mode may show."""

    __tablename__ = "demo_marker"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    written_at: Mapped[datetime] = mapped_column(DateTime)
    written_by: Mapped[str] = mapped_column(String(100))


class AccessLog(Base):
    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    page: Mapped[str] = mapped_column(String(100))
    filters: Mapped[str] = mapped_column(String(2000))


NOTE_KINDS = ("note", "decision")


class ReviewNote(Base):
    """A note or decision on an objective or goal, written in a review. Ladder's own table: not in the snapshot and
    without data-stamp triggers, so writing one never makes anyone read the goals again."""

    __tablename__ = "review_note"
    __table_args__ = (CheckConstraint(_in("kind", NOTE_KINDS), name="ck_review_note_kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    goal_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(2000))
    owner: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    written_by: Mapped[str] = mapped_column(String(320))
    written_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewPin(Base):
    """A pinned review: one scope (period, regions, team: `scope_key`) at one as-of date. Ladder's own tables, like
    the four below holding its figures and goalposts: not in the snapshot and without data-stamp triggers."""

    __tablename__ = "review_pin"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope_key: Mapped[str] = mapped_column(String(400), index=True)
    period_id: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[date] = mapped_column(Date)
    pinned_by: Mapped[str] = mapped_column(String(320))
    pinned_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewPinObjective(Base):
    __tablename__ = "review_pin_objective"
    pin_id: Mapped[int] = mapped_column(ForeignKey("review_pin.id", ondelete="CASCADE"), primary_key=True)
    goal_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    progress: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))


class ReviewPinGoal(Base):
    __tablename__ = "review_pin_goal"
    pin_id: Mapped[int] = mapped_column(ForeignKey("review_pin.id", ondelete="CASCADE"), primary_key=True)
    goal_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    weight: Mapped[float] = mapped_column(Float)
    archived: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(16))
    aligned: Mapped[bool] = mapped_column(Boolean)


class ReviewPinKeyResult(Base):
    __tablename__ = "review_pin_key_result"
    pin_id: Mapped[int] = mapped_column(ForeignKey("review_pin.id", ondelete="CASCADE"), primary_key=True)
    key_result_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    goal_id: Mapped[int] = mapped_column(BigInteger)
    start_value: Mapped[float] = mapped_column(Float)
    target_value: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)


class ReviewPinLink(Base):
    __tablename__ = "review_pin_link"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pin_id: Mapped[int] = mapped_column(ForeignKey("review_pin.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int] = mapped_column(BigInteger)
    target_goal_id: Mapped[int] = mapped_column(BigInteger)
    link_type: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float] = mapped_column(Float)


class DataVersion(Base):
    """One row whose `version` triggers bump on every write to a snapshot table (see data/stamp.py)."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(BigInteger)


class ExternalId(Base):
    """The id another system gives a row (`E-10442`, `okr_7f3a`), and the row's own Ladder id.

    Whole-number ids are Ladder ids themselves and need no row here; a text id gets the next free
    Ladder id the first time it is imported, so importing it again updates the same row."""

    __tablename__ = "external_id"
    __table_args__ = (UniqueConstraint("table_name", "ladder_id", name="uq_external_id_ladder_id"),)
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    ladder_id: Mapped[int] = mapped_column(Integer)


# Tables the dashboard snapshot reads, in load order. The access log is written, not read.
SNAPSHOT_TABLES = (
    "region",
    "org_unit",
    "employee",
    "employee_sensitive",
    "period",
    "goal",
    "goal_link",
    "key_result",
    "key_result_milestone",
    "progress_update",
    "checkin",
    "review_cycle",
    "rating",
    "rating_guideline",
    "viewer",
)


_POLARS_TYPES = {
    Integer: pl.Int64,
    Float: pl.Float64,
    String: pl.String,
    Date: pl.Date,
    DateTime: pl.Datetime("us"),
    Boolean: pl.Boolean,
}


def table_schema(name: str) -> dict[str, pl.DataType]:
    """The Polars schema of a database table, from its SQLAlchemy model."""
    schema = {}
    for column in Base.metadata.tables[name].columns:
        schema[column.name] = next(pl_type for sa, pl_type in _POLARS_TYPES.items() if isinstance(column.type, sa))
    return schema


class TableVersion(Base):
    """Per snapshot table: counts of inserts and of updates/deletes that touched it (data/stamp.py)."""

    __tablename__ = "table_version"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    inserts: Mapped[int] = mapped_column(BigInteger)
    changes: Mapped[int] = mapped_column(BigInteger)
