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


class StaleEditError(ConflictError):
    """Someone saved the contact after the form was loaded; nothing of this save was written.

    `current_values` maps each form field to its stored value now, and `current_version` is
    the version to save over. `changed_fields` lists the fields whose stored value differs
    from the one the form was loaded with. It is empty when the caller sent no loaded values,
    or when only the archive state changed.
    """

    def __init__(
        self, contact_id: int, current_version: int, current_values: dict[str, object], changed_fields: tuple[str, ...]
    ) -> None:
        super().__init__(
            "Ce contact a été modifié par quelqu'un d'autre depuis son ouverture : "
            "vos modifications n'ont pas été enregistrées."
        )
        self.contact_id = contact_id
        self.current_version = current_version
        self.current_values = current_values
        self.changed_fields = changed_fields


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
    """A sign-in failed. The message is the same whether or not the username exists."""
