"""Starlette routes of sign-in, sign-out and health, and the middleware that sends signed-out browsers to sign-in."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from trackoe.bootstrap import AppContext
from trackoe.errors import AuthenticationError, TrackoeError
from trackoe.services import accounts, auth
from trackoe.session_tokens import COOKIE_NAME, sign, unsign
from trackoe.web.sign_in_page import sign_in_html, sign_out_html

logger = logging.getLogger(__name__)

ContextProvider = Callable[[], AppContext]

SIGN_IN_PATH = "/connexion"
SIGN_OUT_PATH = "/deconnexion"
HEALTH_PATH = "/sante"
# Paths the browser fetches for Streamlit itself (scripts, websocket, components), never a page.
PASSTHROUGH_PREFIXES = ("/_stcore/", "/static/", "/component/", "/media/", "/app/static/", "/-/")
MAX_NEXT_LENGTH = 500
SIGNED_OUT_MESSAGE = "Vous êtes déconnecté."
UNAVAILABLE_MESSAGE = "La base de données est injoignable pour le moment. Réessayez dans quelques instants."


def safe_next_path(raw: str | None) -> str:
    """Return `raw` when it is a path of this site, else "/", so a sign-in link cannot redirect elsewhere."""
    if not raw or len(raw) > MAX_NEXT_LENGTH or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw


def _same_origin(request: Request) -> bool:
    # Browsers send Origin on a form POST; a different one means another site submitted the form.
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def _signed_in(context: AppContext, request: Request):
    token = unsign(context.cookie_secret, request.cookies.get(COOKIE_NAME))
    if token is None:
        return None
    return await run_in_threadpool(auth.resolve_session, context.sessions, token)


def build_routes(provide_context: ContextProvider) -> list[Route]:
    """Return the sign-in, sign-out and health routes over the application context `provide_context` returns."""

    async def sign_in_form(request: Request) -> Response:
        next_path = safe_next_path(request.query_params.get("next"))
        info = SIGNED_OUT_MESSAGE if "deconnecte" in request.query_params else ""
        try:
            context = await run_in_threadpool(provide_context)
            if await _signed_in(context, request) is not None:
                return RedirectResponse(next_path, status_code=303)
        except Exception:
            logger.exception("Sign-in page: application context unavailable")
            return HTMLResponse(sign_in_html(next_path=next_path, error=UNAVAILABLE_MESSAGE), status_code=503)

        response = HTMLResponse(sign_in_html(next_path=next_path, info=info))
        if COOKIE_NAME in request.cookies:
            response.delete_cookie(COOKIE_NAME, path="/")
        return response

    async def sign_in_submit(request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username", ""))[:60]
        password = str(form.get("password", ""))[:256]
        next_path = safe_next_path(str(form.get("next", "/")))

        if not _same_origin(request):
            logger.warning("Sign-in form posted from another origin rejected")
            return HTMLResponse(sign_in_html(next_path=next_path, error="Requête refusée."), status_code=403)

        try:
            context = await run_in_threadpool(provide_context)
            lifetime = dt.timedelta(hours=context.settings.session_hours)
            signed_in = await run_in_threadpool(
                lambda: auth.sign_in(context.sessions, username, password, lifetime=lifetime)
            )
        except AuthenticationError as error:
            return HTMLResponse(sign_in_html(next_path=next_path, username=username, error=error.message), status_code=401)
        except TrackoeError as error:
            return HTMLResponse(sign_in_html(next_path=next_path, username=username, error=error.message), status_code=503)
        except Exception:
            logger.exception("Sign-in failed unexpectedly")
            return HTMLResponse(sign_in_html(next_path=next_path, username=username, error=UNAVAILABLE_MESSAGE), status_code=503)

        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(
            COOKIE_NAME,
            sign(context.cookie_secret, signed_in.token),
            max_age=int(lifetime.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    async def sign_out_form(request: Request) -> Response:
        # A GET only shows the confirmation form, because signing out on a GET would let any
        # other site sign users out with a link.
        return HTMLResponse(sign_out_html())

    async def sign_out(request: Request) -> Response:
        if not _same_origin(request):
            logger.warning("Sign-out form posted from another origin rejected")
            return HTMLResponse(sign_out_html(error="Requête refusée."), status_code=403)

        try:
            context = await run_in_threadpool(provide_context)
            token = unsign(context.cookie_secret, request.cookies.get(COOKIE_NAME))
            await run_in_threadpool(auth.sign_out, context.sessions, token)
        except Exception:
            logger.exception("Sign-out could not revoke the server-side session")
        response = RedirectResponse(f"{SIGN_IN_PATH}?deconnecte=1", status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/")
        return response

    async def health(request: Request) -> Response:
        try:
            context = await run_in_threadpool(provide_context)
            await run_in_threadpool(_ping, context)
        except Exception as error:
            logger.error("Health check failed: %s", type(error).__name__)
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return [
        Route(SIGN_IN_PATH, sign_in_form, methods=["GET"]),
        Route(SIGN_IN_PATH, sign_in_submit, methods=["POST"]),
        Route(SIGN_OUT_PATH, sign_out_form, methods=["GET"]),
        Route(SIGN_OUT_PATH, sign_out, methods=["POST"]),
        Route(HEALTH_PATH, health, methods=["GET"]),
    ]


def _ping(context: AppContext) -> None:
    with context.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


class SignInRedirectMiddleware:
    """Send a browser that opens a page without a valid session to the sign-in page, `next` set to that page.

    The Streamlit script checks the session again on every run; this only spares signed-out
    users a page that would tell them to sign in. While no account exists, pages pass, so
    the first-start screen can show.
    """

    def __init__(self, app: ASGIApp, provide_context: ContextProvider) -> None:
        self.app = app
        self.provide_context = provide_context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not await self._must_sign_in(Request(scope)):
            await self.app(scope, receive, send)
            return

        request = Request(scope)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse(f"{SIGN_IN_PATH}?next={quote(target, safe='')}", status_code=303)
        await response(scope, receive, send)

    async def _must_sign_in(self, request: Request) -> bool:
        path = request.url.path
        if request.method != "GET" or "text/html" not in request.headers.get("accept", ""):
            return False
        if path in (SIGN_IN_PATH, SIGN_OUT_PATH, HEALTH_PATH) or path.startswith(PASSTHROUGH_PREFIXES):
            return False
        if "." in path.rsplit("/", 1)[-1]:
            return False

        try:
            context = await run_in_threadpool(self.provide_context)
            if await _signed_in(context, request) is not None:
                return False
            return await run_in_threadpool(accounts.has_any_account, context.sessions)
        except Exception:
            # The page itself shows the French "database unreachable" message.
            logger.exception("Sign-in check of %s failed", path)
            return False
