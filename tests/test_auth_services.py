"""Sign-in, lockout, sessions and passwords, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from sqlalchemy import inspect, text

from trackoe.access_views import AccountInput
from trackoe.errors import AuthenticationError, ConflictError, ValidationError
from trackoe.passwords import generate_temporary_password, password_problem
from trackoe.permissions import Role
from trackoe.services import accounts, auth
from tests.actors import ADMIN

PASSWORD = "Correct-Horse-Battery-9"
START = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin_account(sessions):
    return accounts.create_administrator(sessions, "Alice", "Alice Admin", PASSWORD, first_only=True)


def fail(sessions, username: str, now: dt.datetime) -> str:
    with pytest.raises(AuthenticationError) as raised:
        auth.sign_in(sessions, username, "wrong-password-123", now=now)
    return raised.value.message


def test_sign_in_ignores_username_case(sessions, admin_account):
    signed_in = auth.sign_in(sessions, "  aLiCe ", PASSWORD)

    assert signed_in.actor.user_id == admin_account.id
    assert signed_in.actor.role is Role.ADMINISTRATEUR
    assert auth.resolve_session(sessions, signed_in.token).actor == signed_in.actor


def test_unknown_user_and_wrong_password_read_alike(sessions, admin_account):
    unknown = fail(sessions, "nobody", START)
    wrong = fail(sessions, "alice", START)

    assert unknown == wrong == auth.WRONG_CREDENTIALS


def test_disabled_account_cannot_sign_in(sessions, admin_account):
    created = accounts.create_account(sessions, ADMIN, AccountInput("bruno", "Bruno", Role.AGENT.value))
    accounts.update_account(
        sessions, ADMIN, created.account.id, AccountInput("bruno", "Bruno", Role.AGENT.value, is_active=False),
        expected_version=created.account.version,
    )

    with pytest.raises(AuthenticationError) as raised:
        auth.sign_in(sessions, "bruno", created.temporary_password)

    assert raised.value.message == auth.WRONG_CREDENTIALS


@pytest.mark.parametrize(
    ("failures", "expected_seconds"),
    [(0, 0), (4, 0), (5, 30), (6, 60), (7, 120), (10, 960), (12, 3600), (40, 3600)],
)
def test_lock_delay_doubles_up_to_an_hour(failures, expected_seconds):
    delay = auth.lock_delay(failures)

    assert delay == dt.timedelta(seconds=expected_seconds)


def test_fifth_failure_locks_even_the_right_password(sessions, admin_account):
    for attempt in range(5):
        fail(sessions, "alice", START + dt.timedelta(seconds=attempt))

    with pytest.raises(AuthenticationError) as raised:
        auth.sign_in(sessions, "alice", PASSWORD, now=START + dt.timedelta(seconds=10))

    assert "Trop de tentatives" in raised.value.message
    assert "alice" not in raised.value.message.lower()


def test_lock_ends_after_delay(sessions, admin_account):
    for attempt in range(5):
        fail(sessions, "alice", START + dt.timedelta(seconds=attempt))
    after_lock = START + dt.timedelta(seconds=4 + 31)

    signed_in = auth.sign_in(sessions, "alice", PASSWORD, now=after_lock)
    message = fail(sessions, "alice", after_lock + dt.timedelta(seconds=1))

    assert signed_in.token
    assert message == auth.WRONG_CREDENTIALS


def test_sixth_failure_locks_longer(sessions, admin_account):
    for attempt in range(5):
        fail(sessions, "alice", START + dt.timedelta(seconds=attempt))
    after_first_lock = START + dt.timedelta(seconds=40)
    fail(sessions, "alice", after_first_lock)

    with pytest.raises(AuthenticationError):
        auth.sign_in(sessions, "alice", PASSWORD, now=after_first_lock + dt.timedelta(seconds=45))
    signed_in = auth.sign_in(sessions, "alice", PASSWORD, now=after_first_lock + dt.timedelta(seconds=61))

    assert signed_in.token


def test_unknown_username_locks_like_a_real_one(sessions, admin_account):
    for attempt in range(5):
        fail(sessions, "alice", START + dt.timedelta(seconds=attempt))
        fail(sessions, "nobody", START + dt.timedelta(seconds=attempt))

    real = fail(sessions, "alice", START + dt.timedelta(seconds=6))
    unknown = fail(sessions, "nobody", START + dt.timedelta(seconds=6))

    assert real == unknown


def test_sign_out_revokes_session_on_server(sessions, admin_account):
    signed_in = auth.sign_in(sessions, "alice", PASSWORD)
    copied_token = signed_in.token

    auth.sign_out(sessions, signed_in.token)

    assert auth.resolve_session(sessions, copied_token) is None


def test_session_expires_after_lifetime(sessions, admin_account):
    signed_in = auth.sign_in(sessions, "alice", PASSWORD, lifetime=dt.timedelta(hours=8), now=START)

    before_end = auth.resolve_session(sessions, signed_in.token, now=START + dt.timedelta(hours=7, minutes=59))
    after_end = auth.resolve_session(sessions, signed_in.token, now=START + dt.timedelta(hours=8, seconds=1))

    assert before_end is not None
    assert after_end is None


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 300])
def test_unknown_token_resolves_to_nobody(sessions, admin_account, token):
    resolved = auth.resolve_session(sessions, token)

    assert resolved is None


def test_password_reset_ends_sessions_and_requires_change(sessions, admin_account):
    created = accounts.create_account(sessions, ADMIN, AccountInput("bruno", "Bruno", Role.AGENT.value))
    first = auth.sign_in(sessions, "bruno", created.temporary_password)

    reset = accounts.reset_password(sessions, ADMIN, created.account.id)
    second = auth.sign_in(sessions, "bruno", reset.temporary_password)

    assert first.must_change_password is True
    assert auth.resolve_session(sessions, first.token) is None
    assert second.must_change_password is True


def test_changing_password_keeps_this_session_only(sessions, admin_account):
    created = accounts.create_account(sessions, ADMIN, AccountInput("bruno", "Bruno", Role.AGENT.value))
    this_browser = auth.sign_in(sessions, "bruno", created.temporary_password)
    other_browser = auth.sign_in(sessions, "bruno", created.temporary_password)

    auth.change_own_password(sessions, this_browser.actor, created.temporary_password, "Nouveau-Secret-2027", this_browser.token)

    assert auth.resolve_session(sessions, this_browser.token).must_change_password is False
    assert auth.resolve_session(sessions, other_browser.token) is None
    assert auth.sign_in(sessions, "bruno", "Nouveau-Secret-2027").token


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("wrong-password-123", "Nouveau-Secret-2027", "current_password"),
        (PASSWORD, "court", "new_password"),
        (PASSWORD, PASSWORD, "new_password"),
        (PASSWORD, "alice-Secret-2027", "new_password"),
    ],
)
def test_password_change_rejects_bad_input(sessions, admin_account, current, new, field):
    signed_in = auth.sign_in(sessions, "alice", PASSWORD)

    with pytest.raises(ValidationError) as raised:
        auth.change_own_password(sessions, signed_in.actor, current, new, signed_in.token)

    assert list(raised.value.field_errors) == [field]
    assert auth.sign_in(sessions, "alice", PASSWORD).token


def test_disabling_account_ends_its_sessions(sessions, admin_account):
    created = accounts.create_account(sessions, ADMIN, AccountInput("bruno", "Bruno", Role.AGENT.value))
    signed_in = auth.sign_in(sessions, "bruno", created.temporary_password)

    accounts.update_account(
        sessions, ADMIN, created.account.id, AccountInput("bruno", "Bruno", Role.AGENT.value, is_active=False),
        expected_version=created.account.version,
    )

    assert auth.resolve_session(sessions, signed_in.token) is None


def test_first_administrator_only_once(sessions, admin_account):
    with pytest.raises(ConflictError):
        accounts.create_first_administrator(sessions, "bob", "Bob", PASSWORD)


@pytest.mark.parametrize(
    ("username", "field"),
    [("", "username"), ("ab", "username"), ("élodie", "username"), ("a b", "username"), ("-abc", "username")],
)
def test_account_form_rejects_bad_username(sessions, username, field):
    with pytest.raises(ValidationError) as raised:
        accounts.create_account(sessions, ADMIN, AccountInput(username, "Nom", Role.AGENT.value))

    assert field in raised.value.field_errors


def test_usernames_differing_by_case_collide(sessions, admin_account):
    with pytest.raises(ValidationError) as raised:
        accounts.create_account(sessions, ADMIN, AccountInput("ALICE", "Autre Alice", Role.AGENT.value))

    assert "déjà pris" in raised.value.field_errors["username"]


@pytest.mark.parametrize(
    ("password", "acceptable"),
    [("court", False), ("aaaaaaaaaaaaaaaa", False), (" avec-espace-devant", False), ("Correct-Horse-9", True)],
)
def test_password_rules(password, acceptable):
    problem = password_problem(password)

    assert (problem is None) is acceptable


def test_temporary_passwords_are_strong_and_distinct():
    passwords = {generate_temporary_password() for _ in range(200)}

    assert len(passwords) == 200
    assert all(password_problem(password) is None for password in passwords)


def _all_stored_text(engine) -> str:
    """Return every value of every table, as text, to search for a leaked secret."""
    chunks = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def test_no_clear_password_in_database_or_logs(sessions, engine, caplog):
    caplog.set_level(logging.DEBUG)
    accounts.create_administrator(sessions, "alice", "Alice", PASSWORD, first_only=True)
    created = accounts.create_account(sessions, ADMIN, AccountInput("bruno", "Bruno", Role.AGENT.value))
    signed_in = auth.sign_in(sessions, "bruno", created.temporary_password)
    auth.change_own_password(sessions, signed_in.actor, created.temporary_password, "Nouveau-Secret-2027", signed_in.token)
    reset = accounts.reset_password(sessions, ADMIN, created.account.id)
    fail(sessions, "alice", START)

    stored = _all_stored_text(engine)
    logged = caplog.text

    for secret in (PASSWORD, created.temporary_password, "Nouveau-Secret-2027", reset.temporary_password, signed_in.token):
        assert secret not in stored
        assert secret not in logged
    assert stored.count("$argon2id$") == 2


def test_parallel_failures_stop_counting_at_lock(sessions, admin_account):
    attempts = 12
    start = threading.Barrier(attempts)
    messages: list[str] = []

    def attempt() -> None:
        start.wait()
        try:
            auth.sign_in(sessions, "alice", "wrong-password-123", now=START)
        except AuthenticationError as error:
            messages.append(error.message)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert messages.count(auth.WRONG_CREDENTIALS) == 5
    assert len(messages) == attempts
    with pytest.raises(AuthenticationError) as raised:
        auth.sign_in(sessions, "alice", PASSWORD, now=START + dt.timedelta(seconds=1))
    assert "Trop de tentatives" in raised.value.message


@pytest.mark.parametrize("username", ["ali\x00ce", "\x00", "alice\x07"])
def test_control_characters_in_username_fail_cleanly(sessions, admin_account, username):
    with pytest.raises(AuthenticationError) as raised:
        auth.sign_in(sessions, username, "wrong-password-123")

    assert raised.value.message == auth.WRONG_CREDENTIALS


def test_simultaneous_first_starts_create_one_administrator(sessions, engine):
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def first_start(username: str) -> None:
        start.wait()
        try:
            accounts.create_first_administrator(sessions, username, username.capitalize(), PASSWORD)
            outcomes.append("created")
        except ConflictError:
            outcomes.append("refused")

    threads = [threading.Thread(target=first_start, args=(name,)) for name in ("premier.a", "premier.b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    with engine.connect() as connection:
        account_count = connection.scalar(text("SELECT count(*) FROM staff_user"))
    assert sorted(outcomes) == ["created", "refused"]
    assert account_count == 1
