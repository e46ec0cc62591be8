"""Helpers for the page tests: seed data through the services, run pages with AppTest, read what they render."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button, Selectbox, UnknownElement

from trackoe.access_models import StaffUser
from trackoe.models import Dwelling, Habitat, Premises
from trackoe.passwords import hash_password
from trackoe.permissions import Role
from trackoe.services import auth
from trackoe.records import refresh_habitat_keys
from trackoe.services import contacts, links
from trackoe.validation import ContactInput, validate_link
from trackoe.views import ContactDetail
from tests.actors import AGENT

APP_PATH = Path(__file__).resolve().parent.parent / "app.py"

# More than AppTest's default of 3 seconds, because the first run imports Streamlit, pandas and the grid component.
RUN_TIMEOUT_SECONDS = 30

# Element types whose text Streamlit renders as Markdown.
MARKDOWN_TYPES = ("title", "header", "subheader", "markdown", "caption", "success", "error", "warning", "info", "page_link")

Sessions = sessionmaker[Session]

# Password of the accounts the page tests sign in with; a test value, not a secret.
TEST_PASSWORD = "Mot-de-passe-de-test-42"

# Session token that open_page gives AppTest, which cannot send the browser's cookie.
_default_token: list[str | None] = [None]


def clear_default_token() -> None:
    """Forget the token of the last `sign_in_as`, so open_page runs signed out until the next one."""
    _default_token[0] = None


def add_account(sessions: Sessions, username: str, role: Role, *, can_view_portal: bool = True) -> int:
    """Insert an active staff account with TEST_PASSWORD and no password change pending; return its id."""
    with sessions.begin() as session:
        user = StaffUser(
            username=username,
            username_key=username.casefold(),
            display_name=username.capitalize(),
            role=role.value,
            password_hash=hash_password(TEST_PASSWORD),
            is_active=True,
            can_view_portal=can_view_portal and role is not Role.LECTEUR,
            must_change_password=False,
        )
        session.add(user)
        session.flush()
        return user.id


def sign_in_as(sessions: Sessions, role: Role = Role.AGENT, *, can_view_portal: bool = True) -> str:
    """Create an account of `role` (once per database), sign it in, make it open_page's default and return the token."""
    username = f"{role.value}{'' if can_view_portal else '-sans-portail'}"
    with sessions.begin() as session:
        exists = session.query(StaffUser.id).filter_by(username_key=username).first() is not None
    if not exists:
        add_account(sessions, username, role, can_view_portal=can_view_portal)

    token = auth.sign_in(sessions, username, TEST_PASSWORD).token
    _default_token[0] = token
    return token


def add_habitat(
    sessions: Sessions,
    code: str,
    name: str,
    *,
    address_line: str | None = None,
    postcode: str | None = None,
    city: str | None = None,
    landlord_name: str | None = None,
    dwelling_references: tuple[str, ...] = (),
    premises_names: tuple[str, ...] = (),
) -> int:
    """Insert a habitat with its logements and locaux, and return its id."""
    with sessions.begin() as session:
        habitat = Habitat(
            code=code,
            name=name,
            address_line=address_line,
            postcode=postcode,
            city=city,
            landlord_name=landlord_name,
            dwelling_count=len(dwelling_references) or None,
        )
        refresh_habitat_keys(habitat)
        session.add(habitat)
        session.flush()
        for reference in dwelling_references:
            session.add(Dwelling(habitat_id=habitat.id, reference=reference))
        for premises_name in premises_names:
            session.add(Premises(habitat_id=habitat.id, name=premises_name))
        return habitat.id


def add_contact(sessions: Sessions, *, habitat_id: int | None = None, **fields: str) -> ContactDetail:
    """Create a contact through the service: multiple, or simple when `habitat_id` is given."""
    return contacts.create_contact(sessions, AGENT, ContactInput(**fields), habitat_id=habitat_id)


def add_link(sessions: Sessions, contact_id: int, habitat_id: int, role: str = "Gardien") -> int:
    """Link a contact multiple to a habitat through the service, and return the link's id."""
    return links.add_link(sessions, AGENT, contact_id, validate_link(habitat_id, role, start_date=dt.date(2024, 1, 1)))


def open_page(page: str | None = None, *, token: str | None = None, **query_params: str) -> AppTest:
    """Run the router, then `page` (a path such as "pages/contact.py") with `query_params`.

    The run is signed in with `token`, or else with the token of the last `sign_in_as`.
    """
    at = AppTest.from_file(str(APP_PATH), default_timeout=RUN_TIMEOUT_SECONDS)
    signed_in_token = token or _default_token[0]
    if signed_in_token is not None:
        at.session_state["auth_token"] = signed_in_token
    at.run()
    if page is None:
        return at

    # switch_page resolves the page against the pages the first run registered.
    at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(query_params)
    return at.run()


def grid(at: AppTest, key: str) -> UnknownElement:
    """Return the AG Grid component with this key, which AppTest represents as an unknown element."""
    matches = [node for node in at.main if isinstance(node, UnknownElement) and node.key == key]
    assert len(matches) == 1, f"expected one grid with key {key!r}, found {len(matches)}"
    return matches[0]


def grid_keys(at: AppTest) -> list[str]:
    return [node.key for node in at.main if isinstance(node, UnknownElement)]


def grid_frame(element: UnknownElement) -> pd.DataFrame:
    """Return the rows a grid received, decoded from the Arrow data of its first special argument."""
    arrow_bytes = element.proto.special_args[0].arrow_dataframe.data.data
    return pa.ipc.open_stream(arrow_bytes).read_all().to_pandas()


def button(at: AppTest, label: str) -> Button:
    """Return the one button (form submit buttons included) with this label."""
    matches = [node for node in at.button if node.label == label]
    assert len(matches) == 1, f"expected one button labelled {label!r}, found {len(matches)}"
    return matches[0]


def selectbox_labelled(at: AppTest, label: str) -> Selectbox:
    """Return the one selectbox with this label, for selectboxes whose key changes with their options."""
    matches = [node for node in at.selectbox if node.label == label]
    assert len(matches) == 1, f"expected one selectbox labelled {label!r}, found {len(matches)}"
    return matches[0]


def values_of(elements) -> list[str]:
    return [element.value for element in elements]


def unescape_markdown(text: str) -> str:
    """Return Markdown text as the user reads it: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", text)


def error_texts(at: AppTest) -> list[str]:
    """Return the error messages as the user reads them."""
    return [unescape_markdown(element.value) for element in at.error]


def count_text(at: AppTest) -> str:
    """Return the list's count line ("2 contacts trouvés") without its Markdown bold marks."""
    lines = [value.replace("**", "") for value in values_of(at.markdown) if "trouvé" in value]
    assert len(lines) == 1, f"expected one count line, found {lines}"
    return lines[0]


def markdown_texts(at: AppTest) -> list[str]:
    """Return the source text of every element that Streamlit renders as Markdown, widget labels included."""
    texts = []
    for node in at.main:
        node_type = getattr(node, "type", None)
        if node_type in MARKDOWN_TYPES:
            texts.append(node.value)
        label = getattr(node, "label", None)
        if isinstance(label, str):
            texts.append(label)
    return texts


def rendered_texts(at: AppTest) -> list[str]:
    """Return every text the page shows: element values, labels, option labels and grid cells."""
    texts: list[str] = []
    for node in at.main:
        if isinstance(node, UnknownElement):
            frame = grid_frame(node)
            texts.extend(str(cell) for column in frame.columns for cell in frame[column] if not pd.isna(cell))
            texts.extend(str(column) for column in frame.columns)
            continue

        for attribute in ("label", "placeholder", "help"):
            text = getattr(node, attribute, None)
            if isinstance(text, str):
                texts.append(text)
        options = getattr(node, "options", None)
        if isinstance(options, list):
            # A select widget shows its formatted options, not the Python values behind them.
            texts.extend(str(option) for option in options)
            continue

        value = getattr(node, "value", None)
        if isinstance(value, str):
            texts.append(value)
    return texts
