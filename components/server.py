"""Start the Streamlit server for app.py with st.navigation in charge from the very first run, and a readiness check.

Streamlit treats an app whose folder holds `pages/` as a legacy automatic-pages app until the first
`st.navigation` call. The first run of a fresh server would then answer a deep link (say `/ratings`)
with a "Page not found" dialog before app.py's navigation takes over. Declaring up front that this app
does not use automatic pages removes that first-run detour.

Streamlit's own `/_stcore/health` only says that the server runs. A load balancer needs to know whether
this replica can serve figures, so `/_ladder/ready` is added to the routes Streamlit builds for its
Starlette server (user routes come first there, as in `st.App(routes=...)`): 200 while a snapshot can be
served, stale or not, with what it is; 503 while none can (and the request starts the first read).
"""

from __future__ import annotations

import sys

READY_PATH = "_ladder/ready"


def readiness() -> tuple[int, dict]:
    """(HTTP status, body) of the readiness check, from the live snapshot's health (no database call)."""
    from components import data

    health = data.health()
    body = {
        "ready": health.servable,
        "stale": health.stale,
        "data_as_of": health.data_as_of.isoformat() if health.data_as_of else None,
        "unreachable_since": health.unreachable_since.isoformat() if health.unreachable_since else None,
    }  # why it is unreachable names hosts and users: that is for the server log, not for anyone who asks
    return (200 if health.servable else 503), body


def _with_readiness(create_routes):
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from streamlit import config

    async def ready(_request) -> JSONResponse:
        status, body = readiness()
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def create(runtime):
        base = config.get_option("server.baseUrlPath").strip("/")
        path = f"/{base}/{READY_PATH}" if base else f"/{READY_PATH}"
        return [Route(path, ready, methods=["GET", "HEAD"]), *create_routes(runtime)]

    return create


def serve(app_path: str, argv: list[str] | None = None) -> int:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli
    from streamlit.web.server.starlette import starlette_app

    PagesManager.uses_pages_directory = False
    starlette_app.create_streamlit_routes = _with_readiness(starlette_app.create_streamlit_routes)
    sys.argv = ["streamlit", "run", app_path, *(sys.argv[1:] if argv is None else argv)]
    return cli.main()
