"""Expected failures, each carrying the French message shown to the user."""

from __future__ import annotations


class TrackoeError(Exception):
    """An expected failure; `message` is French and safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(TrackoeError):
    """Invalid input; `field_errors` maps each field name to its French message."""

    def __init__(self, field_errors: dict[str, str]) -> None:
        super().__init__("Le formulaire contient des erreurs : corrigez les champs signalés.")
        self.field_errors = field_errors


class NotFoundError(TrackoeError):
    """A record that the request names does not exist."""


class ConflictError(TrackoeError):
    """The request contradicts the stored data (a link already ended, a record changed meanwhile)."""


class DatabaseUnavailableError(TrackoeError):
    """The database cannot be reached."""

    def __init__(self) -> None:
        super().__init__(
            "La base de données est injoignable pour le moment. Réessayez dans quelques "
            "instants : ce que vous avez saisi est conservé."
        )


class PermissionDeniedError(TrackoeError):
    """The signed-in user's role or account settings do not allow the action; nothing was done."""

    def __init__(self, message: str, *, user_id: int, permission: str) -> None:
        super().__init__(message)
        self.user_id = user_id
        self.permission = permission


class AuthenticationError(TrackoeError):
    """A sign-in failed; the message never says whether the username exists."""
