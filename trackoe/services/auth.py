"""Use cases of signing in and out: password check, lockout, server-side sessions."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from trackoe.access_models import SignInThrottle, StaffSession, StaffUser
from trackoe.access_views import SignedIn
from trackoe.errors import AuthenticationError, ValidationError
from trackoe.normalise import clean_line
from trackoe.passwords import DUMMY_HASH, hash_password, password_problem, verify_password
from trackoe.permissions import Actor, Role
from trackoe.services.transaction import Sessions, transaction
from trackoe.session_tokens import new_token, token_hash

logger = logging.getLogger(__name__)

DEFAULT_SESSION_LIFETIME = dt.timedelta(hours=8)
FREE_ATTEMPTS = 5
FIRST_LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 3600

WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."
LOCKED = (
    "Trop de tentatives de connexion échouées pour cet identifiant. "
    "Réessayez dans {minutes} {minute_word}."
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def username_key(username: str) -> str:
    """Return the case-insensitive key of a username."""
    return username.strip().casefold()


def actor_of(user: StaffUser) -> Actor:
    """Return the Actor a staff account signs in as."""
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        can_view_portal=user.can_view_portal,
    )


def lock_delay(failed_count: int) -> dt.timedelta:
    """Return how long sign-in stays refused after `failed_count` failures: 30 s from the 5th, doubling, at most 1 h."""
    if failed_count < FREE_ATTEMPTS:
        return dt.timedelta(0)
    seconds = FIRST_LOCK_SECONDS * 2 ** (failed_count - FREE_ATTEMPTS)
    return dt.timedelta(seconds=min(seconds, MAX_LOCK_SECONDS))


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes; every stored time is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def _locked_throttle(session: Session, key: str) -> SignInThrottle:
    """Return the throttle row of `key`, created when missing, locked until the transaction ends.

    The insert comes first in the transaction: it takes SQLite's write lock at once, and on
    PostgreSQL the row lock follows. So attempts on one username run one after another and
    none can verify a password between another's check and its count of the failure.
    """
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    session.execute(insert(SignInThrottle).values(username_key=key, failed_count=0).on_conflict_do_nothing())
    return session.scalars(select(SignInThrottle).where(SignInThrottle.username_key == key).with_for_update()).one()


def _locked_message(throttle: SignInThrottle, now: dt.datetime) -> str | None:
    locked_until = _aware(throttle.locked_until)
    if locked_until is None or locked_until <= now:
        return None
    minutes = max(1, int((locked_until - now).total_seconds() + 59) // 60)
    logger.info("Sign-in rejected: username locked until %s", locked_until.isoformat())
    return LOCKED.format(minutes=minutes, minute_word="minute" if minutes == 1 else "minutes")


def _count_failure(throttle: SignInThrottle, now: dt.datetime) -> None:
    throttle.failed_count += 1
    delay = lock_delay(throttle.failed_count)
    throttle.locked_until = now + delay if delay else None
    logger.info("Sign-in failed (%s failures in a row for this key)", throttle.failed_count)


def _attempt(session: Session, key: str, password: str, now: dt.datetime, lifetime: dt.timedelta) -> SignedIn | str:
    """Run one sign-in attempt under the throttle lock; return the session opened, or the French message of the rejection."""
    throttle = _locked_throttle(session, key)
    lock_message = _locked_message(throttle, now)
    if lock_message is not None:
        return lock_message

    user = session.scalar(select(StaffUser).where(StaffUser.username_key == key))
    matches = verify_password(user.password_hash if user is not None else DUMMY_HASH, password)
    if user is None or not matches or not user.is_active:
        _count_failure(throttle, now)
        return WRONG_CREDENTIALS

    session.delete(throttle)
    # A Core UPDATE leaves the account's version alone, so signing in never makes an
    # administrateur's open edit of the account stale.
    session.execute(update(StaffUser).where(StaffUser.id == user.id).values(last_sign_in_at=now))
    token = new_token()
    session.add(StaffSession(token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=now + lifetime))
    logger.info("User %s signed in", user.id)
    return SignedIn(
        token=token,
        actor=actor_of(user),
        must_change_password=user.must_change_password,
        expires_at=now + lifetime,
    )


def sign_in(
    sessions: Sessions,
    username: str,
    password: str,
    *,
    lifetime: dt.timedelta = DEFAULT_SESSION_LIFETIME,
    now: dt.datetime | None = None,
) -> SignedIn:
    """Check the password of an active account and open a server-side session.

    Raise AuthenticationError with the same message for an unknown username, a wrong
    password and a disabled account. From the 5th failure in a row on one username, further
    attempts are refused for a delay that doubles each time, even with the right password.
    Attempts refused that way are not counted.
    """
    now = now or _now()
    # Control characters (NUL among them) cannot be stored by PostgreSQL and no username has them.
    key = username_key(clean_line(username) or "")[:60]

    with transaction(sessions, "sign_in") as session:
        outcome = _attempt(session, key, password, now, lifetime)

    if isinstance(outcome, str):
        raise AuthenticationError(outcome)
    return outcome


def _live_session(session: Session, token: str, now: dt.datetime) -> tuple[StaffSession, StaffUser] | None:
    row = session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.user_id)
        .where(StaffSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None

    staff_session, user = row
    if staff_session.revoked_at is not None or _aware(staff_session.expires_at) <= now or not user.is_active:
        return None
    return staff_session, user


def resolve_session(sessions: Sessions, token: str | None, *, now: dt.datetime | None = None) -> SignedIn | None:
    """Return the signed-in user of a session token, or None when it is unknown, expired, revoked or disabled."""
    if not token:
        return None

    now = now or _now()
    with transaction(sessions, "resolve_session") as session:
        live = _live_session(session, token, now)
        if live is None:
            return None
        staff_session, user = live
        return SignedIn(
            token=token,
            actor=actor_of(user),
            must_change_password=user.must_change_password,
            expires_at=_aware(staff_session.expires_at),
        )


def sign_out(sessions: Sessions, token: str | None) -> None:
    """Revoke the server-side session of `token`, so that a copy of the cookie stops working."""
    if not token:
        return

    with transaction(sessions, "sign_out") as session:
        staff_session = session.scalar(select(StaffSession).where(StaffSession.token_hash == token_hash(token)))
        if staff_session is not None and staff_session.revoked_at is None:
            staff_session.revoked_at = _now()
            logger.info("User %s signed out (session %s)", staff_session.user_id, staff_session.id)


def revoke_user_sessions(session: Session, user_id: int) -> None:
    """Revoke every open session of an account inside the caller's transaction."""
    for staff_session in session.scalars(
        select(StaffSession).where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
    ):
        staff_session.revoked_at = _now()


def change_own_password(sessions: Sessions, actor: Actor, current_password: str, new_password: str, token: str) -> None:
    """Replace the signed-in user's password; other sessions of the account are revoked, `token`'s is kept."""
    with transaction(sessions, "change_own_password") as session:
        user = session.get(StaffUser, actor.user_id)
        if user is None or not user.is_active:
            raise AuthenticationError("Votre session n'est plus valide : reconnectez-vous.")
        if not verify_password(user.password_hash, current_password):
            raise ValidationError({"current_password": "Le mot de passe actuel est incorrect."})

        problem = password_problem(new_password, username=user.username)
        if problem is None and new_password == current_password:
            problem = "Le nouveau mot de passe doit être différent de l'actuel."
        if problem is not None:
            raise ValidationError({"new_password": problem})

        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        for staff_session in session.scalars(
            select(StaffSession).where(
                StaffSession.user_id == user.id,
                StaffSession.revoked_at.is_(None),
                StaffSession.token_hash != token_hash(token),
            )
        ):
            staff_session.revoked_at = _now()
        logger.info("User %s changed their password", user.id)
