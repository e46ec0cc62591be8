"""Input size limits, defined once: field lengths, search text, import files. Documented in docs/limits.md."""

from __future__ import annotations

from trackoe.models import COMMENT_LENGTH, NAME_LENGTH, TEXT_LENGTH
from trackoe.normalise import MAX_SEARCH_TERMS, MAX_SEARCH_TEXT_LENGTH

__all__ = [
    "COMMENT_LENGTH",
    "HABITAT_CODE_LENGTH",
    "IMPORT_FILE_MAX_BYTES",
    "IMPORT_FILE_MAX_MEGABYTES",
    "IMPORT_MAX_ROWS",
    "MAX_SEARCH_TERMS",
    "NAME_LENGTH",
    "PHONE_INPUT_LENGTH",
    "SEARCH_TEXT_LENGTH",
    "TEXT_LENGTH",
]

# Characters of a habitat code (column habitat.code).
HABITAT_CODE_LENGTH = 40
# Characters the phone fields accept, enough for "+33 (0)6 12 34 56 78" and foreign formats.
PHONE_INPUT_LENGTH = 30
# Characters of a search box. Longer text is cut to this length before searching, and at
# most MAX_SEARCH_TERMS (20) words of it are used.
SEARCH_TEXT_LENGTH = MAX_SEARCH_TEXT_LENGTH
# Size of one habitats CSV file, in megabytes and in bytes. The 4,174-row Paris open-data
# file takes 1.1 MB, so 20 MB leaves room for about 75,000 such rows.
IMPORT_FILE_MAX_MEGABYTES = 20
IMPORT_FILE_MAX_BYTES = IMPORT_FILE_MAX_MEGABYTES * 1024 * 1024
# Data rows (the header and empty lines not counted) of one habitats CSV file.
IMPORT_MAX_ROWS = 50_000
