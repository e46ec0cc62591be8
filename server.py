"""ASGI entry point: the Streamlit app (app.py) with the sign-in, sign-out and health routes.

Run with `streamlit run server.py` (what start.sh does) or `uvicorn server:app`.
"""

from starlette.middleware import Middleware
from streamlit.starlette import App

from trackoe.ui.context import app_context
from trackoe.web.routes import SignInRedirectMiddleware, build_routes

app = App(
    "app.py",
    routes=build_routes(app_context),
    middleware=[Middleware(SignInRedirectMiddleware, provide_context=app_context)],
)
