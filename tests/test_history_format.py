"""French formatting of journal values in the Historique tabs and the journal page."""

from __future__ import annotations

import pytest

from trackoe.ui.history import format_changes, format_value


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("phone_mobile", "+33612345678", "06 12 34 56 78"),
        ("phone_landline", "+33492510000", "04 92 51 00 00"),
        ("phone_mobile", "+442079460958", "+44 20 7946 0958"),
        ("is_primary", True, "Oui"),
        ("start_date", "2024-01-31", "31/01/2024"),
        ("contact_type", "gardien", "Gardien"),
        ("last_name", "<b>Durand</b>", "<b>Durand</b>"),
    ],
)
def test_journal_value_reads_as_on_screen(field, value, expected):
    text = format_value(field, value)

    assert text == expected


def test_phone_change_reads_as_typed():
    text = format_changes({"phone_mobile": [None, "+33612345678"]})

    assert text.endswith("→ 06 12 34 56 78")
