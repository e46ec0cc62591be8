"""ASGI entry point: the Streamlit app (app.py) with the sign-in, sign-out and health routes.

Run with `streamlit run server.py` (what start.sh does) or `uvicorn server:app`.
"""

from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager
from streamlit.starlette import App

from trackoe.ui.context import app_context
from trackoe.web.routes import SignInRedirectMiddleware, build_routes

# Streamlit 1.67 serves the pages/ folder as old-style multipage pages until a run calls
# st.navigation. Without this, the first request of a fresh process to a page URL such as
# /contact ran pages/contact.py without app.py and its sign-in gate, and failed with a KeyError.
PagesManager.uses_pages_directory = False

app = App(
    "app.py",
    routes=build_routes(app_context),
    middleware=[Middleware(SignInRedirectMiddleware, provide_context=app_context)],
)
