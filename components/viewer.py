"""Who is looking, decided once per run from the first identity source that is configured (data/config.py):

1. OpenID Connect sign-in (`st.login` / `st.user`) when `[auth]` is set in `.streamlit/secrets.toml`: only an
   address whose issuer is in `allowed_issuers` and that the provider marks verified is trusted;
2. an e-mail header set by an authenticating proxy, when `trusted_email_header` names it: exactly one copy of
   the header, from one of `trusted_proxy_ips` when those are set;
3. otherwise demo mode, unless `demo_mode = false`, and only on a database the demo generator wrote (data/demo.py).

The e-mail found is looked up in the `viewer` table (queries/access.py); an unknown address gets role "none".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl
import streamlit as st

from data import config
from data.config import Config, SignIn
from queries.access import viewer_for_email
from queries.model import Snapshot, Viewer

OIDC, HEADER, DEMO, OFF = "oidc", "header", "demo", "off"
DEMO_ROLES = {"hr": "HR leader", "executive": "Executive", "manager": "Manager"}
ROLE_LABELS = DEMO_ROLES | {"none": "No access"}
_ROLE, _MANAGER, _SEARCH = "viewer_role", "viewer_manager", "viewer_search"
_CHOICES = 50
# Streamlit reports a visitor on this machine with no address.
_LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Identity:
    """Who the request says is looking, before the database is read: the source and the trusted address."""

    source: str
    email: str | None = None
    doubt: str | None = None  # why an address that arrived was not trusted, for the no-access screen


def identity_source(settings: Config | None = None) -> str:
    """Which identity source applies: OIDC sign-in, a trusted proxy header, demo mode, or none (off)."""
    settings = settings or config.current()
    if settings.sign_in is not None:
        return OIDC
    if settings.trusted_email_header:
        return HEADER
    return DEMO if settings.demo_mode else OFF


def auth_providers() -> list[str] | None:
    """The OIDC providers configured under `[auth]`: [] for the unnamed default, None when sign-in is off."""
    sign_in = config.current().sign_in
    return None if sign_in is None else list(sign_in.providers)


def email_from_header(value: str | None) -> str | None:
    """The e-mail in a proxy header; a provider prefix such as Google IAP's `accounts.google.com:` is dropped."""
    if not value:
        return None
    return value.rsplit(":", 1)[-1].strip() or None


def trusted_header_email(values: Sequence[str], client_ip: str | None, proxies: Sequence[str]) -> Identity:
    """The address in exactly one copy of the header, sent from a trusted proxy when proxies are named."""
    if proxies:
        address = ipaddress.ip_address(client_ip or _LOOPBACK)
        if not any(address in ipaddress.ip_network(proxy, strict=False) for proxy in proxies):
            return Identity(HEADER, doubt="The request did not come through the company sign-in proxy.")
    if len(values) != 1 or "," in values[0]:
        # A second copy is what a client adds when the proxy appends instead of replacing.
        return Identity(HEADER, doubt="The request named more than one person.") if values else Identity(HEADER)
    return Identity(HEADER, email=email_from_header(values[0]))


def verified_email(user: Mapping, sign_in: SignIn) -> Identity:
    """The `email` claim, when the token comes from an allowed issuer and the address is marked verified.

    `email_verified` must be true (the boolean, or the string "true"); an issuer listed in
    `issuers_without_email_verified` (Microsoft Entra ID never sends the claim) is trusted without it.
    """
    issuer = user.get("iss")
    email = user.get("email")
    if issuer not in sign_in.allowed_issuers:
        named = issuer or "an unnamed issuer"
        return Identity(OIDC, doubt=f"Your sign-in came from {named}, which Ladder does not trust.")
    if not isinstance(email, str) or not email.strip():
        return Identity(OIDC, doubt="Your sign-in did not give an e-mail address.")
    verified = user.get("email_verified")
    if verified is True or verified == "true":
        return Identity(OIDC, email=email)
    if verified is None and issuer in sign_in.issuers_without_email_verified:
        return Identity(OIDC, email=email)
    return Identity(OIDC, doubt=f"Your identity provider has not verified the address {email or '(none)'}.")


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


def who_is_asking(settings: Config) -> Identity:
    """Who the request says is looking, decided before the database is read (may stop at the sign-in screen)."""
    source = identity_source(settings)
    if source == OIDC:
        if not st.user.get("is_logged_in"):
            _sign_in()
        return verified_email(st.user, settings.sign_in)
    if source == HEADER:
        return proxy_identity(settings)
    return Identity(source)


def proxy_identity(settings: Config) -> Identity:
    """The identity in the trusted header of the request that opened this session."""
    values, client_ip = request_header(settings.trusted_email_header or "")
    return trusted_header_email(values, client_ip, settings.trusted_proxy_ips)


def request_header(name: str) -> tuple[list[str], str | None]:
    """Every copy of header `name` in the request that opened this session, and the address it came from."""
    return st.context.headers.get_all(name), st.context.ip_address


def current_viewer(snapshot: Snapshot, identity: Identity, demo_allowed: bool) -> tuple[Viewer, str]:
    """The viewer of this run and the source that named them; demo mode only where `demo_allowed`."""
    if identity.source == DEMO:
        return (demo_viewer(snapshot), DEMO) if demo_allowed else (Viewer(email="", role="none"), DEMO)
    return viewer_for_email(snapshot, identity.email), identity.source


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
        return Viewer(email=f"demo:{role}", role=role, demo=True)
    search = box.text_input("Find a manager", key=_SEARCH, placeholder="Type part of a name")
    managers = _managers(snapshot, search)
    if managers.is_empty():
        box.warning("No manager matches that name.")
        managers = _managers(snapshot, "")
    if managers.is_empty():
        return Viewer(email="demo:manager", role="manager", employee_id=None, demo=True)
    names = dict(zip(managers["id"].to_list(), managers["name"].to_list(), strict=True))
    if st.session_state.get(_MANAGER) not in names:
        st.session_state[_MANAGER] = next(iter(names))
    employee_id = box.selectbox("Manager", list(names), key=_MANAGER, format_func=names.__getitem__)
    # Recorded as a demo, never as the real person's address as if they had looked themselves.
    return Viewer(email=f"demo:manager:{employee_id}", role="manager", employee_id=employee_id, demo=True)


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
