"""Who is looking. In demo mode a picker in the sidebar chooses a role (and, for a manager, the person)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from queries.model import Snapshot, Viewer

DEMO_ROLES = {"hr": "HR leader", "executive": "Executive", "manager": "Manager"}
_ROLE, _MANAGER, _SEARCH = "viewer_role", "viewer_manager", "viewer_search"
_CHOICES = 50


def _managers(snapshot: Snapshot, search: str) -> pl.DataFrame:
    managers = snapshot.employee.join(
        snapshot.employee.select(pl.col("manager_id").alias("id")).unique(), on="id", how="semi"
    ).filter(pl.col("active"))
    if search:
        managers = managers.filter(pl.col("name").str.to_lowercase().str.contains(search.lower(), literal=True))
    return managers.sort(["level", "name"], descending=[True, False]).head(_CHOICES)


def demo_viewer(snapshot: Snapshot) -> Viewer:
    """The demo-mode picker: a role, and for a manager a searchable choice of person."""
    box = st.sidebar.expander("Viewing as (demo mode)", expanded=False, icon=":material/badge:")
    role = box.selectbox("Role", list(DEMO_ROLES), key=_ROLE, format_func=DEMO_ROLES.__getitem__)
    if role != "manager":
        return Viewer(email=f"demo.{role}@ladder.local", role=role, demo=True)
    search = box.text_input("Find a manager", key=_SEARCH, placeholder="Type part of a name")
    managers = _managers(snapshot, search)
    if managers.is_empty():
        box.warning("No manager matches that name.")
        return Viewer(email="demo.manager@ladder.local", role="manager", employee_id=None, demo=True)
    names = dict(zip(managers["id"].to_list(), managers["name"].to_list(), strict=True))
    if st.session_state.get(_MANAGER) not in names:
        st.session_state[_MANAGER] = next(iter(names))
    employee_id = box.selectbox("Manager", list(names), key=_MANAGER, format_func=names.__getitem__)
    email = snapshot.employee.filter(pl.col("id") == employee_id)["email"][0]
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
