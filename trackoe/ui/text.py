"""Safe display of user text inside Streamlit elements that interpret Markdown."""

import hashlib
import re

# Characters that Markdown (and Streamlit's colour and emoji shortcodes) give a meaning to.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def md(text: object) -> str:
    """Return `text` with every Markdown control character escaped, so it displays exactly as typed.

    NOTE: Streamlit still turns a bare "www.exemple.fr" or "http://…" into a link after
    escaping; the link shows the typed text and opens only when clicked.
    """
    if text is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def count_text(count: int, singular: str, plural: str, none: str) -> str:
    """Return a French count in Markdown: "Aucun contact trouvé", "**1** contact trouvé", "**2 279** contacts trouvés"."""
    if count == 0:
        return none
    digits = f"{count:,}".replace(",", "\u202f")
    return f"**{digits}** {singular if count == 1 else plural}"


def plural(count: int, singular: str, plural_form: str) -> str:
    """Return "1 rattachement" or "3 rattachements" (French: 0 takes the singular)."""
    return f"{count} {singular if count <= 1 else plural_form}"


def filters_digest(filters: object) -> str:
    """Return a short stable digest of a search's filters, to key widgets that belong to one search."""
    return hashlib.sha1(repr(filters).encode()).hexdigest()[:12]
