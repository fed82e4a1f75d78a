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
        # Windows device names beyond CON/PRN/AUX/NUL/COM1-9/LPT1-9
        ("COM0.pdf", "_COM0.pdf"),
        ("lpt0", "_lpt0"),
        ("COM¹.pdf", "_COM¹.pdf"),
        ("LPT².txt", "_LPT².txt"),
        ("com³", "_com³"),
        ("CONIN$.pdf", "_CONIN$.pdf"),
        ("conout$", "_conout$"),
        ("COM10.pdf", "COM10.pdf"),  # not a device
        # bidirectional controls that disguise an extension ("Invoice_fdp.exe" shown as "...exe.pdf")
        ("Invoice\u202efdp.exe", "Invoicefdp.exe"),
        (
            "a\u2066b\u2067c\u2068d\u2069e\u202af\u202bg\u202ch\u202di\u200ej\u200fk\u061cl.pdf",
            "abcdefghijkl.pdf",
        ),
        ("\u202e", "document"),
    ],
)
def test_examples(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_filename("É" * 400 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= MAX_NAME_BYTES


BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@given(st.text(max_size=500))
def test_any_input_gives_a_safe_name(raw: str) -> None:
    name = safe_filename(raw)
    assert name
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert name not in {".", ".."}
    assert not name.endswith((" ", "."))
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert not set(name) & BIDI_CONTROLS
