"""The sign-in, sign-out and health routes and the redirect middleware, over HTTP on a real SQLite file."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from trackoe.bootstrap import open_application
from trackoe.config import Settings
from trackoe.permissions import Role
from trackoe.services import auth
from trackoe.session_tokens import COOKIE_NAME, unsign
from trackoe.web.routes import SignInRedirectMiddleware, build_routes, safe_next_path
from tests.pages_support import TEST_PASSWORD, add_account


def _page(request):
    return PlainTextResponse("page de l'application")


@pytest.fixture
def context(sqlite_url):
    return open_application(Settings(database_url=sqlite_url, seed_demo=False, session_hours=8))


@pytest.fixture
def client(context):
    provide = lambda: context  # noqa: E731
    application = Starlette(
        routes=[*build_routes(provide), Route("/", _page), Route("/contact", _page)],
        middleware=[Middleware(SignInRedirectMiddleware, provide_context=provide)],
    )
    with TestClient(application, base_url="http://127.0.0.1:8501", follow_redirects=False) as client:
        yield client


@pytest.fixture
def agent(context):
    return add_account(context.sessions, "agent", Role.AGENT)


HTML = {"accept": "text/html,application/xhtml+xml"}


def sign_in(client, username="agent", password=TEST_PASSWORD, next_path="/"):
    return client.post("/connexion", data={"username": username, "password": password, "next": next_path})


def test_sign_in_page_is_french_form(client):
    response = client.get("/connexion")

    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert "Se connecter" in response.text


def test_good_password_sets_http_only_cookie(client, context, agent):
    response = sign_in(client, next_path="/contact?contact_id=3")

    cookie = response.headers["set-cookie"]
    assert response.status_code == 303
    assert response.headers["location"] == "/contact?contact_id=3"
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Max-Age=28800" in cookie
    assert TEST_PASSWORD not in cookie
    token = unsign(context.cookie_secret, client.cookies[COOKIE_NAME])
    assert auth.resolve_session(context.sessions, token).actor.user_id == agent


def test_wrong_password_shows_french_error_and_no_cookie(client, agent):
    response = sign_in(client, password="mauvais-mot-de-passe")

    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in response.text
    assert "set-cookie" not in response.headers


def test_typed_username_is_escaped_in_error_page(client, agent):
    response = sign_in(client, username='"><script>alert(1)</script>', password="x")

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/contact?contact_id=3", "/contact?contact_id=3"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
        ("/" + "a" * 600, "/"),
    ],
)
def test_next_path_stays_on_this_site(raw, expected):
    path = safe_next_path(raw)

    assert path == expected


def test_post_from_other_origin_is_rejected(client, agent):
    response = client.post(
        "/connexion",
        data={"username": "agent", "password": TEST_PASSWORD},
        headers={"origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_page_without_session_redirects_to_sign_in(client, agent):
    response = client.get("/contact?contact_id=3", headers=HTML)

    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?next=%2Fcontact%3Fcontact_id%3D3"


def test_page_without_any_account_shows_first_start(client):
    response = client.get("/", headers=HTML)

    assert response.status_code == 200


def test_signed_in_page_passes(client, agent):
    sign_in(client)

    response = client.get("/", headers=HTML)

    assert response.status_code == 200


def test_sign_out_revokes_copied_cookie(client, context, agent):
    sign_in(client)
    copied = client.cookies[COOKIE_NAME]

    response = client.post("/deconnexion")
    client.cookies.set(COOKIE_NAME, copied)
    after = client.get("/", headers=HTML)

    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?deconnecte=1"
    assert after.status_code == 303
    assert after.headers["location"].startswith("/connexion")


def test_forged_cookie_is_ignored(client, agent):
    client.cookies.set(COOKIE_NAME, "forged-token.0000")

    response = client.get("/", headers=HTML)

    assert response.status_code == 303


def test_lockout_through_form_hides_account_existence(client, agent):
    for _ in range(5):
        sign_in(client, password="mauvais-mot-de-passe")
        sign_in(client, username="inconnu", password="mauvais-mot-de-passe")

    known = sign_in(client)
    unknown = sign_in(client, username="inconnu", password="mauvais-mot-de-passe")

    assert known.status_code == unknown.status_code == 401
    assert "Trop de tentatives" in known.text
    assert "Trop de tentatives" in unknown.text


def test_health_reports_database(client):
    response = client.get("/sante")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_sign_out_by_get_only_asks(client, context, agent):
    sign_in(client)
    token = unsign(context.cookie_secret, client.cookies[COOKIE_NAME])

    response = client.get("/deconnexion")

    assert response.status_code == 200
    assert 'method="post" action="/deconnexion"' in response.text
    assert auth.resolve_session(context.sessions, token) is not None


def test_sign_out_from_other_origin_is_rejected(client, context, agent):
    sign_in(client)
    token = unsign(context.cookie_secret, client.cookies[COOKIE_NAME])

    response = client.post("/deconnexion", headers={"origin": "https://evil.example"})

    assert response.status_code == 403
    assert auth.resolve_session(context.sessions, token) is not None
