"""Helpers of the real-browser tests: Chromium's launch flags, the module skip, signing in.

Starting the app server is tests/app_server.running_app, shared with the HTTP tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
GRID_FRAME = 'iframe[title="st_aggrid.AgGrid.agGrid"]'
STEP_TIMEOUT_MS = 30_000

CHROMIUM_LAUNCH_ARGS = {
    "executable_path": str(CHROMIUM),
    "args": [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ],
}


def skip_module_without_chromium() -> None:
    """Skip the calling test module when Debian's Chromium is missing; call it at module level."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Browser tests skipped: /usr/bin/chromium is missing (apt-get install -y chromium; bash .ci/run installs it).",
            allow_module_level=True,
        )


def wait_for_script_end(page) -> None:
    """Wait until Streamlit has finished its current run, so typed text goes to the final widgets."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def sign_in(page, app_url: str, username: str, password: str, *, next_path: str = "/") -> None:
    """Sign in through the sign-in page, as a person would, and wait for the app to finish its first run."""
    page.goto(f"{app_url}{next_path}")
    page.wait_for_url("**/connexion**")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.locator('[data-testid="stApp"]').wait_for()
    wait_for_script_end(page)
