"""Names from Clio or the court become safe local file names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.filenames import MAX_NAME_BYTES, safe_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Conformed Copy.pdf", "Conformed Copy.pdf"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ('a/b\\c:d*e?f"g<h>i|j.pdf', "a_b_c_d_e_f_g_h_i_j.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1", "_lpt1"),
        ("  trailing dots... ", "trailing dots"),
        ("", "document"),
        (".pdf", "document.pdf"),
        ("tab\there\nnewline.pdf", "tab_here_newline.pdf"),
        ("Notice – Rejected (Order 1234567).pdf", "Notice – Rejected (Order 1234567).pdf"),
    ],
)
def test_examples(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_filename("É" * 400 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= MAX_NAME_BYTES


@given(st.text(max_size=500))
def test_any_input_gives_a_safe_name(raw: str) -> None:
    name = safe_filename(raw)
    assert name
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert name not in {".", ".."}
    assert not name.endswith((" ", "."))
    assert len(name.encode()) <= MAX_NAME_BYTES
