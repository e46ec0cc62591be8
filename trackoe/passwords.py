"""Password hashing with argon2, temporary passwords, and the password rules of staff accounts."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
TEMPORARY_PASSWORD_LENGTH = 16

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
_UNAMBIGUOUS_LETTERS = "".join(c for c in string.ascii_letters if c not in "IlOo")
_UNAMBIGUOUS_DIGITS = "23456789"
_SYMBOLS = "-_.!?#%+"

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Return the argon2id hash of `password`, salted, in PHC string form."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether `password` matches `password_hash`; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# Verified against when a username does not exist, so that a wrong username costs the same
# time as a wrong password and the response time reveals nothing.
DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def generate_temporary_password() -> str:
    """Return a random password of 16 characters with upper and lower case letters, digits and a symbol."""
    alphabet = _UNAMBIGUOUS_LETTERS + _UNAMBIGUOUS_DIGITS + _SYMBOLS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c in _UNAMBIGUOUS_DIGITS for c in password)
            and any(c in _SYMBOLS for c in password)
        ):
            return password


def password_problem(password: str, *, username: str = "") -> str | None:
    """Return the French reason why `password` is not acceptable for a staff account, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Le mot de passe ne peut pas dépasser {MAX_PASSWORD_LENGTH} caractères."
    if password.strip() != password or not password.strip():
        return "Le mot de passe ne doit pas commencer ni finir par une espace."
    if username and username.casefold() in password.casefold():
        return "Le mot de passe ne doit pas contenir l'identifiant."
    if len(set(password)) < 5:
        return "Le mot de passe est trop simple : variez les caractères."
    return None
