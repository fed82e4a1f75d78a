"""Court file names: short enough, plain characters, still readable."""

from __future__ import annotations

import pytest

from app.services.intake.names import court_file_name


@pytest.mark.parametrize(
    ("display", "limit", "expected", "changed"),
    [
        ("Motion to Compel.docx", 50, "Motion to Compel.pdf", False),
        ("Motion to Compel.pdf", 50, "Motion to Compel.pdf", False),
        ("Exhibit A (Lease).pdf", 50, "Exhibit A (Lease).pdf", False),
        ("no extension at all", 50, "no extension at all.pdf", False),
        ("Reply: re/ Opposition?.pdf", 50, "Reply re Opposition.pdf", True),
        ("Café Société — Invoice.pdf", 50, "Cafe Societe Invoice.pdf", True),
        ("申立書.pdf", 50, "Document.pdf", True),
        ("..hidden.pdf", 50, "hidden.pdf", True),
        ("a" * 80 + ".pdf", 50, "a" * 46 + ".pdf", True),
        ("Declaration of Jane Doe in Support of Motion.pdf", 30, "Declaration of Jane Doe.pdf", True),
    ],
)
def test_court_file_name(display: str, limit: int, expected: str, changed: bool) -> None:
    fixed, notice = court_file_name(display, limit)
    assert fixed == expected
    assert len(fixed) <= limit
    assert (notice is not None) == changed
    if notice is not None:
        assert notice.message.startswith(f"“{display}” will be filed as “{expected}”: ")


def test_room_is_left_for_the_word_copy_suffix() -> None:
    fixed, notice = court_file_name("x" * 50 + ".docx", 50, longest_suffix=".docx")
    assert fixed == "x" * 45 + ".pdf"
    assert notice is not None
    assert notice.message.endswith("the court accepts names of at most 50 characters.")
