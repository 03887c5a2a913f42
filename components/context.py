"""What every screen needs to know about this run: the filters and the viewer, set once by app.py."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from queries.model import Filters, Viewer

_KEY = "_ladder_context"


@dataclass(frozen=True)
class PageContext:
    filters: Filters
    viewer: Viewer
    scope_label: str


def set_context(context: PageContext) -> None:
    st.session_state[_KEY] = context


def current() -> PageContext:
    return st.session_state[_KEY]
