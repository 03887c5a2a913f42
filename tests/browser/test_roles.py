"""Each role signs in through the trusted-header path in real Chromium and sees its own screens.

The app runs with `LADDER_TRUSTED_EMAIL_HEADER=X-Forwarded-Email` and demo mode off, as it would behind an
authenticating proxy; each browser context sends the header a proxy would set.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from tests.browser.helpers import VIEWPORT, assert_no_exception, open_app, running_app, screenshot, wait_for_app
from tests.conftest import DEMO_TODAY

HEADER = "X-Forwarded-Email"
NAV = "[data-testid='stSidebarNav']"
SHOTS = Path(tempfile.gettempdir()) / "ladder-roles"  # for a person to look at; nothing asserts on them


@pytest.fixture(scope="module")
def signed_in_app(demo_database_url: str) -> Iterator[str]:
    """Ladder behind a pretend proxy: identity from the header only, no demo mode."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LADDER_TRUSTED_EMAIL_HEADER", HEADER)
        env.setenv("LADDER_DEMO_MODE", "false")
        try:
            with running_app(demo_database_url, DEMO_TODAY) as base_url:
                yield base_url
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def org(demo_database_url: str) -> dict:
    """A viewer of each role in the demo organisation, and what a manager's scope holds."""
    from data.db import make_engine
    from queries.access import scoped_snapshot, viewer_for_email
    from queries.snapshot import load_snapshot

    engine = make_engine(demo_database_url)
    try:
        snapshot = load_snapshot(engine)
    finally:
        engine.dispose()
    first = snapshot.viewer.sort("id").unique("role", keep="first")
    emails = dict(zip(first["role"], first["email"], strict=True))
    heads = snapshot.employee["manager_id"].drop_nulls().unique().implode()
    managers = snapshot.viewer.filter((pl.col("role") == "manager") & pl.col("employee_id").is_in(heads)).sort("id")
    # The last manager leads a team: a scope far smaller than the organisation.
    emails["manager"] = managers["email"][-1]
    scoped = scoped_snapshot(snapshot, viewer_for_email(snapshot, emails["manager"]))
    names = dict(zip(snapshot.region["id"], snapshot.region["name"], strict=True))
    return {
        "emails": emails,
        "manager_regions": {names[r] for r in scoped.employee["region_id"].unique()},
        "all_regions": set(names.values()),
        "manager_name": scoped.employee.filter(pl.col("id") == managers["employee_id"][-1])["name"][0],
    }


@pytest.fixture
def as_role(browser):
    """`as_role(email)` -> a page whose every request carries the proxy's header (None: no header at all)."""
    contexts = []

    def make(email: str | None):
        headers = {HEADER: email} if email else {}
        context = browser.new_context(viewport=VIEWPORT, extra_http_headers=headers)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def nav_text(page) -> str:
    return page.locator(NAV).inner_text() if page.locator(NAV).count() else ""


def region_options(page) -> set[str]:
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    options = set(page.get_by_role("option").all_inner_texts())
    page.keyboard.press("Escape")
    return {o.strip() for o in options} - {"Select all"}


def test_hr_sees_every_screen_and_the_access_log(signed_in_app, as_role, org):
    page = open_app(as_role(org["emails"]["hr"]), signed_in_app)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Overview"
    assert "Demo mode" not in page.locator("[data-testid='stMain']").inner_text()
    assert "Access log" in nav_text(page)
    open_app(page, signed_in_app, "access_log")
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Access log"
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30000)
    page.locator("[data-testid='stMetricValue']").nth(2).wait_for(timeout=30000)
    views = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert len(views) == 3 and int(views[0].replace(",", "")) >= 2  # this Overview and this Access log at least
    screenshot(page, SHOTS / "hr-access-log.png")
    person = page.get_by_label("Person")
    person.fill("nobody-has-this-address")
    person.press("Enter")
    wait_for_app(page)
    assert_no_exception(page)
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() == "0"
    assert "Nobody opened a screen" in page.locator("[data-testid='stMain']").inner_text()


def test_an_executive_sees_the_strategy_but_not_the_access_log(signed_in_app, as_role, org):
    page = open_app(as_role(org["emails"]["executive"]), signed_in_app)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Overview"
    page.locator("[data-testid='stMetricValue']").nth(9).wait_for(timeout=30000)
    assert len(page.locator("[data-testid='stMetricValue']").all_inner_texts()) == 10
    assert "Access log" not in nav_text(page)
    open_app(page, signed_in_app, "access_log", page_exists=False)  # not among an executive's screens
    assert_no_exception(page)
    assert "Access log" not in [h.strip() for h in page.locator("h1").all_inner_texts()]


def test_a_manager_sees_only_their_scope(signed_in_app, as_role, org):
    page = open_app(as_role(org["emails"]["manager"]), signed_in_app)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Overview"
    assert "Access log" not in nav_text(page)
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert f"{org['manager_name']} · Manager" in sidebar
    offered = region_options(page)
    assert offered == org["manager_regions"]
    assert offered < org["all_regions"]
    screenshot(page, SHOTS / "manager-overview.png")


def test_a_manager_linking_another_team_gets_a_notice_not_its_data(signed_in_app, as_role, org):
    page = open_app(as_role(org["emails"]["manager"]), signed_in_app, query="team=1%20OR%201=1&region=ZZ")
    assert_no_exception(page)
    alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert "No team has the id" in alerts and "ZZ" in alerts


@pytest.mark.parametrize("email", ["stranger@elsewhere.example", None])
def test_an_unknown_or_missing_address_sees_no_access_and_no_data(signed_in_app, as_role, email):
    page = open_app(as_role(email), signed_in_app)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "No access"
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Ask your HR team" in main
    assert page.locator("[data-testid='stMetricValue']").count() == 0
    assert page.locator("[data-testid='stDataFrame']").count() == 0
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 0
    assert page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").count() == 0
    if email:
        screenshot(page, SHOTS / "no-access.png")
