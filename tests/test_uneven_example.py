"""The second example organisation, docs/examples/uneven: loaded through the importer, every screen drawn, figures
worked out on paper.

The organisation (text ids throughout, as an HR system would export them):

    Uneven Co (U-CO) ─┬─ Sales (division) ── EMEA Sales (department) ── DACH Sales (team) ── Berlin Pod (team)
                      ├─ Engineering (department, no division above it) ── Platform (team)
                      └─ Operations (team, straight under the company)

    Cleo E-1 (CEO, no manager) ── Sam E-2 (Sales) ── Eva E-3 (EMEA) ─┬─ Dirk E-4 (DACH) ── Bea E-5 (Berlin Pod)
                                                                       └─ Pat E-7 (Platform lead: sits in Engineering,
                                                                                   reports into Sales) ── Lou E-8
    Cleo ── Ian E-6 (Engineering head)
    Ola E-9 (Operations; no manager although not the CEO) ── Ray E-10

As of 2026-11-15 (Q4: 46 of 92 days gone), period 2026-Q4:

- Alignment: business goals below company level are g_sales, g_dach, g_bea (up to okr_A "Win Europe"),
  g_plat, g_lou, g_ian (up to okr_B "Ship reliably") and g_ops (no parent: an orphan). g_ray is a development
  goal and does not count. Aligned 6 of 7 = 6/7 = 0.857.
- Roll-up of okr_B "Ship reliably": g_plat's key result counts incidents down from 10 to 0, last update 4 on
  13 Nov: (4 - 10) / (0 - 10) = 0.6. g_ian (weight 3): 1 of 2 engineers hired, no updates, current value 1: 0.5.
  okr_B = (0.6 x 1 + 0.5 x 3) / (1 + 3) = 2.1 / 4 = 0.525. (g_lou's 1.0 does not count: g_plat has a key
  result of its own.) okr_A "Win Europe": g_dach's deals 0 -> 10, last update on or before 15 Nov is 6 (9 Nov;
  the 9 of 20 Nov comes later): 0.6; g_sales has no key result: 0.6; okr_A = 0.6.
- Check-in coverage in Sales (the team filter on U-SAL, the depth-5 branch): Sam, Eva, Dirk and Bea, all with
  a manager. Last check-ins: Sam 1 Nov (14 days), Eva 1 Sep (75 days), Dirk 10 Nov, Bea 20 Oct (26 days).
  Within the 30-day window (17 Oct to 15 Nov): Sam, Dirk, Bea = 3 of 4 = 0.75.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from data.db import make_engine, upgrade
from data.load import import_files, sources_from_paths
from queries.alignment import alignment_summary
from queries.checkins import checkin_coverage
from queries.model import Filters, Viewer
from queries.overview import objective_progress
from queries.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parent.parent
UNEVEN = ROOT / "docs" / "examples" / "uneven"
AS_OF = date(2026, 11, 15)
TODAY = date(2026, 11, 25)  # the export's day: Dirk's update of 20 Nov is history by then
SCREENS = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "pages").rglob("*.py"))


@pytest.fixture(scope="module")
def uneven_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('uneven')}/ladder.db"
    engine = make_engine(url)
    try:
        upgrade(engine)
        result = import_files(engine, sources_from_paths([UNEVEN]), today=TODAY)
        assert result.written, result.report.problems
    finally:
        engine.dispose()
    return url


def ladder_id(url: str, table: str, external: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT ladder_id FROM external_id WHERE table_name = :t AND external_id = :e"),
                {"t": table, "e": external},
            ).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def snapshot_and_filters(uneven_url):
    engine = make_engine(uneven_url)
    try:
        snapshot = load_snapshot(engine, fresh=True)
    finally:
        engine.dispose()
    return snapshot, Filters(period_id=ladder_id(uneven_url, "period", "P-2026-Q4"), as_of=AS_OF)


class TestFigures:
    def test_the_files_load_as_they_are(self, uneven_url):
        engine = make_engine(uneven_url)
        try:
            with engine.connect() as connection:
                people = connection.execute(text("SELECT COUNT(*) FROM employee WHERE manager_id IS NULL")).scalar()
                units = connection.execute(text("SELECT COUNT(*) FROM org_unit")).scalar()
        finally:
            engine.dispose()
        assert (people, units) == (2, 8)  # Cleo and Ola have no manager

    def test_alignment_share(self, snapshot_and_filters, uneven_url):
        snapshot, filters = snapshot_and_filters
        viewer = Viewer("cleo@uneven.example", "executive", ladder_id(uneven_url, "employee", "E-1"))
        summary = alignment_summary(snapshot, filters, viewer).row(0, named=True)
        assert (summary["goals"], summary["aligned"], summary["orphans"]) == (7, 6, 1)
        assert summary["rate"] == pytest.approx(6 / 7)

    def test_objective_roll_up(self, snapshot_and_filters, uneven_url):
        snapshot, filters = snapshot_and_filters
        viewer = Viewer("cleo@uneven.example", "executive", ladder_id(uneven_url, "employee", "E-1"))
        progress = dict(objective_progress(snapshot, filters, viewer).select("title", "progress").iter_rows())
        assert progress["Ship reliably"] == pytest.approx(0.525)
        assert progress["Win Europe"] == pytest.approx(0.6)

    def test_checkin_coverage_in_the_deepest_branch(self, snapshot_and_filters, uneven_url):
        snapshot, filters = snapshot_and_filters
        sales = Filters(filters.period_id, AS_OF, org_unit_id=ladder_id(uneven_url, "org_unit", "U-SAL"))
        viewer = Viewer("ray@uneven.example", "hr", ladder_id(uneven_url, "employee", "E-10"))
        coverage = checkin_coverage(snapshot, sales, viewer).row(0, named=True)
        assert (coverage["people"], coverage["covered"]) == (4, 3)
        assert coverage["coverage"] == pytest.approx(0.75)


@pytest.fixture
def signed_in(uneven_url, monkeypatch):
    """The app on the uneven organisation, for a viewer signed in through the trusted header."""
    import components.viewer

    monkeypatch.setenv("LADDER_DATABASE_URL", uneven_url)
    monkeypatch.setenv("LADDER_TODAY", TODAY.isoformat())
    monkeypatch.setenv("LADDER_TRUSTED_EMAIL_HEADER", "X-Forwarded-Email")

    def sign_in(email: str) -> None:
        monkeypatch.setattr(components.viewer, "request_header", lambda name: ([email], None))

    return sign_in


VISITS = [(screen, "ray@uneven.example") for screen in SCREENS] + [
    (screen, "eva@uneven.example") for screen in SCREENS if not screen.startswith("pages/admin/")
]


@pytest.mark.parametrize(("screen", "email"), VISITS)
def test_every_screen_draws_without_an_exception(signed_in, screen, email):
    """HR (Ray) may open every screen; Eva, a manager, every screen but the admin ones, for her own line, which
    reaches into Engineering through Pat."""
    from streamlit.testing.v1 import AppTest

    signed_in(email)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["period"] = "2026-Q4"
    at.query_params["as_of"] = AS_OF.isoformat()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(screen).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(str(e.value) for e in [*at.error, *at.warning])
    assert "Something went wrong" not in shown and "configuration error" not in shown.lower()
    assert not any("Traceback" in str(e.value) for e in at.error)
