"""The PDF checks on their own: fast on long documents, and never a crash on mangled bytes."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.intake import CourtLimits, Refusal, RefusalKind
from app.services.intake.pdfcheck import PdfReport, check_pdf
from sandbox.seed.files import make_fillable_pdf, make_pdf, seed_file_bytes
from sandbox.seed.firm import SeedFile
from tests.services.intake import craft
from tests.services.intake.conftest import SAN_DIEGO

_VALID = make_pdf("Fuzzed Motion", 2)


def _outcome(path: Path, name: str, limits: CourtLimits) -> PdfReport | Refusal:
    try:
        return check_pdf(path, name, limits)
    except Refusal as refusal:
        return refusal


def test_2000_pages_checked_within_budget() -> None:
    path = seed_file_bytes(SeedFile("Transcript.pdf", "large_pdf", 2000))
    check_pdf(path, "Transcript.pdf", SAN_DIEGO)  # warm the page cache and the imports
    times = []
    for _ in range(7):
        started = time.perf_counter()
        report = check_pdf(path, "Transcript.pdf", SAN_DIEGO)
        times.append(time.perf_counter() - started)
    assert report.pages == 2000
    # The design budget is 100 ms; leave room for a loaded test machine.
    assert statistics.median(times) < 0.3


def test_text_is_sampled_from_the_middle_and_end_too(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pdf"
    path.write_bytes(make_pdf("Only Text Pages", 5))
    assert check_pdf(path, "mixed.pdf", SAN_DIEGO).notices == ()


def test_nested_page_tree_finds_sample_pages(tmp_path: Path) -> None:
    page = "<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 612 792] >>"
    path = tmp_path / "nested.pdf"
    path.write_bytes(
        craft.raw_pdf(
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Count 3 /Kids [3 0 R 4 0 R] >>",
            "<< /Type /Pages /Parent 2 0 R /Count 2 /Kids [5 0 R 6 0 R] >>",
            "<< /Type /Pages /Parent 2 0 R /Count 1 /Kids [7 0 R] >>",
            page.format(parent=3),
            page.format(parent=3),
            page.format(parent=4),
        )
    )
    report = check_pdf(path, "nested.pdf", SAN_DIEGO)  # its sample pages found: no refusal
    assert report.pages == 3
    assert report.notices == ()  # blank pages (no font, no image) are not scans


def test_form_with_no_fields_left_is_not_fillable(tmp_path: Path) -> None:
    path = tmp_path / "flattened.pdf"
    path.write_bytes(
        craft.raw_pdf(
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] >> >>",
            "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        )
    )
    assert check_pdf(path, "flattened.pdf", SAN_DIEGO).pages == 1


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32), st.integers(1, 40))
def test_mangled_pdfs_never_crash(tmp_path: Path, seed: int, flips: int) -> None:
    rng = random.Random(seed)
    data = bytearray(rng.choice([_VALID, make_fillable_pdf("Form", 1) if seed % 7 == 0 else _VALID]))
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    if seed % 3 == 0:
        del data[rng.randrange(len(data)) :]
    path = tmp_path / f"mangled-{seed}.pdf"
    path.write_bytes(bytes(data))
    outcome = _outcome(path, "mangled.pdf", SAN_DIEGO)
    if isinstance(outcome, Refusal):
        assert outcome.kind in {
            RefusalKind.DAMAGED,
            RefusalKind.NO_PAGES,
            RefusalKind.FILLABLE_FORM,
            RefusalKind.EMPTY,
        }
        assert outcome.reason.startswith("“mangled.pdf” ")
    else:
        assert outcome.pages >= 1


@pytest.mark.parametrize(("limit", "accepted"), [(len(_VALID), True), (len(_VALID) - 1, False)])
def test_size_limit_is_inclusive(tmp_path: Path, limit: int, accepted: bool) -> None:
    path = tmp_path / "edge.pdf"
    path.write_bytes(_VALID)
    court = CourtLimits("Superior Court of California, County of Orange", limit, 250)
    outcome = _outcome(path, "edge.pdf", court)
    if accepted:
        assert isinstance(outcome, PdfReport)
    else:
        assert isinstance(outcome, Refusal)
        assert outcome.kind is RefusalKind.TOO_LARGE
        assert "the Superior Court of California, County of Orange accepts at most" in outcome.reason


_IMAGE = (
    "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
    "/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream"
)


def _one_page(resources: str, content: bytes = b"") -> bytes:
    return craft.raw_pdf(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources {resources} /Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n" + content.decode("latin-1") + "\nendstream",
        _IMAGE,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    )


SCAN = "<< /XObject << /Im1 5 0 R >> >>"
SCAN_WITH_STAMP = "<< /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >>"


@pytest.mark.parametrize(
    ("label", "resources", "content", "warned"),
    [
        ("an image and no font: a scan", SCAN, b"q 612 0 0 792 0 0 cm /Im1 Do Q", True),
        ("an image and a stamp of text", SCAN_WITH_STAMP, b"/Im1 Do BT /F1 9 Tf 72 20 Td (p. 4) Tj ET", True),
        (
            "an image and a text layer",
            SCAN_WITH_STAMP,
            b"/Im1 Do BT /F1 9 Tf 72 20 Td (Declaration of Counsel in support of the motion) Tj ET",
            False,
        ),
        ("text and no image", "<< /Font << /F1 6 0 R >> >>", b"BT /F1 9 Tf 72 20 Td (x) Tj ET", False),
    ],
)
def test_the_scanned_page_warning_goes_by_fonts_images_and_text(
    tmp_path: Path, label: str, resources: str, content: bytes, warned: bool
) -> None:
    path = tmp_path / "page.pdf"
    path.write_bytes(_one_page(resources, content))
    kinds = [n.kind.value for n in check_pdf(path, "page.pdf", SAN_DIEGO).notices]
    assert ("no_text_layer" in kinds) is warned, label


def test_text_that_cannot_be_extracted_is_unknown_not_a_scan(tmp_path: Path, monkeypatch) -> None:
    from pypdf import PageObject

    def broken(self: PageObject, *args: object, **kwargs: object) -> str:
        raise KeyError("/ToUnicode")

    monkeypatch.setattr(PageObject, "extract_text", broken)
    path = tmp_path / "page.pdf"
    path.write_bytes(_one_page(SCAN_WITH_STAMP, b"/Im1 Do BT /F1 9 Tf 72 20 Td (Declaration) Tj ET"))
    assert check_pdf(path, "page.pdf", SAN_DIEGO).notices == ()
