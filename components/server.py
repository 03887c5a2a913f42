"""Start the Streamlit server for app.py with st.navigation in charge from the very first run.

Streamlit treats an app whose folder holds `pages/` as a legacy automatic-pages app until the first
`st.navigation` call. The first run of a fresh server would then answer a deep link (say `/ratings`)
with a "Page not found" dialog before app.py's navigation takes over. Declaring up front that this app
does not use automatic pages removes that first-run detour.
"""

from __future__ import annotations

import sys


def serve(app_path: str, argv: list[str] | None = None) -> int:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", app_path, *(sys.argv[1:] if argv is None else argv)]
    return cli.main()
