"""Who is looking, decided once per run from the first identity source that is configured:

1. OpenID Connect sign-in (`st.login` / `st.user`) when `[auth]` is set in `.streamlit/secrets.toml`;
2. an e-mail header set by an authenticating proxy, when `[ladder] trusted_email_header` (or the environment
   variable `LADDER_TRUSTED_EMAIL_HEADER`) names it;
3. otherwise demo mode: a banner and a picker for a role and person, unless `[ladder] demo_mode = false` (or
   `LADDER_DEMO_MODE=false`) turns it off, in which case nobody is known.

The e-mail found is looked up in the `viewer` table (queries/access.py); an unknown address gets role "none".
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import polars as pl
import streamlit as st

from queries.access import viewer_for_email
from queries.model import Snapshot, Viewer

OIDC, HEADER, DEMO, OFF = "oidc", "header", "demo", "off"
DEMO_ROLES = {"hr": "HR leader", "executive": "Executive", "manager": "Manager"}
ROLE_LABELS = DEMO_ROLES | {"none": "No access"}
_ROLE, _MANAGER, _SEARCH = "viewer_role", "viewer_manager", "viewer_search"
_CHOICES = 50
_FALSE = {"false", "0", "no", "off"}


def _secrets_section(name: str) -> dict:
    """A table of Streamlit's secrets ({} when there is no secrets file or no such table)."""
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        section = st.secrets.get(name)
    except Exception:  # noqa: BLE001 - an unreadable secrets file means nothing is configured
        return {}
    return dict(section) if section else {}


def setting(name: str) -> str | None:
    """A `[ladder]` identity setting: the environment variable `LADDER_<NAME>` wins over secrets.toml."""
    value = os.environ.get(f"LADDER_{name.upper()}")
    if value is None or value == "":
        value = _secrets_section("ladder").get(name)
    return None if value is None or str(value).strip() == "" else str(value).strip()


def auth_providers() -> list[str] | None:
    """The OIDC providers configured under `[auth]`: [] for the unnamed default, None when sign-in is off."""
    auth = _secrets_section("auth")
    if not auth:
        return None
    return sorted(name for name, value in auth.items() if isinstance(value, Mapping))


def identity_source() -> str:
    """Which identity source applies: OIDC sign-in, a trusted proxy header, demo mode, or none (off)."""
    if auth_providers() is not None:
        return OIDC
    if setting("trusted_email_header"):
        return HEADER
    if (setting("demo_mode") or "true").lower() in _FALSE:
        return OFF
    return DEMO


def email_from_header(value: str | None) -> str | None:
    """The e-mail in a proxy header; a provider prefix such as Google IAP's `accounts.google.com:` is dropped."""
    if not value:
        return None
    return value.rsplit(":", 1)[-1].strip() or None


def _sign_in() -> None:
    """The signed-out screen for OIDC: a sign-in button per configured provider, and nothing else."""
    st.title("Ladder")
    st.markdown("Sign in with your company account to see the goals of your organisation.")
    providers = auth_providers() or [None]
    for provider in providers:
        label = "Sign in" if provider is None else f"Sign in with {provider.capitalize()}"
        if st.button(label, icon=":material/login:", type="primary", key=f"sign_in_{provider}"):
            if provider is None:
                st.login()
            else:
                st.login(provider)
    st.stop()


def current_viewer(snapshot: Snapshot) -> tuple[Viewer, str]:
    """The viewer of this run and the identity source that named them (may stop the run at a sign-in screen)."""
    source = identity_source()
    if source == DEMO:
        return demo_viewer(snapshot), source
    email = None
    if source == OIDC:
        if not st.user.get("is_logged_in"):
            _sign_in()
        # An address the provider says it has not verified could be anybody's.
        if st.user.get("email_verified") is not False:
            email = st.user.get("email")
    elif source == HEADER:
        email = proxy_email()
    return viewer_for_email(snapshot, email), source


def proxy_email() -> str | None:
    """The e-mail address in the trusted header of the request that opened this session."""
    return email_from_header(st.context.headers.get(setting("trusted_email_header") or ""))


def account_box(snapshot: Snapshot, viewer: Viewer, source: str) -> None:
    """Who is looking, with their role, at the foot of the sidebar (and a sign-out button for OIDC)."""
    name = snapshot.employee.filter(pl.col("id") == viewer.employee_id)["name"] if viewer.employee_id else None
    who = name[0] if name is not None and name.len() else viewer.email
    role = ROLE_LABELS.get(viewer.role, viewer.role)
    if source == DEMO:
        shown = role if viewer.employee_id is None else f"{who} · {role}"
        st.sidebar.caption(f":material/badge: Viewing as {shown} (demo mode)")
        return
    st.sidebar.caption(f":material/account_circle: {who} · {role}")
    if source == OIDC and st.sidebar.button("Sign out", icon=":material/logout:"):
        st.logout()


def demo_banner() -> None:
    """The line on top of every screen that says anyone can choose whom to view as."""
    st.markdown(
        ":orange-badge[:material/science: Demo mode] Anyone can choose whom to view as (sidebar, "
        "*Viewing as*). Set up sign-in and turn demo mode off before real people's data goes in: see docs/access.md."
    )


def _managers(snapshot: Snapshot, search: str) -> pl.DataFrame:
    def compute() -> pl.DataFrame:
        managers = snapshot.employee.join(
            snapshot.employee.select(pl.col("manager_id").alias("id")).unique(), on="id", how="semi"
        ).filter(pl.col("active"))
        return managers.sort(["level", "name"], descending=[True, False]).select(
            "id", "name", "email", pl.col("name").str.to_lowercase().alias("key")
        )

    managers = snapshot.derived("demo_managers", compute)
    if search:
        managers = managers.filter(pl.col("key").str.contains(search.lower(), literal=True))
    return managers.head(_CHOICES)


def demo_viewer(snapshot: Snapshot) -> Viewer:
    """The demo-mode picker: a role, and for a manager a searchable choice of person (at most 50 offered)."""
    # A fixed label: an expander whose label changes is drawn anew, closed, in the middle of picking.
    box = st.sidebar.expander("Viewing as (demo mode)", icon=":material/badge:")
    role = box.selectbox("Role", list(DEMO_ROLES), key=_ROLE, format_func=DEMO_ROLES.__getitem__)
    if role != "manager":
        return Viewer(email=f"demo.{role}@ladder.local", role=role, demo=True)
    search = box.text_input("Find a manager", key=_SEARCH, placeholder="Type part of a name")
    managers = _managers(snapshot, search)
    if managers.is_empty():
        box.warning("No manager matches that name.")
        managers = _managers(snapshot, "")
    if managers.is_empty():
        return Viewer(email="demo.manager@ladder.local", role="manager", employee_id=None, demo=True)
    names = dict(zip(managers["id"].to_list(), managers["name"].to_list(), strict=True))
    if st.session_state.get(_MANAGER) not in names:
        st.session_state[_MANAGER] = next(iter(names))
    employee_id = box.selectbox("Manager", list(names), key=_MANAGER, format_func=names.__getitem__)
    email = managers.filter(pl.col("id") == employee_id)["email"][0]
    return Viewer(email=email, role="manager", employee_id=employee_id, demo=True)


def _view_as_manager() -> None:
    st.session_state[_ROLE] = "manager"


def require_manager(viewer: Viewer) -> None:
    """Stop a manager's screen with a clear hint when the viewer is not a manager with a person behind them."""
    if viewer.role == "manager" and viewer.employee_id is not None:
        return
    if viewer.demo:
        st.info(
            "This screen shows a manager's own team. In the sidebar, open **Viewing as**, choose the role "
            "**Manager** and pick a person, or press the button below.",
            icon=":material/badge:",
        )
        st.button("View as a manager", icon=":material/groups:", on_click=_view_as_manager, key="view_as_manager")
    else:
        st.info(
            "This screen shows a manager's own team, and your sign-in is not linked to a manager in Ladder.",
            icon=":material/badge:",
        )
    st.stop()
