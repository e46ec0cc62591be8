"""The rattachements block of a contact multiple: list, add, end and remove links."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from trackoe.domain import LINK_ROLES
from trackoe.normalise import search_key
from trackoe.records import contact_type_label
from trackoe.permissions import Actor
from trackoe.services import habitats, links
from trackoe.services.transaction import Sessions
from trackoe.ui.errors import run_action, show_field_error
from trackoe.ui.grid import GridColumn, show_grid
from trackoe.ui.text import md, plural
from trackoe.ui.routes import FLASH_KEY, HABITAT_ID_PARAM, HABITAT_PAGE, OPEN_HABITAT_ICON
from trackoe.validation import validate_link
from trackoe.views import ContactDetail, LinkView

LINK_COLUMNS = [
    GridColumn("status", "Statut", width=150),
    GridColumn("habitat_code", "Code", width=120),
    GridColumn("habitat_name", "Habitat", width=230),
    GridColumn("habitat_address", "Adresse", width=280),
    GridColumn("target", "Logement ou local", width=160),
    GridColumn("role", "Rôle", width=160),
    GridColumn("since", "Depuis le", width=110),
    GridColumn("primary", "Principal", width=100),
]


def _date_label(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def _link_label(link: LinkView) -> str:
    target = f" · {link.target}" if link.target else ""
    return f"{link.habitat_code} · {link.habitat_name}{target} · {link.role}"


def _links_frame(link_views: list[LinkView]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": link.id,
                "status": "En cours" if link.is_current else f"Terminé le {_date_label(link.end_date)}",
                "habitat_code": link.habitat_code,
                "habitat_name": link.habitat_name,
                "habitat_address": link.habitat_address,
                "target": link.target,
                "role": link.role,
                "since": _date_label(link.start_date),
                "primary": "Oui" if link.is_primary and link.is_current else "",
            }
            for link in link_views
        ],
        columns=["id", *(column.field for column in LINK_COLUMNS)],
    )


def render_links_section(sessions: Sessions, actor: Actor, contact: ContactDetail, *, can_edit: bool = True) -> None:
    """Draw the contact's links with a way to open each habitat, then, when `can_edit`, the forms that change them."""
    current = [link for link in contact.links if link.is_current]
    ended_count = len(contact.links) - len(current)

    st.subheader("Habitats rattachés")
    st.caption(
        f"{plural(len(current), 'rattachement en cours', 'rattachements en cours')}, "
        f"{plural(ended_count, 'terminé conservé', 'terminés conservés')} en historique. "
        f"Cliquez sur {OPEN_HABITAT_ICON} pour ouvrir la fiche habitat."
    )

    if contact.links:
        opened_link_id = show_grid(
            _links_frame(contact.links),
            LINK_COLUMNS,
            key=f"contact_{contact.id}_links_grid",
            action_icon=OPEN_HABITAT_ICON,
            action_tooltip="Ouvrir la fiche habitat",
            height=min(520, 90 + 42 * len(contact.links)),
        )
        if opened_link_id is not None:
            habitat_id = next((link.habitat_id for link in contact.links if link.id == opened_link_id), None)
            if habitat_id is None:
                st.warning("Ce rattachement n'existe plus. La liste vient d'être mise à jour.")
            else:
                st.switch_page(HABITAT_PAGE, query_params={HABITAT_ID_PARAM: str(habitat_id)})
    else:
        st.info("Ce contact n'est rattaché à aucun habitat.")

    if not can_edit:
        return
    left, right = st.columns(2)
    with left:
        _render_add_link(sessions, actor, contact)
    with right:
        _render_change_link(sessions, actor, contact, current)


def _render_add_link(sessions: Sessions, actor: Actor, contact: ContactDetail) -> None:
    prefix = f"contact_{contact.id}_add_link"
    errors = st.session_state.get(f"{prefix}_errors", {})

    # After a link is added, the next link starts from an empty form (widgets reset before they are drawn).
    if st.session_state.pop(f"{prefix}_reset", False):
        for key in [key for key in st.session_state if str(key).startswith(prefix)]:
            del st.session_state[key]

    with st.container(border=True):
        st.markdown("**Ajouter un rattachement**")
        search = st.text_input(
            "Rechercher un habitat",
            key=f"{prefix}_search",
            placeholder="Code, nom ou adresse",
            max_chars=200,
        )
        matches = run_action(lambda: habitats.pick_habitats(sessions, actor, search), context="links.pick") or []
        if search.strip() and not matches:
            st.warning("Aucun habitat ne correspond à cette recherche.")

        habitat = st.selectbox(
            "Habitat",
            matches,
            # The options change with the search text, so the key does too: a kept key would keep an old choice.
            key=f"{prefix}_habitat_{search_key(search)}",
            index=0 if matches else None,
            placeholder="Tapez d'abord une partie du nom, du code ou de l'adresse",
            format_func=lambda row: f"{row.code} · {row.name} · {row.address} {row.postcode} {row.city}".strip(),
        )
        show_field_error(errors, "habitat_id")

        targets = []
        if habitat is not None:
            detail = run_action(lambda: habitats.get_habitat(sessions, actor, habitat.id), context="links.targets")
            if detail is not None:
                targets = [*detail.dwellings, *detail.premises]
        target = st.selectbox(
            "Logement ou local (facultatif)",
            [None, *targets],
            key=f"{prefix}_target_{habitat.id if habitat is not None else 0}",
            format_func=lambda option: "Tout l'habitat" if option is None else option.label,
        )
        show_field_error(errors, "dwelling_id")
        show_field_error(errors, "premises_id")

        default_role = contact_type_label(contact.contact_type)
        role = st.selectbox(
            "Rôle",
            LINK_ROLES,
            key=f"{prefix}_role",
            index=LINK_ROLES.index(default_role) if default_role in LINK_ROLES else 0,
        )
        show_field_error(errors, "role")
        is_primary = st.checkbox("Contact principal pour ce rôle", key=f"{prefix}_primary")
        start_date = st.date_input("Depuis le", key=f"{prefix}_start", value=dt.date.today(), format="DD/MM/YYYY")

        if st.button("Ajouter le rattachement", key=f"{prefix}_submit", icon=":material/add_link:"):
            st.session_state.pop(f"{prefix}_errors", None)
            link_id = run_action(
                lambda: links.add_link(
                    sessions,
                    actor,
                    contact.id,
                    validate_link(
                        habitat.id if habitat is not None else None,
                        role,
                        dwelling_id=target.id if target is not None and target.kind == "dwelling" else None,
                        premises_id=target.id if target is not None and target.kind == "premises" else None,
                        is_primary=is_primary,
                        start_date=start_date,
                    ),
                ),
                context="links.add",
                field_errors_key=f"{prefix}_errors",
            )
            if link_id is not None:
                st.session_state[f"{prefix}_reset"] = True
                st.session_state[FLASH_KEY] = f"Le contact est rattaché à l'habitat {md(habitat.code)}."
                st.rerun()
            elif st.session_state.get(f"{prefix}_errors"):
                # The field messages are drawn above the button, so they need another run to show.
                st.rerun()


def _render_change_link(sessions: Sessions, actor: Actor, contact: ContactDetail, current: list[LinkView]) -> None:
    prefix = f"contact_{contact.id}_change_link"
    errors_key = f"{prefix}_errors"
    errors = st.session_state.get(errors_key, {})

    with st.container(border=True):
        st.markdown("**Terminer ou supprimer un rattachement**")
        if not current:
            st.caption("Aucun rattachement en cours.")
            return

        link = st.selectbox("Rattachement", current, key=f"{prefix}_link", format_func=_link_label)
        end_date = st.date_input("Date de fin", key=f"{prefix}_end", value=dt.date.today(), format="DD/MM/YYYY")
        show_field_error(errors, "end_date")

        if st.button("Terminer ce rattachement", key=f"{prefix}_end_submit", icon=":material/event_busy:"):
            st.session_state.pop(errors_key, None)
            done = run_action(
                lambda: links.end_link(sessions, actor, contact.id, link.id, end_date) or True,
                context="links.end",
                field_errors_key=errors_key,
            )
            if not done and st.session_state.get(errors_key):
                st.rerun()
            if done:
                st.session_state[FLASH_KEY] = "Le rattachement est terminé ; il reste visible dans l'historique."
                st.rerun()

        st.caption("Supprimer efface le rattachement sans historique : réservé aux erreurs de saisie.")
        if st.button("Supprimer (saisi par erreur)", key=f"{prefix}_remove", icon=":material/delete:"):
            _confirm_removal(sessions, actor, contact.id, link)


@st.dialog("Supprimer ce rattachement ?")
def _confirm_removal(sessions: Sessions, actor: Actor, contact_id: int, link: LinkView) -> None:
    st.markdown(f"Le rattachement « {md(_link_label(link))} » sera supprimé sans laisser d'historique.")
    if st.button("Supprimer définitivement", type="primary", key="contact_remove_link_confirm"):
        done = run_action(lambda: links.remove_link(sessions, actor, contact_id, link.id) or True, context="links.remove")
        if done:
            st.session_state[FLASH_KEY] = "Le rattachement a été supprimé."
            st.rerun()
