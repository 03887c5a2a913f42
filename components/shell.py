"""The frame around every screen: who is looking, the shared filters, data freshness, the access log, failures."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import polars as pl
import streamlit as st

from components import data
from components.context import PageContext, set_context
from components.filters import filter_sidebar
from components.format import day, moment
from components.viewer import (
    DEMO,
    HEADER,
    OFF,
    OIDC,
    Identity,
    account_box,
    current_viewer,
    demo_banner,
    who_is_asking,
)
from data import config
from data.access_log import record_view
from data.db import database_url
from queries.access import has_access, may_open
from queries.model import Filters, Snapshot, Viewer
from queries.periods import period_row

_LOG = logging.getLogger("ladder.access")
_ERRORS = logging.getLogger("ladder.errors")
_LAST_LOGGED = "_access_logged"
_SEEN_VERSION = "_snapshot_version_seen"
WATCH_SECONDS = 5
WATCH_OUTAGE_SECONDS = 2
NO_ACCESS_PAGE = "(no access)"


def describe_scope(snapshot: Snapshot, filters: Filters) -> str:
    """'2026-Q4 · North, South · Engineering · as of 15 Nov 2026' for captions and exports."""
    period = period_row(snapshot, filters.period_id)["name"]
    regions = snapshot.region.filter(pl.col("id").is_in(list(filters.region_ids)))["name"].to_list()
    # A manager's unfiltered scope is their organisation, not all teams.
    team = "All teams" if snapshot.scope_label == "everyone" else snapshot.scope_label
    if filters.org_unit_id is not None:
        unit = snapshot.org_unit.filter(pl.col("id") == filters.org_unit_id)["name"]
        team = unit[0] if unit.len() else team
    return " · ".join([period, ", ".join(regions) or "All regions", team, f"as of {day(filters.as_of)}"])


def _configuration_problem(problems: Sequence[str]) -> None:
    """The screen for settings that cannot be trusted: what is wrong, where, and no data at all."""
    _LOG.error("Configuration error, no data shown: %s", "; ".join(problems))
    st.title("Configuration error")
    st.error(
        "**Ladder shows no data until its settings are fixed.**\n\n" + "\n".join(f"- {p}" for p in problems),
        icon=":material/settings_alert:",
    )
    st.caption("Fix the settings (see docs/access.md), then reload this page.")
    st.stop()


def _checked_settings() -> config.Config:
    """The configuration, or the configuration-error screen: a setting in doubt shows nothing."""
    try:
        settings = config.current()
    except config.ConfigError as error:
        _configuration_problem(error.problems)
    if settings.settings != data.SETTINGS:
        _configuration_problem(["The settings changed since Ladder started. Restart Ladder to use them."])
    return settings


def _database_problem(error: Exception, *, details: bool) -> None:
    """The database-error screen; host, port, user and database name only for an admin, always in the log."""
    ref = _reference()
    _LOG.error("The goals database is not available (ref %s): %s", ref, error)
    st.title("Ladder")
    said = f" {error}" if details else f" Ladder's administrator can find why in the server log (ref {ref})."
    st.error(f"**The goals database is not available.**{said}", icon=":material/database_off:")
    st.caption(
        "Nothing was changed. Ladder keeps trying and opens this screen by itself once the database answers"
        + ("; fix the connection or the database, or try again now." if details else ".")
    )
    if st.button("Try again", icon=":material/refresh:"):
        data.refresh()
        st.rerun()
    _watch_closely(-1, True)
    st.stop()


def _is_admin(identity: Identity, settings: config.Config) -> bool:
    """Whether a verified address named in `admin_emails` is looking (nobody is, in demo mode)."""
    return bool(identity.email) and identity.email.lower() in settings.admin_emails


def _demo_database(shared: Snapshot) -> bool:
    """Whether the database carried the demo marker when the snapshot was read (read with it, off the page's path)."""
    return shared.demo



def _clock(moment_: datetime) -> str:
    """'09:50' today, '4 Dec 09:50' on another day."""
    return moment_.strftime("%H:%M") if moment_.date() == datetime.now().date() else moment_.strftime("%d %b %H:%M")


def _freshness(shared: Snapshot) -> None:
    """The outage banner, a quiet notice when newer data arrived, and a watcher that reruns the screen by itself
    when either changes (so a banner comes and goes, and data arrive, without a click)."""
    health = data.health()
    if health.stale:
        st.warning(
            f"The goals database is unreachable since {_clock(health.unreachable_since)}; "
            f"figures are as of {_clock(shared.loaded_at)}.",
            icon=":material/cloud_off:",
        )
    seen = st.session_state.get(_SEEN_VERSION)
    if seen is not None and seen != health.version and not health.stale:
        st.toast(f"Updated to data of {_clock(shared.loaded_at)}", icon=":material/sync:")
    st.session_state[_SEEN_VERSION] = health.version
    with st.sidebar:
        (_watch_closely if health.stale else _watch_calmly)(health.version, health.stale)


def _rerun_on_news(version: int, stale: bool) -> None:
    health = data.health()
    if (health.version, health.stale) != (version, stale) and health.servable:
        st.rerun(scope="app")


# Every session polls the in-process health (no database call); an outage is watched more closely so that
# recovery shows within seconds.
@st.fragment(run_every=WATCH_SECONDS)
def _watch_calmly(version: int, stale: bool) -> None:
    _rerun_on_news(version, stale)


@st.fragment(run_every=WATCH_OUTAGE_SECONDS)
def _watch_closely(version: int, stale: bool) -> None:
    _rerun_on_news(version, stale)


def start() -> PageContext:
    """Check the settings, decide who is asking, read the snapshot, decide the viewer, draw the shared sidebar."""
    settings = _checked_settings()
    identity = who_is_asking(settings)
    admin = _is_admin(identity, settings)
    try:
        shared = data.snapshot()
    except data.DatabaseError as error:
        _database_problem(error, details=admin)
    except Exception as error:  # noqa: BLE001 - whatever the driver raises, the screen gets words, not a trace
        _database_problem(data.DatabaseError(f"Reading it failed: {error}"), details=admin)

    demo_allowed = identity.source == DEMO and _demo_database(shared)
    viewer, source = current_viewer(shared, identity, demo_allowed)
    if not has_access(shared, viewer):
        _no_access(viewer, source, identity)
    if source == DEMO:
        demo_banner()
    try:
        scoped = data.viewer_snapshot(viewer)
    except Exception as error:  # noqa: BLE001
        details = admin or viewer.role == "hr"
        _database_problem(data.DatabaseError(f"Preparing your view failed: {error}"), details=details)

    _freshness(shared)
    if shared.period.is_empty():
        st.title("Ladder")
        st.info("The goals database is empty. Load data with `python -m data.generate` or the importer.")
        st.stop()

    filters, notices = filter_sidebar(scoped, data.today())
    for notice in notices:
        st.warning(notice, icon=":material/link_off:")

    st.sidebar.divider()
    account_box(shared, viewer, source)
    st.sidebar.caption(f"Data as of {moment(shared.loaded_at)}")
    if st.sidebar.button("Refresh data", icon=":material/refresh:"):
        if not data.refresh():
            st.sidebar.warning("The goals database did not answer; the figures shown are the last ones read.")
        else:
            st.rerun()

    context = PageContext(filters=filters, viewer=viewer, scope_label=describe_scope(scoped, filters))
    set_context(context)
    return context


def _no_access(viewer: Viewer, source: str, identity: Identity) -> None:
    """The screen for someone Ladder does not know: what to do about it, and no data at all."""
    st.title("No access")
    reasons = {
        OIDC: f"You are signed in as **{viewer.email or 'an account without a verified e-mail address'}**, "
        "but Ladder has no access set up for this address.",
        HEADER: f"Your company sign-in named **{viewer.email}**, but Ladder has no access set up for this address."
        if viewer.email
        else "Your company sign-in did not say who you are, so Ladder cannot show you anything.",
        DEMO: "Demo mode is on, but this database does not hold the demo organisation (it carries no demo marker), "
        "so Ladder cannot tell who you are. Set up sign-in, or build the demo with `python -m data.generate`.",
        OFF: "Ladder has no sign-in configured and its demo mode is off, so it cannot tell who you are.",
    }
    reason = reasons.get(source, reasons[OFF])
    st.error(f"{identity.doubt} {reason}" if identity.doubt else reason, icon=":material/lock:")
    st.markdown("Ask your HR team to give your e-mail address a role in Ladder, then reload this page.")
    _log_once(viewer, NO_ACCESS_PAGE, {})
    if source == OIDC and st.button("Sign out", icon=":material/logout:"):
        st.logout()
    st.stop()


def _reference() -> str:
    """A short id that ties a message on screen to its line in the server log, e.g. '7F3A'."""
    return secrets.token_hex(2).upper()


@contextmanager
def error_boundary() -> Iterator[None]:
    """Run a screen; an unexpected exception is logged with a short reference and shown as one line, no trace.

    Streamlit's own stop and rerun signals are not exceptions (BaseException), so they pass through.
    """
    try:
        yield
    except Exception:
        ref = _reference()
        _ERRORS.exception("Unexpected error (ref %s)", ref)
        st.error(
            f"Something went wrong (ref {ref}). Reload the page to try again; if it happens again, "
            "give the reference to Ladder's administrator.",
            icon=":material/error:",
        )


def allowed_pages(pages: dict[str, list], viewer: Viewer) -> dict[str, list]:
    """The navigation groups this viewer may open (queries/access.py decides), in the order given."""
    return {group: entries for group, entries in pages.items() if may_open(viewer, group)}


def log_view(page: st.Page, context: PageContext) -> None:
    """Write one access-log row for this page view: once per page and filters, not on every widget rerun."""
    filters = context.filters
    try:
        scoped = data.viewer_snapshot(context.viewer)
        values = {
            "period": period_row(scoped, filters.period_id)["name"],
            "region": scoped.region.filter(pl.col("id").is_in(list(filters.region_ids))).sort("code")["code"].to_list(),
            "team": filters.org_unit_id,
            "as_of": filters.as_of.isoformat(),
        }
    except Exception as error:  # noqa: BLE001 - the log must never cost the viewer their page
        _LOG.warning("Could not describe the filters for the access log: %s", error)
        values = {"as_of": filters.as_of.isoformat()}
    _log_once(context.viewer, page.title, values)


def _log_once(viewer: Viewer, page: str, filters: dict) -> None:
    key = (viewer, page, tuple(sorted((k, str(v)) for k, v in filters.items())))
    if st.session_state.get(_LAST_LOGGED) == key:
        return
    st.session_state[_LAST_LOGGED] = key
    try:
        record_view(database_url(), email=viewer.email, role=viewer.role, page=page, filters=filters)
    except Exception as error:  # noqa: BLE001 - the log must never cost the viewer their page
        _LOG.warning("Could not write the access log for %s on %s: %s", viewer.email, page, error)
