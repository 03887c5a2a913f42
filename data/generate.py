"""Demo organisation generator: a realistic company for every Ladder screen.

    python -m data.generate --profile tiny|small|medium|large --seed N [--url URL]
                            [--today YYYY-MM-DD] [--if-missing] [--quiet]

`build_tables(profile, seed, today)` is pure: the same (profile, seed, today) always gives the
same frames, one per table of `data.schema.SNAPSHOT_TABLES`, with the models' columns.
`generate(engine, ...)` migrates the schema, replaces every snapshot table's rows in one
transaction (bulk `executemany` on SQLite, `COPY` on PostgreSQL) and reads a few rows back
through the ORM to prove the stored dates parse.

The company
-----------
- 7 regions; company > 5-7 divisions > departments > teams of 6-13 people (8.5 on average,
  lead included). Org unit names read like a real company ("Payments Department",
  "Payments Team 3"); every profile has a People department (Corporate Functions).
- CEO > division heads > department heads > team leads > members, ids parents first. 15% of
  members sit in another region than their team (distributed teams, mostly remote); the
  work-mode mix differs by region; ~3% of members left 2 weeks to 10 months ago (inactive;
  no goals, check-ins or ratings after leaving).
- Years today.year-1 and today.year (ids 20250, 20260) and their quarters (20251 ...).
  Company objectives (5-8 a year, owned by the CEO) > department goals (2-4 per department
  a year) > team goals (1-3 per team and quarter, every quarter) > individual business
  goals (one per member and started quarter, for 30-80% of a team's members, ~55% overall;
  leads own the team goals instead). Development goals: one a year for 30-70% of a team.
  Goal titles and key-result metrics fit the division's work.
- Key results: 1-4 on team and individual goals (mostly 1-2), one on development goals,
  15% of department goals have 1-2, objectives none. ~20% are "decrease" metrics. Updates
  every 1-3 weeks (development goals every 4-8 weeks) up to min(today, period end), plus
  a closing update in the last days of most finished periods; no updates in future periods.
- Check-ins from 1 January of last year to today, each pair on its own weekday; 30% of weekly
  meetings are cancelled, fewer at longer cadences; a quarter are rescheduled by
  a day or two. Review cycles: "<last year> annual review" (closed 31 January) and
  "<this year> mid-year review" (Q2, closed 15 July; closed_on NULL while after today).
- Viewers: the CEO (executive), three members of the People department (hr) and every
  division, department and team head (manager).

Sizes (seed 42): small ~12k goals, 16k key results, 0.1M updates, 78k check-ins;
large ~0.58M goals, 0.81M key results, 5.0M updates, 3.9M check-ins.

Planted facts (what the screens must find)
-----------------------------------------
- Alignment gaps: 3-5% of team and individual business goals are orphans (no parent); in
  ~3% of team-quarters the team contributes to nothing (all its goals are orphans); each
  year 1-2 company objectives have thin support (0 or 1 contributing department goal).
- Progress: each year the objective fewest departments took up is behind (pace 0.6) and the
  next one at risk (0.85); ~10% of teams are clearly behind all along (pace 0.35-0.6); ~5%
  of key results were never updated and ~8% stopped part-way. In the current quarter about
  60% of team goals are on track, 15-20% at risk, 20-25% behind.
- Cross-team links: ~3% of team goals link to a goal of another department (80%
  "contributes", 20% "supports"). Every edge, parent or link, points to a lower goal id,
  so the goal graph can never hold a cycle.
- Check-ins: managers keep weekly (30%), biweekly (30%) or four-weekly (25%) check-ins;
  15% are lapsing: biweekly until 45-120 days before today, then nothing.
- Ratings: every rater inflates a little before calibration (+0.15 on the latent scale),
  ~8% of raters are lenient (+0.7) and ~8% severe (-0.7). Calibration lands on the
  guideline 5/15/50/20/10% and moves about a fifth of ratings by one step, most of them down
  (committees catch inflation better than deflation).
- Rating disparity: in the current year's mid-year review, remote workers' share of top
  ratings (4-5) is about 0.65x office workers' (impact ratio well below four-fifths),
  before and after calibration. Gender, age band, region and the annual review are balanced.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl
from sqlalchemy import Boolean, Date, Engine, Float, Integer, String, func, inspect, select, text
from sqlalchemy.orm import Session
from tqdm import tqdm

from data.db import DatabaseError, describe, make_engine, upgrade
from data.schema import (
    CHECKIN_KINDS,
    SNAPSHOT_TABLES,
    WORK_MODES,
    Base,
    Checkin,
    Employee,
    Goal,
    Period,
    ProgressUpdate,
    ReviewCycle,
)
from data.stamp import BUMP

EPOCH = date(1970, 1, 1)
EMAIL_DOMAIN = "ladder.example"


# --- scale --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    employees: int
    divisions: int
    departments_per_division: int


PROFILES: dict[str, Profile] = {
    "tiny": Profile(employees=150, divisions=5, departments_per_division=2),
    "small": Profile(employees=2_000, divisions=6, departments_per_division=4),
    "medium": Profile(employees=20_000, divisions=7, departments_per_division=14),
    "large": Profile(employees=100_000, divisions=7, departments_per_division=40),
}

MIN_TEAM_SIZE = 6
MEAN_TEAM_SIZE = 8.5  # lead included; the multinomial spread gives 6-11 people
DISTRIBUTED_SHARE = 0.15
INACTIVE_SHARE = 0.03
RATED_SHARE = 0.95


# --- what the company looks like ------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    id: int
    code: str
    name: str
    share: float  # of teams
    work_mode_mix: tuple[float, float, float]  # office, hybrid, remote


REGIONS = (
    Region(1, "NA", "North America", 0.32, (0.25, 0.45, 0.30)),
    Region(2, "LATAM", "Latin America", 0.09, (0.30, 0.35, 0.35)),
    Region(3, "UKI", "UK & Ireland", 0.14, (0.25, 0.55, 0.20)),
    Region(4, "DACH", "DACH", 0.13, (0.40, 0.45, 0.15)),
    Region(5, "NORDICS", "Nordics", 0.07, (0.20, 0.55, 0.25)),
    Region(6, "IN", "India", 0.15, (0.55, 0.35, 0.10)),
    Region(7, "APAC", "APAC", 0.10, (0.45, 0.40, 0.15)),
)
HEADQUARTERS_REGION = 1
# Members working outside their team's region mostly do so remotely.
DISTRIBUTED_WORK_MODE_MIX = (0.10, 0.25, 0.65)


@dataclass(frozen=True)
class Division:
    name: str
    share: float  # of departments
    departments: tuple[tuple[str, str], ...]  # (department theme, job family), in order of founding
    team_goals: tuple[str, ...]  # goal titles that fit the division's work
    individual_goals: tuple[str, ...]


ENGINEERING, SALES, PRODUCT, CUSTOMER_SUCCESS, CORPORATE, MARKETING, OPERATIONS = (
    "Engineering", "Sales", "Product & Design", "Customer Success", "Corporate Functions", "Marketing", "Operations"
)  # fmt: skip
# The first five are always present, so every profile has a People department for the HR viewers.
DIVISIONS = (
    Division(
        ENGINEERING, 0.34,
        (
            ("Platform", "Software Engineering"), ("Payments", "Software Engineering"),
            ("Mobile", "Software Engineering"), ("Data", "Data & Analytics"),
            ("Infrastructure", "Site Reliability"), ("Security", "Security"),
            ("Search", "Software Engineering"), ("Identity", "Software Engineering"),
            ("Developer Experience", "Software Engineering"), ("Reliability", "Site Reliability"),
            ("Integrations", "Software Engineering"), ("Billing", "Software Engineering"),
            ("Messaging", "Software Engineering"), ("Machine Learning", "Data & Analytics"),
            ("Web", "Software Engineering"), ("Checkout", "Software Engineering"),
        ),
        (
            "Migrate services to the new platform", "Reduce page load time", "Automate the release pipeline",
            "Improve search relevance", "Roll out single sign-on", "Reduce on-call load", "Retire legacy billing",
            "Publish the public API", "Cut p95 latency in half", "Harden the CI pipeline",
        ),
        (
            "Ship the API v2 endpoints", "Improve test coverage of my services", "Improve the on-call runbooks",
            "Deliver my part of the migration", "Fix the top crash reports", "Write the design doc for the new service",
        ),
    ),
    Division(
        SALES, 0.18,
        (
            ("Enterprise Sales", "Sales"), ("Mid-Market Sales", "Sales"), ("SMB Sales", "Sales"),
            ("Partnerships", "Sales"), ("Sales Operations", "Business Operations"),
            ("Solutions Engineering", "Sales Engineering"), ("Channel Sales", "Sales"),
            ("Public Sector Sales", "Sales"),
        ),
        (
            "Close the top enterprise accounts", "Grow the qualified pipeline", "Launch the partner portal",
            "Expand into the public sector", "Improve forecast accuracy", "Shorten the sales cycle",
        ),
        (
            "Close five new accounts", "Build a pipeline of 20 qualified leads",
            "Run business reviews with my accounts",
            "Clean up my CRM data", "Win back two churned customers", "Land the first deal in my new territory",
        ),
    ),
    Division(
        PRODUCT, 0.12,
        (
            ("Product Management", "Product Management"), ("Design", "Design"), ("User Research", "Research"),
            ("Product Analytics", "Data & Analytics"), ("Product Operations", "Product Management"),
            ("Content Design", "Design"),
        ),
        (
            "Ship the new onboarding flow", "Redesign the mobile checkout", "Launch usage-based pricing",
            "Introduce self-service analytics", "Localise the product", "Run the discovery sprint for the next bet",
        ),
        (
            "Own the checkout redesign", "Run customer interviews", "Prototype the new dashboard",
            "Build the pricing experiment", "Publish the quarterly analysis", "Write the launch spec",
        ),
    ),
    Division(
        CUSTOMER_SUCCESS, 0.14,
        (
            ("Support", "Customer Support"), ("Onboarding", "Customer Success"),
            ("Account Management", "Customer Success"), ("Customer Education", "Customer Success"),
            ("Renewals", "Sales"), ("Professional Services", "Consulting"),
        ),
        (
            "Cut the support backlog", "Improve the renewal rate", "Launch the customer community",
            "Scale onboarding for enterprise", "Raise first-contact resolution", "Refresh the help centre",
        ),
        (
            "Resolve escalated tickets faster", "Onboard two new customers", "Write the integration guide",
            "Run health checks with my accounts", "Cut my review turnaround", "Lead the renewal of my top accounts",
        ),
    ),
    Division(
        CORPORATE, 0.08,
        (
            ("People", "People"), ("Finance", "Finance"), ("Legal", "Legal"), ("Strategy", "Business Operations"),
            ("Internal Audit", "Finance"), ("Workplace", "Operations"),
        ),
        (
            "Standardise hiring interviews", "Close the books in five days", "Consolidate vendor contracts",
            "Roll out the new performance process", "Refresh the contract templates", "Launch the wellbeing programme",
        ),
        (
            "Support the annual audit", "Deliver the vendor evaluation", "Automate the weekly report",
            "Run the quarterly engagement survey", "Review the expense policy", "Coordinate the hiring plan",
        ),
    ),
    Division(
        MARKETING, 0.08,
        (
            ("Brand", "Marketing"), ("Growth Marketing", "Marketing"), ("Product Marketing", "Marketing"),
            ("Communications", "Marketing"), ("Events", "Marketing"), ("Demand Generation", "Marketing"),
        ),
        (
            "Run the seasonal campaign", "Relaunch the website", "Grow organic traffic",
            "Launch the customer stories programme", "Raise brand awareness in new markets", "Improve lead quality",
        ),
        (
            "Launch the email nurture sequence", "Coordinate the launch event", "Publish four customer stories",
            "Optimise paid search spend", "Write the launch messaging", "Grow newsletter subscribers",
        ),
    ),
    Division(
        OPERATIONS, 0.06,
        (
            ("Supply Chain", "Operations"), ("Procurement", "Operations"), ("IT", "IT"),
            ("Business Operations", "Business Operations"), ("Logistics", "Operations"), ("Facilities", "Operations"),
        ),
        (
            "Consolidate warehouses", "Cut procurement cycle time", "Roll out the new laptop fleet",
            "Improve delivery times", "Automate invoice matching", "Reduce office energy use",
        ),
        (
            "Renegotiate the logistics contract", "Migrate the asset inventory", "Improve ticket triage",
            "Plan the office move", "Automate the weekly report", "Deliver the vendor evaluation",
        ),
    ),
)
HR_DEPARTMENT_THEME = "People"
HR_VIEWERS = 3

WOMEN_FIRST_NAMES = (
    "Emma", "Olivia", "Sofia", "Mia", "Ava", "Isabella", "Amelia", "Charlotte", "Hannah", "Lena", "Anna",
    "Laura", "Julia", "Sara", "Ingrid", "Freya", "Astrid", "Maja", "Elin", "Aoife", "Siobhan", "Chloe",
    "Grace", "Lucy", "Priya", "Ananya", "Aisha", "Fatima", "Meera", "Kavya", "Mei", "Yuki", "Sakura",
    "Maria", "Camila", "Valentina", "Lucia", "Gabriela", "Fernanda", "Daniela", "Sophie", "Claire",
    "Emily", "Sarah", "Rachel", "Nicole", "Olga", "Zoe", "Leila", "Nadia", "Amara", "Chiara", "Elena",
    "Ines", "Noor", "Tara",
)
MEN_FIRST_NAMES = (
    "Liam", "Noah", "James", "Lucas", "Mateo", "Leon", "Felix", "Jonas", "Lukas", "Paul", "Erik", "Lars",
    "Mikael", "Oskar", "Sean", "Conor", "Oliver", "Jack", "Harry", "George", "Arjun", "Rohan", "Vikram",
    "Rahul", "Aditya", "Karan", "Wei", "Hiroshi", "Kenji", "Diego", "Santiago", "Carlos", "Miguel",
    "Rafael", "Pedro", "Thomas", "Daniel", "Michael", "David", "Ethan", "Samuel", "Omar", "Ahmed",
    "Youssef", "Ivan", "Marco", "Luca", "Tobias", "Nikolai", "Kwame", "Tariq", "Hugo", "Emil", "Anders",
    "Ravi", "Sanjay",
)
NEUTRAL_FIRST_NAMES = (
    "Alex", "Sam", "Robin", "Jordan", "Taylor", "Kim", "Charlie", "Morgan", "Riley", "Jamie", "Avery",
    "Quinn", "Sasha", "Noa", "Ari", "Kai",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Garcia", "Martinez", "Rodriguez", "Lopez", "Gonzalez", "Silva",
    "Santos", "Oliveira", "Pereira", "Costa", "Fernandes", "Murphy", "Kelly", "O'Brien", "Walsh", "Byrne",
    "Taylor", "Davies", "Evans", "Wilson", "Thompson", "Wright", "Muller", "Schmidt", "Schneider", "Fischer",
    "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Huber", "Gruber", "Keller", "Andersson", "Johansson",
    "Nilsson", "Hansen", "Larsen", "Virtanen", "Korhonen", "Berg", "Lindqvist", "Sharma", "Patel", "Gupta",
    "Singh", "Kumar", "Reddy", "Iyer", "Nair", "Menon", "Das", "Rao", "Chen", "Wang", "Li", "Zhang", "Liu",
    "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Lee", "Nguyen", "Tran", "Wong", "Tan", "Lim", "Ng", "Novak",
    "Kowalski", "Rossi", "Bianchi", "Dubois", "Moreau", "Khan", "Ali", "Haddad", "Okafor", "Mensah", "Cohen",
    "Levy", "van Dijk", "de Vries", "Jansen",
)
GENDERS = ("woman", "man", "non-binary", "undisclosed")
GENDER_SHARES = (0.44, 0.50, 0.02, 0.04)
AGE_BANDS = ("<25", "25-34", "35-44", "45-54", "55+")
# Age band shares by seniority: juniors are younger, executives older.
AGE_BAND_SHARES_BY_LEVELS = (
    ((1, 2), (0.30, 0.50, 0.14, 0.05, 0.01)),
    ((3, 4), (0.05, 0.45, 0.32, 0.13, 0.05)),
    ((5, 6), (0.00, 0.20, 0.42, 0.27, 0.11)),
    ((7, 8), (0.00, 0.05, 0.35, 0.40, 0.20)),
)
MEMBER_LEVEL_SHARES = (0.12, 0.28, 0.33, 0.19, 0.08)  # levels 1-5
COMPANY_FOUNDED = date(2009, 3, 1)

OBJECTIVE_TITLES = (
    "Grow annual recurring revenue by 30%", "Win the mid-market segment", "Delight customers at every touchpoint",
    "Build a platform that scales tenfold", "Expand into three new markets", "Make every team data-driven",
    "Be the best place to grow a career", "Run a lean, efficient operation", "Ship faster with higher quality",
    "Become the most trusted brand in our category", "Reach net-zero operations",
    "Make security a competitive advantage", "Double partner-sourced revenue",
    "Launch the next-generation product line",
)
DEPARTMENT_GOAL_TITLES = (
    "Grow self-serve revenue", "Cut time to value for new customers", "Raise service reliability to 99.95%",
    "Modernise the core platform", "Improve customer retention", "Reduce cost to serve",
    "Strengthen the hiring pipeline", "Launch in two new regions", "Improve product quality",
    "Increase pipeline coverage", "Build a partner ecosystem", "Automate manual workflows",
    "Improve employee engagement", "Harden our security posture", "Speed up delivery",
    "Improve forecast accuracy", "Expand the enterprise footprint", "Scale customer onboarding",
    "Raise net promoter score", "Reduce operational incidents",
)
DEVELOPMENT_GOAL_TITLES = (
    "Complete a cloud certification", "Mentor a new joiner", "Improve public speaking", "Lead a cross-team project",
    "Learn a new programming language", "Build people-management skills", "Deepen product discovery skills",
    "Complete the leadership programme", "Present at an industry conference", "Improve negotiation skills",
    "Learn advanced SQL", "Shadow a customer-facing team", "Grow stakeholder management skills",
    "Get certified in data privacy",
)


@dataclass(frozen=True)
class Metric:
    """A kind of key result: start drawn from [start_low, start_high], target moved by change_low-high."""

    name: str
    direction: str
    start_low: float
    start_high: float
    change_low: float
    change_high: float
    relative: bool  # change is a fraction of the start value, else in the metric's own unit
    decimals: int
    ceiling: float | None = None  # percentages cannot pass 100
    divisions: tuple[str, ...] = ()  # the divisions whose goals use it; () for all


BUSINESS_METRICS = (
    Metric("Weekly active users", "increase", 2_000, 80_000, 0.10, 0.40, True, 0,
           divisions=(ENGINEERING, PRODUCT, MARKETING)),
    Metric("Monthly recurring revenue ($k)", "increase", 200, 5_000, 0.08, 0.30, True, 0,
           divisions=(SALES, CUSTOMER_SUCCESS, PRODUCT)),
    Metric("Qualified pipeline ($k)", "increase", 500, 8_000, 0.10, 0.40, True, 0, divisions=(SALES, MARKETING)),
    Metric("Net promoter score", "increase", 15, 45, 4, 15, False, 0, divisions=(CUSTOMER_SUCCESS, PRODUCT)),
    Metric("Tickets resolved within SLA (%)", "increase", 70, 90, 3, 9, False, 1, ceiling=100,
           divisions=(CUSTOMER_SUCCESS, OPERATIONS)),
    Metric("Deployments per week", "increase", 5, 40, 0.20, 0.80, True, 0, divisions=(ENGINEERING,)),
    Metric("Test coverage (%)", "increase", 50, 75, 5, 15, False, 1, ceiling=100, divisions=(ENGINEERING,)),
    Metric("Features shipped", "increase", 0, 0, 2, 10, False, 0, divisions=(ENGINEERING, PRODUCT)),
    Metric("Customer meetings held", "increase", 0, 0, 10, 40, False, 0, divisions=(SALES, CUSTOMER_SUCCESS, PRODUCT)),
    Metric("Trial-to-paid conversion (%)", "increase", 8, 20, 1, 5, False, 1, ceiling=100,
           divisions=(PRODUCT, MARKETING)),
    Metric("Employee engagement score", "increase", 60, 75, 3, 8, False, 0, ceiling=100,
           divisions=(CORPORATE, OPERATIONS)),
    Metric("Deals closed", "increase", 0, 0, 3, 15, False, 0, divisions=(SALES,)),
    Metric("Marketing-qualified leads", "increase", 300, 3_000, 0.10, 0.40, True, 0, divisions=(MARKETING,)),
    Metric("Invoices matched automatically (%)", "increase", 40, 70, 10, 25, False, 1, ceiling=100,
           divisions=(CORPORATE, OPERATIONS)),
    Metric("Milestones delivered", "increase", 0, 0, 3, 8, False, 0),
    Metric("p95 API latency (ms)", "decrease", 250, 900, 0.15, 0.45, True, 0, divisions=(ENGINEERING,)),
    Metric("Open critical bugs", "decrease", 15, 80, 0.30, 0.70, True, 0, divisions=(ENGINEERING,)),
    Metric("Customer churn rate (%)", "decrease", 2, 7, 0.5, 2, False, 1, divisions=(CUSTOMER_SUCCESS, SALES)),
    Metric("Cloud cost per customer ($)", "decrease", 20, 80, 0.10, 0.30, True, 2, divisions=(OPERATIONS,)),
    Metric("Time to hire (days)", "decrease", 35, 70, 5, 20, False, 0, divisions=(CORPORATE,)),
    Metric("Days to close the books", "decrease", 8, 15, 2, 5, False, 0, divisions=(CORPORATE,)),
    Metric("Median onboarding time (days)", "decrease", 10, 40, 0.20, 0.50, True, 0, divisions=(CUSTOMER_SUCCESS,)),
    Metric("Supplier lead time (days)", "decrease", 10, 45, 0.15, 0.40, True, 0, divisions=(OPERATIONS,)),
    Metric("Cost per lead ($)", "decrease", 40, 200, 0.10, 0.30, True, 0, divisions=(MARKETING,)),
)  # fmt: skip
DEVELOPMENT_METRICS = (
    Metric("Learning milestones completed", "increase", 0, 0, 3, 8, False, 0),
    Metric("Courses completed", "increase", 0, 0, 2, 6, False, 0),
    Metric("Mentoring sessions held", "increase", 0, 0, 4, 12, False, 0),
    Metric("Practice talks given", "increase", 0, 0, 2, 5, False, 0),
    Metric("Certification modules passed", "increase", 0, 0, 3, 8, False, 0),
)

# Roles in the manager chain; the order is also the order of employee ids.
CEO, DIVISION_HEAD, DEPARTMENT_HEAD, TEAM_LEAD, MEMBER = range(5)
LEVEL_COMPANY, LEVEL_DEPARTMENT, LEVEL_TEAM, LEVEL_INDIVIDUAL = range(4)
GOAL_LEVEL_NAMES = ("company", "department", "team", "individual")

# Check-in cadence a manager keeps with every report.
WEEKLY, BIWEEKLY, MONTHLY, LAPSING = range(4)
CADENCE_SHARES = (0.30, 0.30, 0.25, 0.15)
CADENCE_GAP_DAYS = (7, 14, 28, 14)  # whole weeks, so a series keeps its weekday
CADENCE_HELD_SHARE = (0.70, 0.85, 0.92, 0.85)  # the rest were cancelled
RESCHEDULED_SHARE = 0.25  # moved a day or two from the usual slot
CHECKIN_KIND_SHARES = (0.80, 0.12, 0.08)  # 1:1, goal review, development

GUIDELINE_SHARES = (0.05, 0.15, 0.50, 0.20, 0.10)  # ratings 1-5
POTENTIAL_SHARES = (0.25, 0.55, 0.20)  # potential 1-3
LENIENT_RATER_SHARE = 0.08
SEVERE_RATER_SHARE = 0.08
RATER_SHIFT = 0.7
RATING_INFLATION = 0.15  # every rater rounds up a little before calibration
CALIBRATION_NOISE = 0.15  # committee judgement beyond correcting raters
# Proximity bias planted in the current cycle: remote workers' latent score is pulled down by
# this much, which puts their top-rating share at about 0.65x office workers'.
REMOTE_PENALTY = 0.36


# --- small vectorised helpers ----------------------------------------------------------------------


def _day(d: date) -> int:
    return (d - EPOCH).days


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date)


def _ids_or_null(ids: np.ndarray) -> pl.Series:
    """Ids where positive, NULL where 0 (the generator's 'none')."""
    series = pl.Series(np.asarray(ids, dtype=np.int64))
    return pl.select(pl.when(series > 0).then(series)).to_series()


def _pick(values: Sequence[str], index: np.ndarray) -> pl.Series:
    return pl.Series(list(values), dtype=pl.String).gather(np.asarray(index, dtype=np.int64))


def _join_text(*parts: pl.Series | str) -> pl.Series:
    """Concatenate string columns and literals row by row."""
    return pl.select(pl.concat_str([pl.lit(part) if isinstance(part, str) else part for part in parts])).to_series()


def _pick_from_pools(rng: np.random.Generator, pools: Sequence[Sequence[str]], pool: np.ndarray) -> pl.Series:
    """A uniformly random entry of `pools[pool[i]]` for every row i."""
    flat = [entry for entries in pools for entry in entries]
    sizes = np.array([len(entries) for entries in pools])
    starts = np.cumsum(sizes) - sizes
    return _pick(flat, starts[pool] + (rng.random(len(pool)) * sizes[pool]).astype(np.int64))


def _within_group(counts: np.ndarray) -> np.ndarray:
    """For groups laid end to end with these sizes, each row's position inside its group."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


def _pick_in_group(rng: np.random.Generator, starts: np.ndarray, counts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """A uniformly random member of each row's group (groups laid out contiguously)."""
    return starts[groups] + (rng.random(len(groups)) * counts[groups]).astype(np.int64)


def _weight(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mostly 1, sometimes doubled or halved."""
    return np.choose(rng.choice(3, size=n, p=(0.85, 0.08, 0.07)), (1.0, 2.0, 0.5))


def _bucket(scores: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """1..len(shares) by the empirical quantiles of `scores`, so the buckets hold these shares."""
    cuts = np.quantile(scores, np.cumsum(shares)[:-1]) if len(scores) else np.zeros(len(shares) - 1)
    return 1 + np.searchsorted(cuts, scores, side="right")


def _is_weekend(days: np.ndarray) -> np.ndarray:
    return (days + 3) % 7 >= 5  # 1970-01-01 was a Thursday; Monday = 0


def _age_band(rng: np.random.Generator, level: np.ndarray) -> np.ndarray:
    band = np.zeros(len(level), dtype=np.int64)
    for levels, shares in AGE_BAND_SHARES_BY_LEVELS:
        mask = np.isin(level, levels)
        band[mask] = rng.choice(len(AGE_BANDS), size=int(mask.sum()), p=shares)
    return band


_POLARS_TYPES = ((Boolean, pl.Boolean), (Integer, pl.Int64), (Float, pl.Float64), (Date, pl.Date), (String, pl.String))


def table_schema(name: str) -> dict[str, pl.DataType]:
    """The Polars schema of a table, from its SQLAlchemy model."""
    schema = {}
    for column in Base.metadata.tables[name].columns:
        schema[column.name] = next(pl_type for sa_type, pl_type in _POLARS_TYPES if isinstance(column.type, sa_type))
    return schema


def _table(table_name: str, /, **columns: object) -> pl.DataFrame:
    """A frame with exactly the model's columns, in the model's order and types."""
    schema = table_schema(table_name)
    if list(columns) != list(schema):
        raise ValueError(f"{table_name}: columns {list(columns)} do not match the model {list(schema)}")
    return pl.DataFrame(columns).cast(schema)


# --- the builder -----------------------------------------------------------------------------------


class _DemoCompany:
    """Draws the company one step at a time, keeping the arrays later steps build on.

    Arrays are indexed by position (employee i has id i + 1, and so on); ids are assigned
    parents first, so every manager, parent unit and parent goal has a lower id than its child.
    """

    def __init__(self, profile: Profile, seed: int, today: date) -> None:
        self.profile = profile
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.today = today
        self.today_day = _day(today)
        self.years = (today.year - 1, today.year)

    # (what the step builds, the method), in dependency order.
    STEPS = (
        ("region", "build_regions"),
        ("org_unit", "build_org_units"),
        ("employee, employee_sensitive", "build_employees"),
        ("period", "build_periods"),
        ("goal", "build_goals"),
        ("goal_link", "build_goal_links"),
        ("key_result, progress_update", "build_key_results"),
        ("checkin", "build_checkins"),
        ("review_cycle, rating_guideline", "build_review_cycles"),
        ("rating", "build_ratings"),
        ("viewer", "build_viewers"),
    )

    def steps(self) -> list[tuple[str, Callable[[], dict[str, pl.DataFrame]]]]:
        return [(label, getattr(self, method)) for label, method in self.STEPS]

    # --- regions and the org tree ---

    def build_regions(self) -> dict[str, pl.DataFrame]:
        self.region_ids = np.array([r.id for r in REGIONS])
        self.region_shares = np.array([r.share for r in REGIONS])
        self.region_shares /= self.region_shares.sum()
        return {
            "region": _table(
                "region",
                id=self.region_ids,
                code=[r.code for r in REGIONS],
                name=[r.name for r in REGIONS],
            )
        }

    def _draw_regions(self, n: int) -> np.ndarray:
        return self.rng.choice(self.region_ids, size=n, p=self.region_shares)

    def build_org_units(self) -> dict[str, pl.DataFrame]:
        rng, profile = self.rng, self.profile
        divisions = DIVISIONS[: profile.divisions]
        n_divisions = len(divisions)
        division_shares = np.array([d.share for d in divisions])
        departments_per_division = 1 + rng.multinomial(
            n_divisions * profile.departments_per_division - n_divisions, division_shares / division_shares.sum()
        )
        department_division = np.repeat(np.arange(n_divisions), departments_per_division)
        n_departments = len(department_division)

        # The j-th department of a division takes the division's j-th theme; later rounds are numbered.
        department_names, department_themes, department_families = [], [], []
        for division_index, position in zip(department_division, _within_group(departments_per_division), strict=True):
            themes = divisions[division_index].departments
            theme, family = themes[position % len(themes)]
            rounds = position // len(themes)
            department_themes.append(theme)
            department_families.append(family)
            department_names.append(f"{theme} Department" + (f" {rounds + 1}" if rounds else ""))

        # People sit in teams, apart from the CEO and the division and department heads.
        team_people = profile.employees - 1 - n_divisions - n_departments
        n_teams = max(n_departments, round(team_people / MEAN_TEAM_SIZE))
        department_weight = rng.gamma(3.0, size=n_departments)
        teams_per_department = 1 + rng.multinomial(n_teams - n_departments, department_weight / department_weight.sum())
        team_department = np.repeat(np.arange(n_departments), teams_per_department)
        spare_people = team_people - MIN_TEAM_SIZE * n_teams
        team_size = MIN_TEAM_SIZE + rng.multinomial(spare_people, np.full(n_teams, 1 / n_teams))

        # Teams are numbered per theme across the company, so "Payments Team 3" is one team.
        theme_counter: dict[str, int] = {}
        team_names = []
        for department in team_department:
            theme = department_themes[department]
            theme_counter[theme] = theme_counter.get(theme, 0) + 1
            team_names.append(f"{theme} Team {theme_counter[theme]}")

        division_region = np.where(
            rng.random(n_divisions) < 0.6, HEADQUARTERS_REGION, self._draw_regions(n_divisions)
        )
        department_region = self._draw_regions(n_departments)
        team_region = np.where(
            rng.random(n_teams) < 0.7, department_region[team_department], self._draw_regions(n_teams)
        )

        self.company_unit = 1
        self.division_unit = 2 + np.arange(n_divisions)
        self.department_unit = 2 + n_divisions + np.arange(n_departments)
        self.team_unit = 2 + n_divisions + n_departments + np.arange(n_teams)
        self.department_division = department_division
        self.department_themes = department_themes
        self.department_families = department_families
        self.team_department = team_department
        self.team_size = team_size
        self.team_region = team_region
        self.division_region = division_region
        self.department_region = department_region
        self.divisions = divisions
        self.division_names = [d.name for d in divisions]
        # Division of every org unit, by unit id (the company belongs to none).
        self.unit_division = np.concatenate(
            ([-1, -1], np.arange(n_divisions), department_division, department_division[team_department])
        )

        return {
            "org_unit": _table(
                "org_unit",
                id=np.concatenate(([self.company_unit], self.division_unit, self.department_unit, self.team_unit)),
                parent_id=_ids_or_null(
                    np.concatenate(
                        (
                            [0],
                            np.full(n_divisions, self.company_unit),
                            self.division_unit[department_division],
                            self.department_unit[team_department],
                        )
                    )
                ),
                name=["Ladder Inc."] + self.division_names + department_names + team_names,
                kind=["company"] + ["division"] * n_divisions + ["department"] * n_departments + ["team"] * n_teams,
                region_id=np.concatenate(([HEADQUARTERS_REGION], division_region, department_region, team_region)),
            )
        }

    # --- people ---

    def build_employees(self) -> dict[str, pl.DataFrame]:
        rng = self.rng
        n_divisions, n_departments, n_teams = len(self.division_unit), len(self.department_unit), len(self.team_unit)
        members_per_team = self.team_size - 1
        n_members = int(members_per_team.sum())
        role = np.concatenate(
            (
                [CEO],
                np.full(n_divisions, DIVISION_HEAD),
                np.full(n_departments, DEPARTMENT_HEAD),
                np.full(n_teams, TEAM_LEAD),
                np.full(n_members, MEMBER),
            )
        )
        n = len(role)
        division_head_id = 2 + np.arange(n_divisions)
        department_head_id = 2 + n_divisions + np.arange(n_departments)
        team_lead_id = 2 + n_divisions + n_departments + np.arange(n_teams)
        member_team = np.repeat(np.arange(n_teams), members_per_team)

        team = np.concatenate((np.full(1 + n_divisions + n_departments, -1), np.arange(n_teams), member_team))
        department = np.concatenate(
            (
                np.full(1 + n_divisions, -1),
                np.arange(n_departments),
                self.team_department,
                self.team_department[member_team],
            )
        )
        manager = np.concatenate(
            (
                [0],
                np.ones(n_divisions, dtype=np.int64),
                division_head_id[self.department_division],
                department_head_id[self.team_department],
                team_lead_id[member_team],
            )
        )
        unit = np.concatenate(
            ([self.company_unit], self.division_unit, self.department_unit, self.team_unit, self.team_unit[member_team])
        )
        home_region = np.concatenate(
            ([HEADQUARTERS_REGION], self.division_region, self.department_region, self.team_region,
             self.team_region[member_team])
        )  # fmt: skip

        # Distributed teams: some members work from another region than their team's.
        distributed = (role == MEMBER) & (rng.random(n) < DISTRIBUTED_SHARE)
        other_region = self.region_ids[(np.searchsorted(self.region_ids, home_region) + rng.integers(1, 7, n)) % 7]
        region = np.where(distributed, other_region, home_region)

        region_mix = np.array([r.work_mode_mix for r in REGIONS])[np.searchsorted(self.region_ids, region)]
        mix = np.where(distributed[:, None], np.array(DISTRIBUTED_WORK_MODE_MIX)[None, :], region_mix)
        work_mode = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)[:, :2]).sum(axis=1)
        work_mode[0] = WORK_MODES.index("office")  # the CEO works from headquarters

        level = np.select(
            [role == CEO, role == DIVISION_HEAD, role == DEPARTMENT_HEAD, role == TEAM_LEAD],
            [8, 7, 6, 4 + (rng.random(n) < 0.6)],
            default=1 + rng.choice(5, size=n, p=MEMBER_LEVEL_SHARES),
        )
        family = np.array(self.department_families, dtype=object)[np.maximum(department, 0)]
        job_family = np.where(department < 0, "Executive", family).astype(str)

        # Tenure: most people joined in the last few years; leaders have been here longer.
        tenure_years = rng.gamma(1.4, 3.0, n) + np.choose(role, (0.0, 3.0, 2.0, 1.0, 0.0))
        founded = _day(COMPANY_FOUNDED)
        hire_day = np.clip(self.today_day - (tenure_years * 365.25).astype(np.int64), founded, self.today_day - 14)
        hire_day[0] = founded
        active = ~((role == MEMBER) & (rng.random(n) < INACTIVE_SHARE))
        leave_day = np.where(active, np.iinfo(np.int32).max, self.today_day - rng.integers(14, 300, n))
        hire_day = np.where(active, hire_day, np.minimum(hire_day, leave_day - rng.integers(90, 900, n)))

        gender = rng.choice(len(GENDERS), size=n, p=GENDER_SHARES)
        # First names follow gender: non-binary people take a neutral name, undisclosed ones any name.
        first_names = WOMEN_FIRST_NAMES + MEN_FIRST_NAMES + NEUTRAL_FIRST_NAMES
        n_women, n_men = len(WOMEN_FIRST_NAMES), len(MEN_FIRST_NAMES)
        list_start = np.array((0, n_women, n_women + n_men, 0))[gender]
        list_size = np.array((n_women, n_men, len(NEUTRAL_FIRST_NAMES), len(first_names)))[gender]
        first_index = list_start + (rng.random(n) * list_size).astype(np.int64)
        last_index = rng.integers(0, len(LAST_NAMES), n)
        ids = np.arange(1, n + 1)

        first = _pick(first_names, first_index)
        last = _pick(LAST_NAMES, last_index)
        email_first = _pick([_email_part(name) for name in first_names], first_index)
        email_last = _pick([_email_part(name) for name in LAST_NAMES], last_index)

        self.n_employees = n
        self.role = role
        self.team = team
        self.department = department
        self.manager = manager
        self.unit = unit
        self.work_mode = work_mode
        self.hire_day = hire_day
        self.leave_day = leave_day
        self.active = active
        self.team_lead_id = team_lead_id
        self.department_head_id = department_head_id

        self.employee_email = _join_text(
            email_first, ".", email_last, ".", pl.Series(ids).cast(pl.String), f"@{EMAIL_DOMAIN}"
        )
        return {
            "employee": _table(
                "employee",
                id=ids,
                name=_join_text(first, " ", last),
                email=self.employee_email,
                manager_id=_ids_or_null(manager),
                org_unit_id=unit,
                region_id=region,
                level=level,
                job_family=job_family,
                hire_date=_dates(hire_day),
                work_mode=_pick(WORK_MODES, work_mode),
                active=active,
            ),
            "employee_sensitive": _table(
                "employee_sensitive",
                employee_id=ids,
                gender=_pick(GENDERS, gender),
                age_band=_pick(AGE_BANDS, _age_band(rng, level)),
            ),
        }

    # --- periods ---

    def build_periods(self) -> dict[str, pl.DataFrame]:
        # Slots 0-1 are the two years, 2-9 their quarters in order.
        ids, names, kinds, years, quarters, parents, starts, ends = [], [], [], [], [], [], [], []
        for year in self.years:
            ids.append(year * 10)
            names.append(str(year))
            kinds.append("year")
            years.append(year)
            quarters.append(None)
            parents.append(0)
            starts.append(_day(date(year, 1, 1)))
            ends.append(_day(date(year, 12, 31)))
        for year in self.years:
            for quarter in range(1, 5):
                ids.append(year * 10 + quarter)
                names.append(f"{year}-Q{quarter}")
                kinds.append("quarter")
                years.append(year)
                quarters.append(quarter)
                parents.append(year * 10)
                starts.append(_day(date(year, 3 * quarter - 2, 1)))
                ends.append(_day(date(year + quarter // 4, 3 * quarter % 12 + 1, 1)) - 1)
        self.period_id = np.array(ids)
        self.period_start = np.array(starts)
        self.period_end = np.array(ends)
        return {
            "period": _table(
                "period",
                id=self.period_id,
                name=names,
                kind=kinds,
                year=years,
                quarter=quarters,
                parent_id=_ids_or_null(np.array(parents)),
                start_date=_dates(self.period_start),
                end_date=_dates(self.period_end),
            )
        }

    # --- goals ---

    def build_goals(self) -> dict[str, pl.DataFrame]:
        rng = self.rng
        n_departments, n_teams = len(self.department_unit), len(self.team_unit)
        ceo_id = 1
        parts: list[dict[str, object]] = []
        next_id = 1

        def add(**columns: object) -> np.ndarray:
            nonlocal next_id
            count = len(columns["level"])
            ids = np.arange(next_id, next_id + count)
            next_id += count
            parts.append({"id": ids, **columns})
            return ids

        # Company objectives, with their planted pace and thin support. The two objectives fewest
        # departments pick up are the ones that fall behind (the story: under-resourced bets).
        objective_ids, objective_pace, objective_thin, objective_popularity = [], [], [], []
        for year_index in range(2):
            count = int(rng.integers(5, 9))
            titles = rng.choice(len(OBJECTIVE_TITLES), size=count, replace=False)
            thin = np.zeros(count, dtype=bool)
            thin[rng.choice(count, size=int(rng.integers(1, 3)), replace=False)] = True
            popularity = np.where(thin, 0.0, rng.dirichlet(np.full(count, 5.0)))
            popularity /= popularity.sum()
            least_popular = np.argsort(np.where(thin, np.inf, popularity))
            pace = rng.uniform(1.0, 1.1, count)
            pace[least_popular[0]] = 0.6  # behind
            pace[least_popular[1]] = 0.85  # at risk
            ids = add(
                level=np.full(count, LEVEL_COMPANY),
                development=np.zeros(count, dtype=bool),
                title=_pick(OBJECTIVE_TITLES, titles),
                parent=np.zeros(count, dtype=np.int64),
                owner=np.full(count, ceo_id),
                unit=np.full(count, self.company_unit),
                slot=np.full(count, year_index),
                weight=np.ones(count),
                pace=pace,
            )
            objective_ids.append(ids)
            objective_pace.append(pace)
            objective_thin.append(thin)
            objective_popularity.append(popularity)

        # Department goals: 2-4 a year per department, each under an objective of that year.
        department_goal_count = rng.integers(2, 5, size=(2, n_departments))
        department_goal_start = np.zeros((2, n_departments), dtype=np.int64)
        department_goal_pace = []
        for year_index in range(2):
            counts = department_goal_count[year_index]
            department = np.repeat(np.arange(n_departments), counts)
            total = len(department)
            ids_of_objectives = objective_ids[year_index]
            thin = objective_thin[year_index]
            supported = ids_of_objectives[~thin]
            # Every objective with support gets at least two department goals, a thin one 0 or 1.
            thin_supporters = ids_of_objectives[thin][rng.random(int(thin.sum())) < 0.5]
            popularity = objective_popularity[year_index][~thin]
            required = np.concatenate((thin_supporters, np.repeat(supported, 2)))[:total]
            parent = rng.permutation(
                np.concatenate((required, rng.choice(supported, size=total - len(required), p=popularity)))
            )
            pace = objective_pace[year_index][np.searchsorted(ids_of_objectives, parent)]
            ids = add(
                level=np.full(total, LEVEL_DEPARTMENT),
                development=np.zeros(total, dtype=bool),
                title=_join_text(
                    _pick(self.department_themes, department),
                    ": ",
                    _pick(DEPARTMENT_GOAL_TITLES, rng.integers(0, len(DEPARTMENT_GOAL_TITLES), total)),
                ),
                parent=parent,
                owner=self.department_head_id[department],
                unit=self.department_unit[department],
                slot=np.full(total, year_index),
                weight=_weight(rng, total),
                pace=pace,
            )
            department_goal_start[year_index] = ids[0] + np.cumsum(counts) - counts
            department_goal_pace.append(pace)
        first_department_goal = int(department_goal_start[0, 0])
        department_goal_pace_all = np.concatenate(department_goal_pace)

        # Team performance: a tenth of teams are clearly behind all along.
        struggling = rng.random(n_teams) < 0.10
        self.team_pace = np.where(struggling, rng.uniform(0.35, 0.6, n_teams), rng.normal(1.1, 0.08, n_teams))

        # Team goals: 1-3 per team and quarter, under a department goal of their department and year.
        team_goal_count = 1 + rng.choice(3, size=(8, n_teams), p=(0.65, 0.28, 0.07))
        flat_counts = team_goal_count.ravel()  # quarter-major
        block = np.repeat(np.arange(8 * n_teams), flat_counts)
        quarter_index, team = block // n_teams, block % n_teams
        total = len(block)
        year_index = quarter_index // 4
        department = self.team_department[team]
        parent = _pick_in_group(
            rng, department_goal_start.ravel(), department_goal_count.ravel(), year_index * n_departments + department
        )
        inherited_pace = department_goal_pace_all[parent - first_department_goal]
        disconnected_block = rng.random(8 * n_teams) < 0.03  # the team contributes to nothing that quarter
        orphan = disconnected_block[block] | (rng.random(total) < 0.015)
        parent = np.where(orphan, 0, parent)
        pace = np.where(orphan, 1.0, inherited_pace) * self.team_pace[team]
        team_goal_ids = add(
            level=np.full(total, LEVEL_TEAM),
            development=np.zeros(total, dtype=bool),
            title=_pick_from_pools(
                rng, [d.team_goals for d in self.divisions], self.unit_division[self.team_unit[team]]
            ),
            parent=parent,
            owner=self.team_lead_id[team],
            unit=self.team_unit[team],
            slot=_quarter_slot(quarter_index),
            weight=_weight(rng, total),
            pace=pace * rng.normal(1.0, 0.05, total),
        )
        team_goal_start = team_goal_ids[0] + np.cumsum(flat_counts) - flat_counts
        self.team_goal_ids = team_goal_ids
        self.team_goal_quarter = quarter_index
        self.team_goal_department = department
        team_goal_pace = pace

        # Individual business goals, for quarters that have started: most members of most teams.
        # Leads own the team goals and write no individual business goals.
        participation = rng.beta(5.5, 4.5, n_teams)
        in_team = self.team >= 0
        people = np.flatnonzero(self.role == MEMBER)
        quarter_start = self.period_start[_quarter_slot(np.arange(8))]
        eligible = (
            (self.hire_day[people, None] <= quarter_start[None, :] + 30)
            & (self.leave_day[people, None] > quarter_start[None, :] + 30)
            & (quarter_start[None, :] <= self.today_day)
        )
        has_goals = eligible & (rng.random(eligible.shape) < participation[self.team[people]][:, None])
        person_position, quarter_index = np.nonzero(has_goals.T)[::-1]  # quarter-major, then person
        counts = 1 + (rng.random(len(person_position)) < 0.05)
        person = np.repeat(people[person_position], counts)
        quarter_index = np.repeat(quarter_index, counts)
        total = len(person)
        team = self.team[person]
        parent_position = _pick_in_group(
            rng, team_goal_start - team_goal_ids[0], flat_counts, quarter_index * n_teams + team
        )
        orphan = rng.random(total) < 0.035
        parent = np.where(orphan, 0, team_goal_ids[parent_position])
        pace = np.where(orphan, self.team_pace[team], team_goal_pace[parent_position])
        add(
            level=np.full(total, LEVEL_INDIVIDUAL),
            development=np.zeros(total, dtype=bool),
            title=_pick_from_pools(
                rng, [d.individual_goals for d in self.divisions], self.unit_division[self.unit[person]]
            ),
            parent=parent,
            owner=person + 1,
            unit=self.unit[person],
            slot=_quarter_slot(quarter_index),
            weight=_weight(rng, total),
            pace=pace * rng.normal(1.0, 0.08, total),
        )

        # Development goals: one a year for 30-70% of a team (leaders above teams: half of them).
        development_rate = np.where(in_team, rng.beta(4, 4, n_teams)[np.maximum(self.team, 0)], 0.5)
        for year_index in range(2):
            year_start = self.period_start[year_index]
            year_end = self.period_end[year_index]
            eligible = (self.hire_day <= min(year_end, self.today_day)) & (self.leave_day > year_start + 60)
            person = np.flatnonzero(eligible & (rng.random(self.n_employees) < development_rate))
            total = len(person)
            add(
                level=np.full(total, LEVEL_INDIVIDUAL),
                development=np.ones(total, dtype=bool),
                title=_pick(DEVELOPMENT_GOAL_TITLES, rng.integers(0, len(DEVELOPMENT_GOAL_TITLES), total)),
                parent=np.zeros(total, dtype=np.int64),
                owner=person + 1,
                unit=self.unit[person],
                slot=np.full(total, year_index),
                weight=_weight(rng, total),
                pace=np.clip(rng.normal(0.85, 0.25, total), 0.1, 1.2),
            )

        goals = {key: np.concatenate([part[key] for part in parts]) for key in parts[0] if key != "title"}
        titles = pl.concat([part["title"] for part in parts])
        n_goals = len(goals["id"])
        # Archive ~2% of everything below the company objectives.
        archived = (goals["level"] != LEVEL_COMPANY) & (rng.random(n_goals) < 0.02)
        self.goal = goals
        return {
            "goal": _table(
                "goal",
                id=goals["id"],
                parent_id=_ids_or_null(goals["parent"]),
                title=titles,
                level=_pick(GOAL_LEVEL_NAMES, goals["level"]),
                kind=_pick(("business", "development"), goals["development"].astype(np.int64)),
                owner_employee_id=goals["owner"],
                org_unit_id=goals["unit"],
                period_id=self.period_id[goals["slot"]],
                weight=goals["weight"],
                archived=archived,
            )
        }

    def build_goal_links(self) -> dict[str, pl.DataFrame]:
        """~3% of team goals link to a department or team goal of another department of the same period."""
        rng = self.rng
        goal = self.goal
        team_goals = self.team_goal_ids
        n_team_goals = len(team_goals)
        source = rng.choice(n_team_goals, size=round(0.03 * n_team_goals), replace=False)
        to_department_goal = rng.random(len(source)) < 0.5

        department_goals = np.flatnonzero(goal["level"] == LEVEL_DEPARTMENT)
        department_goal_year = goal["slot"][department_goals]
        department_goal_department = np.searchsorted(self.department_unit, goal["unit"][department_goals])
        year_counts = np.bincount(department_goal_year, minlength=2)
        year_starts = np.cumsum(year_counts) - year_counts
        source_year = self.team_goal_quarter[source] // 4
        department_target = _pick_in_group(rng, year_starts, year_counts, source_year)

        quarter_counts = np.bincount(self.team_goal_quarter, minlength=8)
        quarter_starts = np.cumsum(quarter_counts) - quarter_counts
        team_target = _pick_in_group(rng, quarter_starts, quarter_counts, self.team_goal_quarter[source])

        target_id = np.where(
            to_department_goal, goal["id"][department_goals[department_target]], team_goals[team_target]
        )
        target_department = np.where(
            to_department_goal, department_goal_department[department_target], self.team_goal_department[team_target]
        )
        keep = target_department != self.team_goal_department[source]
        source_id, target_id = team_goals[source][keep], target_id[keep]
        # Edges always point to a lower id, like parent edges, so links can never close a cycle.
        pairs = np.unique(
            np.stack((np.maximum(source_id, target_id), np.minimum(source_id, target_id)), axis=1), axis=0
        )
        n = len(pairs)
        return {
            "goal_link": _table(
                "goal_link",
                id=np.arange(1, n + 1),
                goal_id=pairs[:, 0],
                target_goal_id=pairs[:, 1],
                link_type=_pick(("contributes", "supports"), (rng.random(n) < 0.2).astype(np.int64)),
                weight=np.where(rng.random(n) < 0.3, 0.5, 1.0),
            )
        }

    # --- key results and their history ---

    def build_key_results(self) -> dict[str, pl.DataFrame]:
        rng = self.rng
        goal = self.goal
        n_goals = len(goal["id"])
        level, development = goal["level"], goal["development"]

        # Objectives roll up from below; most department goals too.
        kr_count = np.select(
            [level == LEVEL_COMPANY, level == LEVEL_DEPARTMENT, development, level == LEVEL_TEAM],
            [
                0,
                np.where(rng.random(n_goals) < 0.15, 1 + (rng.random(n_goals) < 0.4), 0),
                1,
                1 + rng.choice(4, size=n_goals, p=(0.40, 0.38, 0.17, 0.05)),
            ],
            default=1 + rng.choice(4, size=n_goals, p=(0.75, 0.18, 0.05, 0.02)),
        )
        owner = np.repeat(np.arange(n_goals), kr_count)
        n = len(owner)
        is_development = development[owner]

        # Each division draws from the metrics that fit its work.
        fits = np.array(
            [[not m.divisions or d.name in m.divisions for m in BUSINESS_METRICS] for d in self.divisions], dtype=float
        )
        cumulative = np.cumsum(fits / fits.sum(axis=1, keepdims=True), axis=1)
        division = self.unit_division[goal["unit"][owner]]
        business = (rng.random(n)[:, None] > cumulative[np.maximum(division, 0)]).sum(axis=1)
        business = np.minimum(business, len(BUSINESS_METRICS) - 1)  # guards float rounding at the top end
        learning = rng.integers(0, len(DEVELOPMENT_METRICS), n)
        metrics = BUSINESS_METRICS + DEVELOPMENT_METRICS
        metric = np.where(is_development, len(BUSINESS_METRICS) + learning, business)

        def attribute(name: str) -> np.ndarray:
            return np.array([getattr(m, name) if getattr(m, name) is not None else np.inf for m in metrics])[metric]

        decimals = attribute("decimals").astype(np.int64)
        scale = 10.0 ** decimals
        start = np.round(rng.uniform(attribute("start_low"), attribute("start_high")) * scale) / scale
        change = rng.uniform(attribute("change_low"), attribute("change_high"))
        change = np.where(attribute("relative").astype(bool), change * start, change)
        change = np.maximum(np.round(change * scale) / scale, 1 / scale)  # target never equals start
        decrease = np.array([m.direction == "decrease" for m in metrics])[metric]
        ceiling = attribute("ceiling")
        target = np.where(decrease, start - change, np.minimum(start + change, ceiling))
        target = np.where(target == start, start - 1 / scale, target)

        slot = goal["slot"][owner]
        period_start, period_end = self.period_start[slot], self.period_end[slot]

        # Update rhythm: every 1-3 weeks (development: 4-8 weeks), from the period start to today.
        gap = np.where(
            is_development,
            rng.choice((30, 45, 60), size=n),
            rng.choice((7, 14, 21), size=n, p=(0.15, 0.45, 0.40)),
        )
        first_offset = (rng.random(n) * gap).astype(np.int64) + 3
        last_day = np.minimum(self.today_day, period_end)
        horizon = last_day - period_start
        regular = np.where(horizon >= first_offset, (horizon - first_offset) // gap + 1, 0)
        never_updated = rng.random(n) < 0.05
        stopped = rng.random(n) < 0.08
        regular = np.where(never_updated, 0, np.where(stopped, np.ceil(regular * rng.uniform(0.3, 0.8, n)), regular))
        regular = regular.astype(np.int64)
        kr_of_update = np.repeat(np.arange(n), regular)
        at = period_start[kr_of_update] + first_offset[kr_of_update] + _within_group(regular) * gap[kr_of_update]
        at = np.clip(at + rng.integers(-2, 3, len(at)), period_start[kr_of_update], last_day[kr_of_update])
        # Most owners score a finished period in its last days, after their last regular update.
        last_regular = np.where(regular > 0, at[np.maximum(np.cumsum(regular) - 1, 0)] if len(at) else 0, 0)
        closing_day = period_end - rng.integers(0, 6, n)
        closing = (
            (period_end < self.today_day)
            & (regular > 0)
            & ~stopped
            & (closing_day > last_regular + 2)
            & (rng.random(n) < 0.85)
        )
        kr_of_update = np.concatenate((kr_of_update, np.flatnonzero(closing)))
        at = np.concatenate((at, closing_day[closing]))
        order = np.lexsort((at, kr_of_update))
        kr_of_update, at = kr_of_update[order], at[order]
        updates = np.bincount(kr_of_update, minlength=n)

        # Progress: pace x elapsed^shape plus noise; mostly front-loaded, so a key result on pace
        # still looks on track a week or two after its last update. Counts never go backwards.
        pace = np.clip(goal["pace"][owner] * rng.normal(1.0, 0.12, n), 0.0, 1.25)
        shape = rng.uniform(0.5, 1.0, n)
        elapsed = (at - period_start[kr_of_update]) / (period_end - period_start)[kr_of_update]
        fraction = pace[kr_of_update] * elapsed ** shape[kr_of_update] + rng.normal(0, 0.03, len(at))
        monotone = (start == 0)[kr_of_update]
        # A per-group running maximum in one pass: lift each key result's rows above the previous one's.
        lifted = fraction + 10.0 * kr_of_update
        running_max = np.maximum.accumulate(lifted) - 10.0 * kr_of_update
        fraction = np.where(monotone, running_max, fraction)
        value = start[kr_of_update] + (target - start)[kr_of_update] * fraction
        value = np.clip(value, 0.0, ceiling[kr_of_update])
        value = np.round(value * scale[kr_of_update]) / scale[kr_of_update]

        # Confidence follows how far ahead or behind the expected pace the key result is.
        ahead = (fraction + 0.05) / (elapsed + 0.05)
        confidence = np.round(np.clip(0.65 + 0.5 * (ahead - 0.9) + rng.normal(0, 0.08, len(at)), 0.05, 0.99), 2)
        confidence = pl.select(
            pl.when(pl.Series(rng.random(len(at)) >= 0.03)).then(pl.Series(confidence))
        ).to_series()

        last_update = np.cumsum(updates) - 1
        current = np.where(updates > 0, value[np.maximum(last_update, 0)] if len(value) else start, start)
        n_updates = len(at)
        return {
            "key_result": _table(
                "key_result",
                id=np.arange(1, n + 1),
                goal_id=goal["id"][owner],
                metric=_pick([m.name for m in metrics], metric),
                start_value=start,
                target_value=target,
                current_value=current,
                direction=_pick(("increase", "decrease"), decrease.astype(np.int64)),
                weight=_weight(rng, n),
            ),
            "progress_update": _table(
                "progress_update",
                id=np.arange(1, n_updates + 1),
                key_result_id=kr_of_update + 1,
                at=_dates(at),
                value=value,
                confidence=confidence,
            ),
        }

    # --- check-ins ---

    def build_checkins(self) -> dict[str, pl.DataFrame]:
        """Every report of a manager, at the manager's cadence, from 1 January of last year to today."""
        rng = self.rng
        n = self.n_employees
        cadence_of_manager = rng.choice(4, size=n, p=CADENCE_SHARES)
        lapse_day = self.today_day - rng.integers(45, 121, n)
        reports = np.flatnonzero(self.manager > 0)
        manager_position = self.manager[reports] - 1
        cadence = cadence_of_manager[manager_position]
        window_start = self.period_start[0]
        start = np.maximum(window_start, self.hire_day[reports] + 7)
        end = np.minimum(self.today_day, self.leave_day[reports])
        end = np.where(cadence == LAPSING, np.minimum(end, lapse_day[manager_position]), end)
        gap = np.array(CADENCE_GAP_DAYS)[cadence]
        # Each pair meets on its own weekday; the series keeps it (gaps are whole weeks).
        meeting_weekday = rng.integers(0, 5, len(reports))
        to_weekday = (meeting_weekday - (start + 3)) % 7
        first = start + to_weekday + 7 * (rng.random(len(reports)) * (gap // 7)).astype(np.int64)
        counts = np.where(end >= first, (end - first) // gap + 1, 0)

        row = np.repeat(np.arange(len(reports)), counts)
        held = first[row] + _within_group(counts) * gap[row]
        # A rescheduled meeting moves a day or two, to the other side when that would hit a weekend.
        shift = (rng.random(len(row)) < RESCHEDULED_SHARE) * rng.choice((-2, -1, 1, 2), size=len(row))
        held = np.where(_is_weekend(held + shift), held - shift, held + shift)
        kept = (
            (rng.random(len(row)) < np.array(CADENCE_HELD_SHARE)[cadence][row])
            & (held >= start[row])
            & (held <= end[row])
        )
        row, held = row[kept], held[kept]
        total = len(row)
        return {
            "checkin": _table(
                "checkin",
                id=np.arange(1, total + 1),
                employee_id=reports[row] + 1,
                manager_id=self.manager[reports][row],
                held_at=_dates(held),
                kind=_pick(CHECKIN_KINDS, rng.choice(3, size=total, p=CHECKIN_KIND_SHARES)),
            )
        }

    # --- reviews and ratings ---

    def build_review_cycles(self) -> dict[str, pl.DataFrame]:
        previous, current = self.years
        annual_close, mid_year_close = date(current, 1, 31), date(current, 7, 15)
        # A cycle that has not closed yet by `today` is still open: its ratings are drafts.
        self.cycle_close_day = np.array([_day(annual_close), _day(mid_year_close)])
        self.cycle_period_end = np.array([self.period_end[0], self.period_end[_quarter_slot(5)]])
        cycle_ids = np.array([1, 2])
        return {
            "review_cycle": _table(
                "review_cycle",
                id=cycle_ids,
                name=[f"{previous} annual review", f"{current} mid-year review"],
                period_id=[previous * 10, current * 10 + 2],
                scale_min=[1, 1],
                scale_max=[5, 5],
                closed_on=[d if d <= self.today else None for d in (annual_close, mid_year_close)],
            ),
            "rating_guideline": _table(
                "rating_guideline",
                id=np.arange(1, 11),
                cycle_id=np.repeat(cycle_ids, 5),
                rating=np.tile(np.arange(1, 6), 2),
                target_share=np.tile(GUIDELINE_SHARES, 2),
            ),
        }

    def build_ratings(self) -> dict[str, pl.DataFrame]:
        """Latent performance + rater effect -> pre-calibration; calibration removes most rater effect."""
        rng = self.rng
        n = self.n_employees
        talent = rng.normal(0, 1, n)
        rater_draw = rng.random(n)
        lenient = rater_draw < LENIENT_RATER_SHARE
        severe = (rater_draw >= LENIENT_RATER_SHARE) & (rater_draw < LENIENT_RATER_SHARE + SEVERE_RATER_SHARE)
        rater_effect = np.select([lenient, severe], [RATER_SHIFT, -RATER_SHIFT], default=rng.normal(0, 0.15, n))
        # Calibration committees catch inflated ratings better than deflated ones.
        calibration_correction = np.select([lenient, severe], [0.9, 0.4], default=0.8)
        remote = self.work_mode == WORK_MODES.index("remote")
        cycle_frames = []
        for cycle_index in range(2):
            eligible = (
                (self.manager > 0)
                & (self.hire_day <= self.cycle_period_end[cycle_index] - 90)
                & (self.leave_day > self.cycle_close_day[cycle_index])
                & (rng.random(n) < RATED_SHARE)
            )
            person = np.flatnonzero(eligible)
            reviewer_position = self.manager[person] - 1
            performance = 0.75 * talent[person] + 0.66 * rng.normal(0, 1, len(person))
            if cycle_index == 1:
                performance = performance - REMOTE_PENALTY * remote[person]
            pre_score = performance + RATING_INFLATION + rater_effect[reviewer_position]
            # Cut points that put a neutral rater's ratings on the guideline.
            cuts = np.quantile(performance, np.cumsum(GUIDELINE_SHARES)[:-1])
            pre = 1 + np.searchsorted(cuts, pre_score)
            correction = calibration_correction[reviewer_position] * rater_effect[reviewer_position]
            calibrated = pre_score - RATING_INFLATION - correction + rng.normal(0, CALIBRATION_NOISE, len(person))
            post = np.clip(_bucket(calibrated, GUIDELINE_SHARES), pre - 1, pre + 1)
            potential = _bucket(0.6 * calibrated + 0.8 * rng.normal(0, 1, len(person)), POTENTIAL_SHARES)
            cycle_frames.append(
                {
                    "cycle_id": np.full(len(person), cycle_index + 1),
                    "employee_id": person + 1,
                    "reviewer_id": self.manager[person],
                    "pre_calibration": pre,
                    "post_calibration": post,
                    "potential": potential,
                }
            )
        columns = {key: np.concatenate([frame[key] for frame in cycle_frames]) for key in cycle_frames[0]}
        return {"rating": _table("rating", id=np.arange(1, len(columns["cycle_id"]) + 1), **columns)}

    # --- who may look ---

    def build_viewers(self) -> dict[str, pl.DataFrame]:
        """The CEO as executive, three people of the People department as HR, every manager as manager."""
        managers = np.flatnonzero(np.isin(self.role, (DIVISION_HEAD, DEPARTMENT_HEAD, TEAM_LEAD)))
        people_departments = [i for i, theme in enumerate(self.department_themes) if theme == HR_DEPARTMENT_THEME]
        hr_candidates = np.flatnonzero(
            (self.role == MEMBER) & self.active & np.isin(self.department, people_departments)
        )
        hr = np.sort(self.rng.choice(hr_candidates, size=min(HR_VIEWERS, len(hr_candidates)), replace=False))
        position = np.concatenate(([0], hr, managers))
        roles = ["executive"] + ["hr"] * len(hr) + ["manager"] * len(managers)
        return {
            "viewer": _table(
                "viewer",
                id=np.arange(1, len(position) + 1),
                email=self.employee_email.gather(position),
                role=roles,
                employee_id=position + 1,
            )
        }


def _quarter_slot(quarter_index: np.ndarray | int) -> np.ndarray | int:
    """Period slots 0-1 are last year and this year; 2-9 their quarters in order."""
    return 2 + quarter_index


def _email_part(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


# --- public API ------------------------------------------------------------------------------------


def build_tables(
    profile: str, seed: int, today: date, on_step: Callable[[str, float], None] | None = None
) -> dict[str, pl.DataFrame]:
    """Every snapshot table of the demo organisation, as frames with the models' columns.

    Pure: the same (profile, seed, today) always gives identical frames. `on_step(label, seconds)`
    is told when each build step ends (for progress bars and timings).
    """
    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    company = _DemoCompany(PROFILES[profile], seed, today)
    tables: dict[str, pl.DataFrame] = {}
    for label, build in company.steps():
        started = time.perf_counter()
        tables.update(build())
        if on_step is not None:
            on_step(label, time.perf_counter() - started)
    return {name: tables[name] for name in SNAPSHOT_TABLES}


def generate(
    engine: Engine,
    profile: str,
    seed: int,
    today: date,
    progress: bool = True,
    step_seconds: dict[str, float] | None = None,
) -> dict[str, int]:
    """Migrate, replace every snapshot table with the demo organisation in one transaction, verify.

    Returns the row count per table as read back from the database. `step_seconds`, when given,
    is filled with the time each build and write step took.
    """
    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    # migrate, build steps, one write per table, rebuilding indexes (or ANALYZE), verify
    n_steps = 1 + len(_DemoCompany.STEPS) + len(SNAPSHOT_TABLES) + 1 + 1
    bar = tqdm(total=n_steps, disable=not progress, unit="step", file=sys.stderr)
    timings = step_seconds if step_seconds is not None else {}

    def step_done(label: str, seconds: float) -> None:
        timings[label] = seconds
        bar.set_postfix_str(label, refresh=False)
        bar.update()

    try:
        bar.set_description("migrate")
        started = time.perf_counter()
        upgrade(engine)
        step_done("migrate", time.perf_counter() - started)
        bar.set_description("build")
        tables = build_tables(profile, seed, today, on_step=lambda label, s: step_done(f"build {label}", s))
        bar.set_description("write")
        if engine.dialect.name == "sqlite":
            _load_sqlite(engine, tables, lambda name, s: step_done(f"write {name}", s))
        elif engine.dialect.name == "postgresql":
            _load_postgresql(engine, tables, lambda name, s: step_done(f"write {name}", s))
        else:
            raise DatabaseError(f"The demo generator writes SQLite or PostgreSQL, not {engine.dialect.name}.")
        bar.set_description("verify")
        started = time.perf_counter()
        counts = _verify(engine, tables)
        step_done("verify", time.perf_counter() - started)
    finally:
        bar.close()
    return counts


# --- bulk loading ----------------------------------------------------------------------------------

_CHUNK_ROWS = 250_000


def _sqlite_values(column: pl.Series) -> list:
    """A column as SQLAlchemy stores it on SQLite: dates as 'YYYY-MM-DD' text, booleans as 0/1."""
    if column.dtype == pl.Boolean:
        return column.cast(pl.Int8).to_list()
    if column.dtype != pl.Date:
        return column.to_list()
    if column.null_count() or column.is_empty():
        return column.dt.to_string("%Y-%m-%d").to_list()
    # Millions of rows share a few hundred days: format each day once and share the strings.
    days = column.to_physical()
    first = int(days.min())
    texts = [(EPOCH + timedelta(days=day)).isoformat() for day in range(first, int(days.max()) + 1)]
    return [texts[day - first] for day in days.to_list()]


def _load_sqlite(engine: Engine, tables: dict[str, pl.DataFrame], on_table: Callable[[str, float], None]) -> None:
    """Wipe and load every table in one transaction through the raw sqlite3 connection.

    Foreign keys and CHECK constraints are off for the load (the generator guarantees them, the
    tests check them; `kind IN (...)` checks alone make inserts 3x slower), syncing is off and
    the page cache large; secondary indexes are dropped and rebuilt once, which is faster than
    maintaining them row by row.
    """
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        saved = {
            pragma: cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
            for pragma in ("foreign_keys", "ignore_check_constraints", "synchronous", "cache_size")
        }
        # PRAGMA foreign_keys is a no-op inside a transaction, so it goes first.
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA ignore_check_constraints=ON")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB
        placeholders = ", ".join("?" for _ in SNAPSHOT_TABLES)
        try:
            cursor.execute("BEGIN")
            # The data-version triggers fire per row on SQLite; they are set aside for the load like the
            # indexes, and the version is bumped once at the end.
            triggers = cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",
                SNAPSHOT_TABLES,
            ).fetchall()
            for trigger_name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{trigger_name}"')
            for name in reversed(SNAPSHOT_TABLES):
                cursor.execute(f'DELETE FROM "{name}"')
            indexes = cursor.execute(
                "SELECT name, sql FROM sqlite_master"
                f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({placeholders})",
                SNAPSHOT_TABLES,
            ).fetchall()
            for index_name, _ in indexes:
                cursor.execute(f'DROP INDEX "{index_name}"')
            for name in SNAPSHOT_TABLES:
                started = time.perf_counter()
                frame = tables[name]
                columns = ", ".join(f'"{column}"' for column in frame.columns)
                statement = f'INSERT INTO "{name}" ({columns}) VALUES ({", ".join("?" for _ in frame.columns)})'
                for chunk in frame.iter_slices(_CHUNK_ROWS):
                    rows = zip(*(_sqlite_values(chunk[column]) for column in chunk.columns), strict=True)
                    cursor.executemany(statement, rows)
                on_table(name, time.perf_counter() - started)
            started = time.perf_counter()
            for _, sql in indexes + triggers:
                cursor.execute(sql)
            cursor.execute(BUMP)
            index_seconds = time.perf_counter() - started
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            for pragma, value in saved.items():
                cursor.execute(f"PRAGMA {pragma}={value}")
        on_table("indexes", index_seconds)
        cursor.close()
    finally:
        connection.close()


def _load_postgresql(engine: Engine, tables: dict[str, pl.DataFrame], on_table: Callable[[str, float], None]) -> None:
    """Wipe and load every table in one transaction with COPY (CSV)."""
    connection = engine.raw_connection()
    try:
        driver_connection = connection.driver_connection
        try:
            with driver_connection.cursor() as cursor:
                for name in reversed(SNAPSHOT_TABLES):
                    cursor.execute(f'DELETE FROM "{name}"')
                for name in SNAPSHOT_TABLES:
                    started = time.perf_counter()
                    frame = tables[name]
                    columns = ", ".join(f'"{column}"' for column in frame.columns)
                    with cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
                        for chunk in frame.iter_slices(_CHUNK_ROWS):
                            copy.write(chunk.write_csv(include_header=False))
                    on_table(name, time.perf_counter() - started)
            driver_connection.commit()
        except BaseException:
            driver_connection.rollback()
            raise
        started = time.perf_counter()
        driver_connection.autocommit = True
        try:
            with driver_connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics for the planner after replacing every row
        finally:
            driver_connection.autocommit = False
        on_table("analyze", time.perf_counter() - started)
    finally:
        connection.close()


def _verify(engine: Engine, tables: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Read counts and a few rows back through SQLAlchemy: every row arrived and stored dates parse."""
    counts: dict[str, int] = {}
    with Session(engine) as session:
        for name in SNAPSHOT_TABLES:
            table = Base.metadata.tables[name]
            counts[name] = session.execute(select(func.count()).select_from(table)).scalar_one()
            if counts[name] != tables[name].height:
                raise DatabaseError(f"{name}: wrote {tables[name].height} rows but {counts[name]} are stored")
        samples = (
            (Employee, Employee.hire_date),
            (Period, Period.start_date),
            (ProgressUpdate, ProgressUpdate.at),
            (Checkin, Checkin.held_at),
            (ReviewCycle, ReviewCycle.closed_on),
        )
        for model, column in samples:
            row = session.scalars(select(model).where(column.is_not(None)).limit(1)).first()
            if row is not None and not isinstance(getattr(row, column.key), date):
                raise DatabaseError(f"{model.__tablename__}.{column.key} did not read back as a date")
        goal = session.scalars(select(Goal).limit(1)).first()
        if goal is not None and not isinstance(goal.archived, bool):
            raise DatabaseError("goal.archived did not read back as a boolean")
    return counts


# --- command line ----------------------------------------------------------------------------------


def _has_employees(engine: Engine) -> int:
    if not inspect(engine).has_table("employee"):
        return 0
    with engine.connect() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM employee")).scalar_one()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data.generate", description="Fill the goals database with a demo organisation."
    )
    parser.add_argument(
        "--profile", choices=tuple(PROFILES), default="small", help="scale (default: small, 2,000 people)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument("--url", help="database URL (default: LADDER_DATABASE_URL, secrets, or data/ladder.db)")
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="the as-of date, YYYY-MM-DD (default: today)"
    )
    parser.add_argument("--if-missing", action="store_true", help="do nothing when the database already has employees")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or per-table report")
    args = parser.parse_args(argv)
    today = args.today or date.today()
    try:
        engine = make_engine(args.url)
        where = describe(str(engine.url))
        if args.if_missing:
            existing = _has_employees(engine)
            if existing:
                print(f"{where} already holds {existing:,} employees; leaving it as it is.")
                return 0
        started = time.perf_counter()
        step_seconds: dict[str, float] = {}
        counts = generate(engine, args.profile, args.seed, today, progress=not args.quiet, step_seconds=step_seconds)
        elapsed = time.perf_counter() - started
    except DatabaseError as exc:
        parser.exit(2, f"{exc}\n")
    except Exception as exc:  # noqa: BLE001 - a CLI says what went wrong in one line
        parser.exit(2, f"Generating the demo organisation failed: {type(exc).__name__}: {exc}\n")
    if not args.quiet:
        for label, seconds in step_seconds.items():
            print(f"  {label:<40} {seconds:7.2f} s")
        for name, count in counts.items():
            print(f"  {name:<40} {count:>12,}")
    print(
        f"Demo organisation '{args.profile}' (seed {args.seed}, as of {today}) written to {where}: "
        f"{sum(counts.values()):,} rows in {elapsed:.1f} s."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
