"""The Historique tab of a contact or a habitat, and the French formatting of journal entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from trackoe.domain import CONTACT_TYPE_LABELS, ContactType
from trackoe.access_views import JournalRow
from trackoe.journal import PARIS
from trackoe.normalise import format_phone
from trackoe.permissions import ROLE_LABELS, Actor, Role
from trackoe.services import journal
from trackoe.services.transaction import Sessions
from trackoe.ui.errors import run_action
from trackoe.ui.text import plural

HISTORY_PAGE_SIZE = 20
EMPTY_VALUE = "(vide)"
CONTACT_TYPE_VALUES = frozenset(contact_type.value for contact_type in ContactType)
ROLE_VALUES = frozenset(role.value for role in Role)

# French labels of the fields that journal entries name. Other fields show their code name.
FIELD_LABELS: dict[str, str] = {
    "contact_type": "Type de contact",
    "civility": "Civilité",
    "last_name": "Nom",
    "first_name": "Prénom",
    "company_name": "Raison sociale",
    "phone_landline": "Téléphone fixe",
    "phone_mobile": "Téléphone mobile",
    "email": "E-mail",
    "address_line1": "Numéro et voie",
    "address_line2": "Complément d'adresse",
    "postcode": "Code postal",
    "city": "Commune",
    "comment": "Commentaire",
    "role": "Rôle",
    "dwelling_id": "Logement n°",
    "premises_id": "Local n°",
    "is_primary": "Principal",
    "start_date": "Date de début",
    "end_date": "Date de fin",
    "code": "Code",
    "name": "Nom",
    "address_line": "Adresse",
    "landlord_name": "Bailleur",
    "dwelling_count": "Nombre de logements",
    "display_name": "Nom affiché",
    "is_active": "Compte actif",
    "can_view_portal": "Voir les identifiants de l'espace Infinitri",
    "identifier": "Identifiant",
    "status": "Statut",
}

HISTORY_COLUMNS = {
    "occurred_at": "Date",
    "username": "Utilisateur",
    "action_label": "Action",
    "summary": "Résumé",
    "changes": "Champs modifiés",
}


PHONE_FIELDS = frozenset({"phone_landline", "phone_mobile"})


def format_moment(moment: dt.datetime) -> str:
    """Return a stored time as Paris local time, "14/03/2025 09:05", taking a naive time (from SQLite) as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def format_value(field: str, value: object, record_type: str = "") -> str:
    """Return one journal value as French text: "Oui"/"Non", dates as 31/12/2024, codes as their labels."""
    if value is None or value == "":
        return EMPTY_VALUE
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if field == "contact_type" and value in CONTACT_TYPE_VALUES:
        return CONTACT_TYPE_LABELS[ContactType(value)]
    if field == "role" and record_type == "account" and value in ROLE_VALUES:
        return ROLE_LABELS[Role(value)]
    if field in PHONE_FIELDS and isinstance(value, str):
        return format_phone(value) or value
    if field.endswith("_date") and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def format_changes(changes: Mapping[str, list], record_type: str = "") -> str:
    """Return the changed fields as "champ : ancien → nouveau", one field after another, separated by " ; "."""
    parts = []
    for field, (old, new) in changes.items():
        label = FIELD_LABELS.get(field, field)
        parts.append(f"{label} : {format_value(field, old, record_type)} → {format_value(field, new, record_type)}")
    return " ; ".join(parts)


def journal_frame(rows: list[JournalRow]) -> pd.DataFrame:
    """Return journal rows as a DataFrame of French texts, with the entry's id in an `id` column."""
    return pd.DataFrame(
        [
            {
                "id": row.id,
                "occurred_at": format_moment(row.occurred_at),
                "username": row.username,
                "action_label": row.action_label,
                "record_label": row.record_label,
                "record_id": str(row.record_id) if row.record_id is not None else "",
                "summary": row.summary,
                "changes": format_changes(row.changes, row.record_type),
            }
            for row in rows
        ],
        columns=["id", "occurred_at", "username", "action_label", "record_label", "record_id", "summary", "changes"],
    )


def render_history(
    sessions: Sessions,
    actor: Actor,
    *,
    contact_id: int | None = None,
    habitat_id: int | None = None,
    key_prefix: str,
) -> None:
    """Draw the journal entries of one contact or one habitat, newest first, paged in the database.

    Give exactly one of `contact_id` and `habitat_id`. The table shows every value as plain
    text, so HTML or Markdown typed into a record stays inert.
    """
    page_key = f"{key_prefix}_history_page"
    result = run_action(
        lambda: journal.record_history(
            sessions,
            actor,
            contact_id=contact_id,
            habitat_id=habitat_id,
            page=st.session_state.get(page_key, 1),
            page_size=HISTORY_PAGE_SIZE,
        ),
        context="history.record_history",
    )
    if result is None:
        return
    if result.total == 0:
        st.info("Aucune modification n'est enregistrée pour cette fiche.")
        return

    st.caption(plural(result.total, "entrée du journal", "entrées du journal") + ", de la plus récente à la plus ancienne.")
    frame = journal_frame(result.rows)[list(HISTORY_COLUMNS)].rename(columns=HISTORY_COLUMNS)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=f"{key_prefix}_history_table",
        column_config={
            "Date": st.column_config.TextColumn(width="small"),
            "Champs modifiés": st.column_config.TextColumn(width="large"),
        },
    )
    if result.page_count > 1:
        st.caption(f"Page {result.page} sur {result.page_count} · {HISTORY_PAGE_SIZE} entrées par page")
        st.pagination(result.page_count, key=page_key)
