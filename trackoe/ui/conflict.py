"""The report of a contact saved by someone else since its form was loaded, with the two ways out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from trackoe.domain import CONTACT_TYPE_LABELS, ContactType
from trackoe.errors import StaleEditError
from trackoe.normalise import format_phone
from trackoe.ui.contact_form import TEXT_FIELDS
from trackoe.ui.errors import run_action
from trackoe.ui.text import md
from trackoe.views import ContactDetail

logger = logging.getLogger(__name__)

FIELD_LABELS: dict[str, str] = {
    "contact_type": "Type de contact",
    "civility": "Civilité",
    **{field: label for field, (label, _max_chars, _help) in TEXT_FIELDS.items()},
    "comment": "Commentaire",
}
PHONE_FIELDS = ("phone_landline", "phone_mobile")
EMPTY_VALUE = "(vide)"
RELOAD_LABEL = "Recharger la version actuelle"
REAPPLY_LABEL = "Réappliquer mes valeurs"


@dataclass(frozen=True)
class StaleEdit:
    """Stored state of a contact as a rejected save found it: its version, values and the fields changed."""

    current_version: int
    current_values: dict[str, object]
    changed_fields: tuple[str, ...]


def stale_edit_key(prefix: str) -> str:
    return f"{prefix}_stale_edit"


def loaded_values_key(prefix: str) -> str:
    """Return the session key of the stored values the form was loaded with (`contacts.contact_fields`)."""
    return f"{prefix}_loaded_values"


def has_stale_edit(prefix: str) -> bool:
    return stale_edit_key(prefix) in st.session_state


def display_value(field: str, value: object) -> str:
    """Return a stored value as the form shows it: the type's label, a formatted phone, "(vide)" for nothing."""
    if value is None or value == "":
        return EMPTY_VALUE
    if field == "contact_type":
        return CONTACT_TYPE_LABELS[ContactType(value)]
    if field in PHONE_FIELDS:
        return format_phone(str(value))
    return str(value)


def run_save(prefix: str, save: Callable[[], ContactDetail], *, field_errors_key: str) -> ContactDetail | None:
    """Run `save` like `run_action`; a StaleEditError is kept in the session state for `render_stale_edit`."""

    def save_or_keep_stale_edit() -> ContactDetail | None:
        try:
            saved = save()
        except StaleEditError as error:
            logger.info("Contact %s: save rejected, version %s is newer", error.contact_id, error.current_version)
            st.session_state[stale_edit_key(prefix)] = StaleEdit(
                error.current_version, dict(error.current_values), tuple(error.changed_fields)
            )
            return None
        st.session_state.pop(stale_edit_key(prefix), None)
        return saved

    return run_action(save_or_keep_stale_edit, context="contact.update", field_errors_key=field_errors_key)


def _message(stale_edit: StaleEdit) -> str:
    parts = [
        "Ce contact a été modifié par quelqu'un d'autre depuis son ouverture : "
        "vos modifications n'ont pas été enregistrées."
    ]
    if stale_edit.changed_fields:
        # Values are user text, escaped so that they display exactly as stored.
        items = [
            f"- {FIELD_LABELS.get(field, field)} : {md(display_value(field, stale_edit.current_values.get(field)))}"
            for field in stale_edit.changed_fields
        ]
        parts.append("Champs modifiés par l'autre personne, avec leur nouvelle valeur :\n" + "\n".join(items))
    else:
        parts.append("Aucun champ du formulaire n'a changé : le contact a pu être archivé ou restauré.")
    parts.append(
        "Vos valeurs sont toujours dans le formulaire. Rechargez la version actuelle "
        "(vos valeurs sont abandonnées) ou réappliquez vos valeurs par-dessus."
    )
    return "\n\n".join(parts)


def render_stale_edit(
    prefix: str, loaded_version_key: str, save: Callable[[], ContactDetail], *, field_errors_key: str
) -> ContactDetail | None:
    """Show the pending stale-edit report, if any, with its two buttons; return the contact when "Réappliquer" saved it.

    Draw it before the form. "Recharger" drops the loaded version, so the page refills the
    form from the database on the rerun. "Réappliquer" saves the typed values over the
    current version, and reports a newer conflict in turn if a third save came meanwhile.
    """
    stale_edit: StaleEdit | None = st.session_state.get(stale_edit_key(prefix))
    if stale_edit is None:
        return None

    st.error(_message(stale_edit), icon=":material/sync_problem:")
    reload_column, reapply_column = st.columns(2)
    with reload_column:
        reload = st.button(RELOAD_LABEL, key=f"{prefix}_stale_reload", icon=":material/refresh:")
    with reapply_column:
        reapply = st.button(REAPPLY_LABEL, key=f"{prefix}_stale_reapply", icon=":material/save:")

    if reload:
        st.session_state.pop(stale_edit_key(prefix), None)
        st.session_state.pop(loaded_version_key, None)
        st.rerun()

    if not reapply:
        return None

    st.session_state[loaded_version_key] = stale_edit.current_version
    st.session_state[loaded_values_key(prefix)] = stale_edit.current_values
    saved = run_save(prefix, save, field_errors_key=field_errors_key)
    if saved is None and (has_stale_edit(prefix) or st.session_state.get(field_errors_key)):
        st.rerun()
    return saved
