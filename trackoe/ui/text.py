"""Safe display of user text inside Streamlit elements that interpret Markdown."""

import re

# Characters that Markdown (and Streamlit's colour and emoji shortcodes) give a meaning to.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md(text: object) -> str:
    """Return `text` with every Markdown control character escaped, so it displays exactly as typed."""
    if text is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
