"""The administration and journal pages through AppTest on SQLite, and their services on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.actors import ADMIN, AGENT, READER
from tests.pages_support import (
    TEST_PASSWORD,
    Sessions,
    add_account,
    add_habitat,
    button,
    error_texts,
    grid,
    grid_frame,
    open_page,
    sign_in_as,
    values_of,
)
from trackoe.access_models import AuditEvent
from trackoe.access_views import AccountInput
from trackoe.errors import PermissionDeniedError
from trackoe.journal import JournalFilters
from trackoe.permissions import DENIED_MESSAGES, Permission, Role
from trackoe.services import accounts, auth, habitats, journal
from trackoe.ui.text import filters_digest

ADMINISTRATION_PAGE = "pages/administration.py"
JOURNAL_PAGE = "pages/journal.py"


def add_event(sessions: Sessions, occurred_at: dt.datetime, *, user_id: int = 7, username: str = "agent", action: str = "update") -> None:
    with sessions.begin() as session:
        session.add(
            AuditEvent(
                occurred_at=occurred_at, user_id=user_id, username=username, action=action,
                record_type="contact", record_id=1, contact_id=1, summary="Contact n° 1",
            )
        )


# Services, on SQLite and PostgreSQL


def test_journal_users_lists_accounts_then_system(sessions):
    add_account(sessions, "zoe", Role.LECTEUR)
    add_account(sessions, "Bruno", Role.AGENT)

    users = journal.journal_users(sessions, ADMIN)

    assert [user.username for user in users] == ["Bruno", "zoe", "système"]
    assert users[-1].user_id == 0


@pytest.mark.parametrize("actor", [AGENT, READER], ids=["agent", "lecteur"])
def test_journal_users_reserved_to_administrators(sessions, actor):
    with pytest.raises(PermissionDeniedError):
        journal.journal_users(sessions, actor)


@pytest.mark.parametrize(
    ("occurred_at", "paris_day"),
    [
        # 23:30 UTC is already the next day in Paris: 00:30 in winter, 01:30 in summer.
        (dt.datetime(2025, 1, 14, 23, 30, tzinfo=dt.UTC), dt.date(2025, 1, 15)),
        (dt.datetime(2025, 7, 14, 23, 30, tzinfo=dt.UTC), dt.date(2025, 7, 15)),
        (dt.datetime(2025, 7, 14, 21, 59, tzinfo=dt.UTC), dt.date(2025, 7, 14)),
    ],
)
def test_journal_date_filter_uses_paris_days(sessions, occurred_at, paris_day):
    add_event(sessions, occurred_at)

    on_day = journal.search_journal(sessions, ADMIN, JournalFilters(date_from=paris_day, date_to=paris_day), 1, 10)
    day_before = paris_day - dt.timedelta(days=1)
    on_day_before = journal.search_journal(sessions, ADMIN, JournalFilters(date_from=day_before, date_to=day_before), 1, 10)

    assert on_day.total == 1
    assert on_day_before.total == 0


def test_disabling_account_revokes_sessions(sessions):
    user_id = add_account(sessions, "bruno", Role.AGENT)
    token = auth.sign_in(sessions, "bruno", TEST_PASSWORD).token
    account = next(row for row in accounts.list_accounts(sessions, ADMIN) if row.id == user_id)

    accounts.update_account(
        sessions, ADMIN, user_id, AccountInput("bruno", "Bruno", "agent", is_active=False), expected_version=account.version
    )

    assert auth.resolve_session(sessions, token) is None


# Pages, on SQLite

REFUSALS = [
    pytest.param(ADMINISTRATION_PAGE, Role.LECTEUR, Permission.MANAGE_ACCOUNTS, id="administration-lecteur"),
    pytest.param(ADMINISTRATION_PAGE, Role.AGENT, Permission.MANAGE_ACCOUNTS, id="administration-agent"),
    pytest.param(JOURNAL_PAGE, Role.LECTEUR, Permission.VIEW_JOURNAL, id="journal-lecteur"),
    pytest.param(JOURNAL_PAGE, Role.AGENT, Permission.VIEW_JOURNAL, id="journal-agent"),
]


@pytest.mark.parametrize(("page", "role", "permission"), REFUSALS)
def test_page_refuses_non_administrators(app_sessions, page, role, permission):
    sign_in_as(app_sessions, role)

    at = open_page(page)

    assert not at.exception
    assert error_texts(at) == [DENIED_MESSAGES[permission]]
    assert len(at.main) == 1


@pytest.mark.parametrize(("role", "shown"), [(Role.ADMINISTRATEUR, True), (Role.AGENT, False), (Role.LECTEUR, False)])
def test_sidebar_administration_links(app_sessions, role, shown):
    sign_in_as(app_sessions, role)

    at = open_page()

    assert ("**Administration**" in values_of(at.sidebar.markdown)) is shown


def stored_state(at: AppTest) -> str:
    """Return the text of the whole session state, values of widgets without a key included."""
    # NOTE: reads Streamlit's private state object, because filtered_state leaves keyless widgets out.
    return repr(at.session_state._state)


def create_account(at: AppTest, username: str, role: str = "agent", *, portal: bool = False) -> AppTest:
    at.text_input(key="admin_create_username").input(username)
    at.text_input(key="admin_create_display_name").input(username.capitalize())
    at.selectbox(key="admin_create_role").set_value(role)
    if portal:
        at.checkbox(key="admin_create_portal").check()
    return button(at, "Créer le compte").click().run()


def test_admin_creates_account_once_shown(app_sessions):
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(ADMINISTRATION_PAGE)

    create_account(at, "bruno", portal=True)

    assert not at.exception
    assert len(at.code) == 1
    temporary_password = at.code[0].value
    assert len(temporary_password) >= 12
    assert any("ne sera plus affiché" in text for text in values_of(at.warning))
    signed_in = auth.sign_in(app_sessions, "bruno", temporary_password)
    assert signed_in.must_change_password is True
    assert signed_in.actor.can_view_portal is True
    assert temporary_password not in stored_state(at)

    at.run()

    assert len(at.code) == 0
    assert temporary_password not in stored_state(at)


def test_created_account_appears_in_table(app_sessions):
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(ADMINISTRATION_PAGE)

    create_account(at, "bruno", role="lecteur")

    table = at.dataframe[0].value.set_index("Identifiant")
    assert table.loc["bruno", "Rôle"] == "Lecteur"
    assert table.loc["bruno", "Mot de passe"] == "Provisoire"
    assert table.loc["bruno", "Dernière connexion"] == "Jamais"


def test_invalid_username_shows_field_error(app_sessions):
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(ADMINISTRATION_PAGE)

    create_account(at, "é")

    assert len(at.code) == 0
    assert any(text.startswith("L'identifiant doit compter 3 à 60 caractères") for text in error_texts(at))


def choose_account(at: AppTest, sessions: Sessions, username: str) -> int:
    user_id = next(row.id for row in accounts.list_accounts(sessions, ADMIN) if row.username == username)
    at.selectbox(key="admin_account_choice").set_value(user_id).run()
    return user_id


def test_admin_disables_account_from_page(app_sessions):
    agent_token = sign_in_as(app_sessions, Role.AGENT)
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(ADMINISTRATION_PAGE)
    user_id = choose_account(at, app_sessions, "agent")

    at.checkbox(key=f"admin_edit_{user_id}_1_active").uncheck()
    button(at, "Enregistrer le compte").click().run()

    assert auth.resolve_session(app_sessions, agent_token) is None
    assert values_of(at.success) == ["Le compte agent est enregistré."]
    assert at.dataframe[0].value.set_index("Identifiant").loc["agent", "Statut"] == "Désactivé"


def test_admin_changes_role_from_page(app_sessions):
    sign_in_as(app_sessions, Role.AGENT)
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(ADMINISTRATION_PAGE)
    user_id = choose_account(at, app_sessions, "agent")

    at.selectbox(key=f"admin_edit_{user_id}_1_role").set_value("lecteur")
    at.text_input(key=f"admin_edit_{user_id}_1_display_name").input("Arthur <b>Agent</b>")
    button(at, "Enregistrer le compte").click().run()

    account = next(row for row in accounts.list_accounts(app_sessions, ADMIN) if row.id == user_id)
    assert account.role is Role.LECTEUR
    assert account.display_name == "Arthur <b>Agent</b>"
    assert account.can_view_portal is False


def test_admin_cannot_demote_self(app_sessions):
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(ADMINISTRATION_PAGE)
    user_id = choose_account(at, app_sessions, "administrateur")

    at.selectbox(key=f"admin_edit_{user_id}_1_role").set_value("agent")
    button(at, "Enregistrer le compte").click().run()

    assert any("propres droits d'administrateur" in text for text in error_texts(at))
    assert next(row for row in accounts.list_accounts(app_sessions, ADMIN) if row.id == user_id).role is Role.ADMINISTRATEUR


def test_admin_resets_password_once_shown(app_sessions):
    agent_token = sign_in_as(app_sessions, Role.AGENT)
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(ADMINISTRATION_PAGE)
    user_id = choose_account(at, app_sessions, "agent")
    button(at, "Réinitialiser le mot de passe").click().run()
    assert len(at.code) == 0

    at.button(key=f"admin_reset_{user_id}_confirm").click().run()

    assert len(at.code) == 1
    temporary_password = at.code[0].value
    assert auth.resolve_session(app_sessions, agent_token) is None
    assert auth.sign_in(app_sessions, "agent", temporary_password).must_change_password is True
    assert temporary_password not in stored_state(at)

    at.run()

    assert len(at.code) == 0


def test_reset_cancel_keeps_password(app_sessions):
    sign_in_as(app_sessions, Role.AGENT)
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    at = open_page(ADMINISTRATION_PAGE)
    user_id = choose_account(at, app_sessions, "agent")
    button(at, "Réinitialiser le mot de passe").click().run()

    at.button(key=f"admin_reset_{user_id}_cancel").click().run()

    assert len(at.code) == 0
    assert auth.sign_in(app_sessions, "agent", TEST_PASSWORD).must_change_password is False


# Journal page


@pytest.fixture
def journal_data(app_sessions):
    """Return the session factory after two agents changed habitats: "agent" archives H1, "bruno" archives and restores H2."""
    agent = auth.resolve_session(app_sessions, sign_in_as(app_sessions, Role.AGENT)).actor
    add_account(app_sessions, "bruno", Role.AGENT)
    bruno = auth.sign_in(app_sessions, "bruno", TEST_PASSWORD).actor
    first = add_habitat(app_sessions, "H1", "Résidence Les Tilleuls")
    second = add_habitat(app_sessions, "H2", "Les Cèdres")
    habitats.set_habitat_archived(app_sessions, agent, first, True)
    habitats.set_habitat_archived(app_sessions, bruno, second, True)
    habitats.set_habitat_archived(app_sessions, bruno, second, False)
    # Signed in last, so that open_page runs as the administrateur.
    sign_in_as(app_sessions, Role.ADMINISTRATEUR)
    return app_sessions


def journal_rows(at: AppTest):
    return grid_frame(grid(at, "journal_grid_1"))


def test_journal_lists_entries(journal_data):
    at = open_page(JOURNAL_PAGE)

    frame = journal_rows(at)
    assert not at.exception
    assert list(frame["action_label"]) == ["Restauration", "Archivage", "Archivage"]
    assert list(frame["record_label"]) == ["Habitat", "Habitat", "Habitat"]
    assert values_of(at.markdown)[0] == "**3** entrées trouvées"


def test_journal_filters_by_action(journal_data):
    at = open_page(JOURNAL_PAGE)

    at.multiselect(key="journal_actions").select("restore").run()

    assert list(journal_rows(at)["action_label"]) == ["Restauration"]


def test_journal_filters_by_user(journal_data):
    at = open_page(JOURNAL_PAGE)

    at.selectbox(key="journal_user").set_value("bruno").run()

    frame = journal_rows(at)
    assert list(frame["username"]) == ["bruno", "bruno"]
    assert list(frame["action_label"]) == ["Restauration", "Archivage"]


def test_journal_filters_by_user_and_action(journal_data):
    at = open_page(JOURNAL_PAGE)

    at.selectbox(key="journal_user").set_value("bruno")
    at.multiselect(key="journal_actions").select("archive").run()

    frame = journal_rows(at)
    assert list(frame["username"]) == ["bruno"]
    assert list(frame["action_label"]) == ["Archivage"]


def test_journal_user_filter_from_url(journal_data):
    at = open_page(JOURNAL_PAGE, journal_user="agent · Agent")

    assert at.selectbox(key="journal_user").value == "agent"
    assert list(journal_rows(at)["username"]) == ["agent"]


def test_journal_filters_by_record(journal_data):
    at = open_page(JOURNAL_PAGE)
    second_id = next(row.id for row in habitats.search_habitats(journal_data, ADMIN, "Cèdres", 1, 5, include_archived=True).rows)

    at.selectbox(key="journal_record_type").set_value("habitat")
    at.number_input(key="journal_record_id").set_value(second_id).run()

    assert list(journal_rows(at)["record_id"]) == [str(second_id), str(second_id)]


def test_journal_filters_by_period(journal_data):
    add_event(journal_data, dt.datetime(2024, 5, 2, 10, 0, tzinfo=dt.UTC))
    at = open_page(JOURNAL_PAGE)

    at.date_input(key="journal_period").set_value((dt.date(2024, 5, 1), dt.date(2024, 5, 3))).run()

    frame = journal_rows(at)
    assert list(frame["occurred_at"]) == ["02/05/2024 12:00"]


def test_journal_pages_in_database(journal_data, monkeypatch):
    monkeypatch.setenv("TRACKOE_PAGE_SIZE", "25")
    for minute in range(60):
        add_event(journal_data, dt.datetime(2024, 5, 2, 10, minute, tzinfo=dt.UTC))
    at = open_page(JOURNAL_PAGE)
    first_page = journal_rows(at)

    at.session_state[f"journal_page_{filters_digest(JournalFilters())}"] = 3
    at.run()

    third_page = grid_frame(grid(at, "journal_grid_3"))
    assert len(first_page) == 25
    assert len(third_page) == 13
    assert set(first_page["id"]).isdisjoint(third_page["id"])
    assert "Page 3 sur 3 · 25 entrées par page" in values_of(at.caption)
