"""The import format: which files Ladder takes, their columns, types, required values and references.

Everything structural is derived from the models in data/schema.py (types, required columns, defaults,
allowed values, unique columns, references), so the format cannot drift from the database. What the
models cannot say, the meaning of each column in plain words, is written here once and used by the
importer's messages, the Data screen and docs/import-format.md.

Ids are the source system's own: whole numbers or text (`E-10442`, `okr_7f3a`); a re-import of the same ids
updates rows instead of adding them (data/import_ids.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Boolean, CheckConstraint, Date, Float, Integer, String, UniqueConstraint

from data.schema import SNAPSHOT_TABLES, Base

# Whole numbers are stored as 32-bit integers on PostgreSQL; the same limit holds on SQLite so that a
# file valid for one backend is valid for the other.
WHOLE_MIN, WHOLE_MAX = -(2**31), 2**31 - 1
# Any date outside these years is a typing slip (or a spreadsheet's serial number), not a real event.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)
# Text starting with one of these is run as a formula by spreadsheet programs (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FILE_TYPES = ("csv", "xlsx", "parquet")
# The longest text id another system may give a row (the external_id table's column).
ID_MAX_LENGTH = 200

_DTYPES = ((Boolean, pl.Boolean), (Integer, pl.Int64), (Float, pl.Float64), (Date, pl.Date), (String, pl.String))
# Columns holding a share from 0 to 1, which the percent option lets files write as 25%.
SHARES = {("rating_guideline", "target_share"), ("progress_update", "confidence")}
# Columns whose empty cells are worked out from the row rather than given a fixed default.
INFERRED = {("key_result", "direction")}
_CHOICE = re.compile(r"^\s*(\w+)\s+IN\s*\((.+)\)\s*$", re.IGNORECASE)

TABLE_HELP: dict[str, str] = {
    "region": "The regions people work in, such as countries or sales regions.",
    "org_unit": "The organisation tree: the company, its divisions, their departments and their teams.",
    "employee": "Everyone in the organisation, with their manager, team and region.",
    "employee_sensitive": "Personal attributes used only by HR's fairness checks on ratings. "
    "Only people with the HR role ever see them.",
    "period": "The years and quarters that goals are set for.",
    "goal": "Objectives and goals at every level, each with the goal it ladders up to.",
    "goal_link": "Extra links from a goal to a goal elsewhere in the organisation that it contributes to or supports.",
    "key_result": "The measurable results of a goal: where each started, where it should get to and where it is now.",
    "key_result_milestone": "Phased targets: the value a key result should have reached by a given day, for results "
    "that are not expected to move in a straight line (sales closing at quarter end, a launch in one step).",
    "progress_update": "The history of each key result's value, so that Ladder can show progress as of any date.",
    "checkin": "Conversations between a person and their manager.",
    "review_cycle": "Performance review rounds and the rating scale each one uses.",
    "rating": "Each person's rating in a review cycle, before and after calibration.",
    "rating_guideline": "The share of people a review cycle aims to give each rating.",
    "viewer": "Who may open Ladder, and with which role.",
}

COLUMN_HELP: dict[str, dict[str, str]] = {
    "region": {
        "id": "The region's id in your system.",
        "code": "A short code shown in links and filters, such as DE or APAC. No two regions may share one.",
        "name": "The region's name as people know it.",
    },
    "org_unit": {
        "id": "The unit's id in your system.",
        "parent_id": "The unit this one belongs to (a team's department, a department's division). "
        "Empty only for the company itself.",
        "name": "The unit's name.",
        "kind": "What sort of unit it is.",
        "region_id": "The region the unit is based in, if it has one.",
    },
    "employee": {
        "id": "The person's id in your HR system.",
        "name": "The person's full name.",
        "email": "Their work email address. No two people may share one.",
        "manager_id": "The person they report to. Empty only for the head of the company.",
        "org_unit_id": "The team (or other unit) they belong to.",
        "region_id": "The region they work in, which may differ from their team's.",
        "level": "Their seniority level as a whole number, higher meaning more senior.",
        "job_family": "Their job family, such as Engineering or Sales.",
        "hire_date": "The day they joined.",
        "work_mode": "Where they mostly work.",
        "active": "Whether they still work here. People who left keep their history but are not counted as staff.",
    },
    "employee_sensitive": {
        "employee_id": "The person these attributes belong to.",
        "gender": "Their gender as they recorded it, if they did.",
        "age_band": "Their age band, such as 25-34, if known.",
    },
    "period": {
        "id": "The period's id in your system.",
        "name": "The name shown in filters and links, such as 2026 or 2026-Q4. No two periods may share one.",
        "kind": "Whether it is a year or a quarter.",
        "year": "The calendar year it belongs to.",
        "quarter": "The quarter number (1 to 4) for quarters; empty for years.",
        "parent_id": "For a quarter, the year it belongs to; empty for years.",
        "start_date": "Its first day.",
        "end_date": "Its last day; not before the first.",
    },
    "goal": {
        "id": "The goal's id in your goals system.",
        "parent_id": "The goal this one ladders up to. Empty for company objectives and for goals that ladder "
        "up to nothing (Ladder shows those as alignment gaps).",
        "title": "The goal as people read it.",
        "level": "Whose goal it is: the company's, a department's, a team's or one person's.",
        "kind": "Business goals count towards the strategy; development goals are about a person's growth.",
        "owner_employee_id": "The person who owns the goal, if one person does.",
        "org_unit_id": "The unit the goal belongs to.",
        "period_id": "The year or quarter the goal is set for.",
        "weight": "How much it counts next to its sibling goals when progress is rolled up; 0 or more.",
        "archived": "Archived goals are kept for history but never count.",
    },
    "goal_link": {
        "id": "The link's id in your goals system.",
        "goal_id": "The goal that helps.",
        "target_goal_id": "The goal it helps; never the goal itself.",
        "link_type": "'contributes' links count in the target's progress; 'supports' links are shown but do not count.",
        "weight": "How much a contributing goal counts in the target's progress; 0 or more.",
    },
    "key_result": {
        "id": "The key result's id in your goals system.",
        "goal_id": "The goal it measures.",
        "metric": "What is measured, in words.",
        "start_value": "The value when the goal was set.",
        "target_value": "The value that means done. It must differ from the start value, "
        "or progress cannot be measured.",
        "current_value": "The latest value. Left empty (or the column left out), the latest progress update "
        "gives it; with neither, the key result shows no data yet rather than 0%.",
        "direction": "Whether the value should go up or down. Left empty, it follows from the start and target.",
        "weight": "How much it counts next to the goal's other key results; 0 or more.",
    },
    "key_result_milestone": {
        "id": "The milestone's id in your goals system.",
        "key_result_id": "The key result this milestone phases.",
        "at": "The day the value is due; inside the goal's period. One milestone per key result and day.",
        "value": "The value the key result should have reached by that day, in the key result's own unit.",
    },
    "progress_update": {
        "id": "The update's id in your goals system.",
        "key_result_id": "The key result whose value was recorded.",
        "at": "The day the value was recorded; within the goal's period and not in the future.",
        "value": "The value on that day.",
        "confidence": "How sure the owner felt of reaching the target, from 0 (not at all) to 1 (certain), if asked.",
    },
    "checkin": {
        "id": "The check-in's id in your system.",
        "employee_id": "The person the check-in was with.",
        "manager_id": "The manager who held it, if recorded; never the person themselves.",
        "held_at": "The day it took place; not before the person joined and not in the future.",
        "kind": "What sort of conversation it was.",
    },
    "review_cycle": {
        "id": "The review cycle's id in your HR system.",
        "name": "Its name, such as 2026 mid-year review. No two cycles may share one.",
        "period_id": "The year or quarter it reviews.",
        "scale_min": "The lowest rating on its scale.",
        "scale_max": "The highest rating on its scale; above the lowest.",
        "closed_on": "The day the cycle closed and its ratings became final; empty while it is open.",
    },
    "rating": {
        "id": "The rating's id in your HR system.",
        "cycle_id": "The review cycle it belongs to. A person has at most one rating per cycle.",
        "employee_id": "The person rated.",
        "reviewer_id": "The person who gave the first rating, usually the manager, if recorded.",
        "pre_calibration": "The rating before calibration, within the cycle's scale.",
        "post_calibration": "The final rating after calibration, within the cycle's scale.",
        "potential": "The potential rating (for example 1 to 3), if given; from 1 up to the cycle's highest rating.",
    },
    "rating_guideline": {
        "id": "The guideline row's id.",
        "cycle_id": "The review cycle it guides.",
        "rating": "A rating on the cycle's scale. Each rating appears at most once per cycle.",
        "target_share": "The share of people the cycle aims to give that rating, from 0 to 1 (0.2 means 20%).",
    },
    "viewer": {
        "id": "The viewer's id.",
        "email": "The email address they sign in with. No two viewers may share one, whatever the case of its letters.",
        "role": "What they may see: executives see everything except personal attributes, HR sees everything, "
        "managers see their own reporting line, and 'none' sees nothing.",
        "employee_id": "The person they are, if they work here (a manager's reporting line starts there).",
    },
}


@dataclass(frozen=True)
class ColumnFormat:
    """One column of an import file."""

    name: str
    dtype: pl.DataType
    required: bool
    default: object = None  # the value of an empty cell or a left-out column (None: stays empty)
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    references: str | None = None  # the table whose key this column names
    help: str = ""
    identifier: bool = False  # the table's key or a reference: a whole number or a text id
    share: bool = False  # a share from 0 to 1 (SHARES)
    table: str = ""

    @property
    def id_table(self) -> str | None:
        """The table whose ids this column holds (its own table for a key), or None for other columns."""
        return self.references or (self.table if self.identifier else None)

    @property
    def kind(self) -> str:
        """The type in plain words."""
        if self.identifier:
            return f"id: a whole number or text (up to {ID_MAX_LENGTH} characters)"
        if self.dtype == pl.Int64:
            return "whole number"
        if self.dtype == pl.Float64:
            return "number"
        if self.dtype == pl.Date:
            return "date (YYYY-MM-DD)"
        if self.dtype == pl.Boolean:
            return "true or false"
        if self.choices:
            return "one of: " + ", ".join(self.choices)
        return f"text (up to {self.max_length} characters)" if self.max_length else "text"


@dataclass(frozen=True)
class TableFormat:
    """One table of the import: its file name, key, columns and the column sets that must be unique."""

    name: str
    key: str
    columns: tuple[ColumnFormat, ...]
    unique: tuple[tuple[str, ...], ...]
    help: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnFormat:
        return next(c for c in self.columns if c.name == name)

    @property
    def references(self) -> tuple[ColumnFormat, ...]:
        return tuple(c for c in self.columns if c.references)

    @property
    def chain(self) -> str | None:
        """The column that points at another row of the same table (manager, parent), if any."""
        return next((c.name for c in self.columns if c.references == self.name), None)

    @property
    def label(self) -> str:
        """The table's name in sentences: 'org_unit' -> 'org unit'."""
        return self.name.replace("_", " ")

    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}


def _choices(table) -> dict[str, tuple[str, ...]]:
    found = {}
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            match = _CHOICE.match(str(constraint.sqltext))
            if match:
                found[match.group(1)] = tuple(re.findall(r"'([^']*)'", match.group(2)))
    return found


def _dtype(column) -> pl.DataType:
    for sa_type, dtype in _DTYPES:
        if isinstance(column.type, sa_type):
            return dtype
    raise TypeError(f"{column.table.name}.{column.name} has a type the import format does not know")


def _table_format(name: str) -> TableFormat:
    table = Base.metadata.tables[name]
    choices = _choices(table)
    columns = []
    for column in table.columns:
        default = column.default.arg if column.default is not None and column.default.is_scalar else None
        if (name, column.name) in INFERRED:
            default = None
        foreign = next(iter(column.foreign_keys), None)
        columns.append(
            ColumnFormat(
                name=column.name,
                dtype=_dtype(column),
                required=column.primary_key
                or (not column.nullable and default is None and (name, column.name) not in INFERRED),
                default=default,
                max_length=getattr(column.type, "length", None),
                choices=choices.get(column.name, ()),
                references=foreign.column.table.name if foreign is not None else None,
                help=COLUMN_HELP[name][column.name],
                identifier=column.primary_key or foreign is not None,
                share=(name, column.name) in SHARES,
                table=name,
            )
        )
    unique = [(c.name,) for c in table.columns if c.unique]
    unique += [tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, UniqueConstraint)]
    unique = list(dict.fromkeys(unique))  # a `unique=True` column also appears as a constraint
    (key,) = [c.name for c in table.primary_key.columns]
    return TableFormat(name=name, key=key, columns=tuple(columns), unique=tuple(unique), help=TABLE_HELP[name])


# In an order where every table comes after the tables it refers to: the order rows are written in.
FORMATS: dict[str, TableFormat] = {name: _table_format(name) for name in SNAPSHOT_TABLES}


def table_for(stem: str) -> str | None:
    """The table a file or sheet name stands for ('Goal', ' goal ' -> 'goal'), or None."""
    name = stem.strip().lower().replace(" ", "_").replace("-", "_")
    return name if name in FORMATS else None


# --- writing files in the import format (examples, round trips) -------------------------------------


def _ordered(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    if name not in FORMATS:
        return frame
    return frame.select([c for c in FORMATS[name].column_names if c in frame.columns])


def write_csv_files(tables: Mapping[str, pl.DataFrame], folder: Path) -> list[Path]:
    """One UTF-8 CSV per table, named after it (goal.csv); dates as YYYY-MM-DD, true/false for yes/no."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        _ordered(name, frame).write_csv(path, date_format="%Y-%m-%d")
        paths.append(path)
    return paths


def write_parquet_files(tables: Mapping[str, pl.DataFrame], folder: Path) -> list[Path]:
    """One Parquet file per table, named after it (goal.parquet), with the import format's column types."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables.items():
        path = folder / f"{name}.parquet"
        _ordered(name, frame).write_parquet(path)
        paths.append(path)
    return paths


def write_workbook(tables: Mapping[str, pl.DataFrame], path: Path) -> Path:
    """One XLSX workbook with a sheet per table; text is always written as text, never as a formula."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(path), options) as workbook:
        # A fixed creation time, so that writing the same tables again gives the same file.
        workbook.set_properties({"created": datetime(2026, 1, 1)})
        for name, frame in tables.items():
            _ordered(name, frame).write_excel(
                workbook,
                worksheet=name,
                dtype_formats={pl.Date: "yyyy-mm-dd"},
                float_precision=6,
                autofit=True,
                table_style=None,
                autofilter=False,
            )
    return path
