"""Page files and URL paths, so pages can link to each other by name."""

import re

CONTACTS_LIST_PAGE = "pages/contacts_list.py"
CONTACT_PAGE = "pages/contact.py"
HABITATS_LIST_PAGE = "pages/habitats_list.py"
HABITAT_PAGE = "pages/habitat.py"

# Query parameters that carry record ids, so a copied URL opens the same record.
CONTACT_ID_PARAM = "contact_id"
HABITAT_ID_PARAM = "habitat_id"

MULTIPLE_CONTACT_ICON = "👥"
SIMPLE_CONTACT_ICON = "👤"
EDIT_ICON = "✏️"
OPEN_HABITAT_ICON = "🏠"

_RECORD_ID = re.compile(r"[0-9]{1,12}")

# Message shown once on the next page after a redirect (after a creation, for example).
FLASH_KEY = "flash_message"


def query_id(raw: str | None) -> int | None:
    """Return a positive record id read from a query parameter, or None when it is missing or invalid."""
    if raw is None:
        return None
    text = raw.strip()
    # ASCII digits only: str.isdigit accepts "²" or "３", which int() rejects or misreads.
    if not _RECORD_ID.fullmatch(text):
        return None
    value = int(text)
    return value if value > 0 else None
