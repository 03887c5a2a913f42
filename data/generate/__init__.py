"""Demo organisation generator: a realistic company for every Ladder screen.

    python -m data.generate --profile tiny|small|medium|large|xl --seed N [--url URL]
                            [--today YYYY-MM-DD] [--if-missing] [--quiet]

`build_tables(profile, seed, today)` is pure: the same (profile, seed, today) always gives the
same frames, one per table of `data.schema.SNAPSHOT_TABLES`, with the models' columns.
`generate(engine, ...)` migrates the schema, replaces every snapshot table's rows in one
transaction (bulk `executemany` on SQLite, `COPY` on PostgreSQL), writing each step's tables
before the next step draws, and reads a few rows back through the ORM to prove the stored
dates parse. The largest steps (update histories, check-ins) draw a slice at a time from runs
of draws read back in order (`draws.DrawRun`), so the rows do not depend on the slice size and
the xl profile (1M people, 110M rows) is drawn and written in 4.6 GB.

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
large ~0.58M goals, 0.81M key results, 5.0M updates, 3.9M check-ins; xl ~5.8M goals, 8.1M key
results, 50.4M updates, 38.7M check-ins.

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

from data.generate.build import PROFILES, STEPS, build_tables
from data.generate.bulk_load import generate
from data.generate.cli import main

__all__ = ["PROFILES", "STEPS", "build_tables", "generate", "main"]
