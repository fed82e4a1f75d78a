"""The seed file generators: every kind is what it claims to be, checked by content, pypdf and LibreOffice."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject, StreamObject

from sandbox.seed import files, firm

SPECS: dict[str, firm.SeedFile] = {
    "pdf": firm.SeedFile("Complaint for Damages.pdf", "pdf", 14),
    "docx": firm.SeedFile("Notice of Motion and Motion to Compel.docx", "docx", 6),
    "rtf": firm.SeedFile("Declaration of Counsel.rtf", "rtf", 3),
    "odt": firm.SeedFile("Separate Statement.odt", "odt", 8),
    "txt": firm.SeedFile("Meet and Confer Notes.txt", "txt", 1),
    "png": firm.SeedFile("Exhibit C - Invoice Scan.png", "png", 1),
    "jpg": firm.SeedFile("Exhibit B - Site Photo.jpg", "jpg", 1),
    "encrypted_pdf": firm.SeedFile("Medical Records (password protected).pdf", "encrypted_pdf", 4),
    "owner_locked_pdf": firm.SeedFile("Billing Summary (owner locked).pdf", "owner_locked_pdf", 2),
    "fillable_pdf": firm.SeedFile("Judicial Council Form DISC-001 (fillable).pdf", "fillable_pdf", 3),
    "xfa_pdf": firm.SeedFile("Interactive Form (XFA).pdf", "xfa_pdf", 1),
    "large_pdf": firm.SeedFile("Trial Record (large).pdf", "large_pdf", 2000),
    "scanned_pdf": firm.SeedFile("Responses to Form Interrogatories.pdf", "scanned_pdf", 5),
}
PDF_KINDS = [kind for kind in SPECS if kind.endswith("pdf")]


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache per test, so tests neither share nor pollute generated files."""
    directory = tmp_path / "seed-cache"
    monkeypatch.setenv(files.CACHE_ENV, str(directory))
    return directory


def _dict(obj: PdfObject | None) -> DictionaryObject:
    """Resolve an indirect reference to the dictionary it must be."""
    assert obj is not None
    resolved = obj.get_object()
    assert isinstance(resolved, DictionaryObject)
    return resolved


def _value(obj: DictionaryObject, key: str) -> object:
    """An entry as a plain value for comparisons (pypdf's number and name objects compare as such)."""
    return obj[key]


def _reader(kind: str) -> PdfReader:
    return PdfReader(files.seed_file_bytes(SPECS[kind]))


def test_every_kind_the_firm_uses_has_a_generator() -> None:
    used = {f.kind for m in firm.MATTERS for folder in m.folders.values() for f in folder}
    assert used <= set(files.KINDS)
    assert set(SPECS) == set(files.KINDS)


def test_an_unknown_kind_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown seed file kind 'exe'.*docx"):
        files.seed_file_bytes(firm.SeedFile("Setup.exe", "exe"))


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_pdf_kinds_are_pdfs(kind: str) -> None:
    data = files.seed_file_bytes(SPECS[kind]).read_bytes()
    assert data.startswith(b"%PDF-1.")
    assert data.rstrip().endswith(b"%%EOF")


def test_docx_is_a_word_document_python_docx_opens() -> None:
    path = files.seed_file_bytes(SPECS["docx"])
    names = zipfile.ZipFile(path).namelist()
    assert {"[Content_Types].xml", "word/document.xml", "docProps/core.xml"} <= set(names)
    document = docx.Document(str(path))
    assert document.core_properties.title == "Notice of Motion and Motion to Compel"
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert headings[0] == "Notice of Motion and Motion to Compel"
    assert len(document.tables) == 1
    assert document.tables[0].rows[0].cells[0].text == "Party"
    assert sum(1 for p in document.paragraphs if len(p.text) > 200) >= SPECS["docx"].pages * 2


def test_odt_is_a_valid_opendocument_zip() -> None:
    data = files.seed_file_bytes(SPECS["odt"]).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    first = archive.infolist()[0]
    # ODF: `mimetype` first, stored, no extra field, so its text sits at byte 38 for magic sniffers.
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert data[30:38] == b"mimetype"
    assert data[38:77] == b"application/vnd.oasis.opendocument.text"
    assert {"META-INF/manifest.xml", "content.xml", "styles.xml"} <= set(archive.namelist())
    assert b"Separate Statement" in archive.read("content.xml")


def test_rtf_is_ascii_with_escaped_international_text() -> None:
    data = files.seed_file_bytes(SPECS["rtf"]).read_bytes()
    assert data.startswith(b"{\\rtf1\\ansi")
    text = data.decode("ascii")  # RTF is 7-bit; everything else is escaped
    assert text.count("{") == text.count("}")
    assert "\\u233?" in text  # é
    assert "\\u223?" in text  # ß
    assert "\\u8364?" in text  # €
    assert "\\u8220?" in text  # “
    assert "\\u8221?" in text  # ”


def test_txt_is_utf8_text() -> None:
    text = files.seed_file_bytes(SPECS["txt"]).read_text(encoding="utf-8")
    assert text.startswith("Meet and Confer Notes\n")
    assert "\x00" not in text


@pytest.mark.parametrize(
    ("kind", "magic", "pil_format"),
    [
        ("png", b"\x89PNG\r\n\x1a\n", "PNG"),
        ("jpg", b"\xff\xd8\xff", "JPEG"),
    ],
)
def test_images_are_what_they_claim(kind: str, magic: bytes, pil_format: str) -> None:
    path = files.seed_file_bytes(SPECS[kind])
    assert path.read_bytes().startswith(magic)
    with Image.open(path) as image:
        assert image.format == pil_format
        assert min(image.size) >= 800


def test_plain_pdf_has_pages_and_a_text_layer() -> None:
    reader = _reader("pdf")
    assert not reader.is_encrypted
    assert len(reader.pages) == 14
    first = reader.pages[0].extract_text()
    assert "COMPLAINT FOR DAMAGES" in first
    assert "SUPERIOR COURT OF THE STATE OF CALIFORNIA" in first
    assert "Page 1 of 14" in first
    assert "Page 14 of 14" in reader.pages[13].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == "Complaint for Damages"


def test_make_pdf_with_a_body_grows_to_fit_and_keeps_the_text() -> None:
    body = "Fee lines\n\n" + "\n".join(f"Line {n}: filing fee $435.00" for n in range(1, 121))
    reader = PdfReader(io.BytesIO(files.make_pdf("Receipt", 1, subtitle="Order 1234567", body=body)))
    assert len(reader.pages) == 3
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Order 1234567" in text
    assert "Line 120: filing fee $435.00" in text
    assert "Page 3 of 3" in text
    short = PdfReader(io.BytesIO(files.make_pdf("Notice", 2, body="One line.")))
    assert len(short.pages) == 2


def test_text_generators_are_deterministic() -> None:
    assert files.make_pdf("Summons", 2) == files.make_pdf("Summons", 2)
    assert files.make_docx("Proposed Order", 2) == files.make_docx("Proposed Order", 2)
    assert files.make_odt("Separate Statement", 2) == files.make_odt("Separate Statement", 2)
    assert files.make_png("Exhibit C") == files.make_png("Exhibit C")


def test_encrypted_pdf_needs_its_password() -> None:
    reader = _reader("encrypted_pdf")
    assert reader.is_encrypted
    assert reader.decrypt("") == PasswordType.NOT_DECRYPTED
    encrypt = _dict(reader.trailer["/Encrypt"])
    assert (_value(encrypt, "/V"), _value(encrypt, "/R")) == (5, 6)  # AES-256
    assert reader.decrypt(files.ENCRYPTED_PDF_PASSWORD) != PasswordType.NOT_DECRYPTED
    assert len(reader.pages) == 4


def test_owner_locked_pdf_opens_without_a_password_but_is_encrypted() -> None:
    reader = _reader("owner_locked_pdf")
    assert reader.is_encrypted
    assert reader.decrypt("") == PasswordType.USER_PASSWORD
    encrypt = _dict(reader.trailer["/Encrypt"])
    assert _value(encrypt, "/V") == 4
    assert _value(_dict(_dict(encrypt["/CF"])["/StdCF"]), "/CFM") == "/AESV2"  # AES-128
    assert len(reader.pages) == 2
    assert "Page 1 of 2" in reader.pages[0].extract_text()


def test_fillable_pdf_has_an_acroform_with_text_fields_and_a_checkbox() -> None:
    reader = _reader("fillable_pdf")
    assert not reader.is_encrypted
    assert len(reader.pages) == 3
    acroform = _dict(_dict(reader.trailer["/Root"])["/AcroForm"])
    fields_array = acroform["/Fields"]
    assert isinstance(fields_array, ArrayObject)
    assert len(fields_array) == 5
    fields = reader.get_fields()
    assert fields is not None
    assert fields["case_number"]["/FT"] == "/Tx"
    assert fields["definitions_apply"]["/FT"] == "/Btn"


def test_xfa_pdf_carries_an_xfa_packet() -> None:
    reader = _reader("xfa_pdf")
    acroform = _dict(_dict(reader.trailer["/Root"])["/AcroForm"])
    xfa = acroform["/XFA"]
    assert isinstance(xfa, ArrayObject)
    stream = xfa[1].get_object()
    assert isinstance(stream, StreamObject)
    packet = stream.get_data()
    assert b"http://www.xfa.org/schema/xfa-template/" in packet
    assert "Please wait" in reader.pages[0].extract_text()


def test_scanned_pdf_is_images_without_text() -> None:
    reader = _reader("scanned_pdf")
    assert len(reader.pages) == 5
    for page in reader.pages:
        assert page.extract_text().strip() == ""
        assert len(page.images) == 1


@pytest.mark.slow
def test_large_pdf_has_2000_text_pages_and_is_quick_to_make() -> None:
    started = time.perf_counter()
    data = files.make_large_pdf(2000)
    elapsed = time.perf_counter() - started
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2000
    assert "Page 2000 of 2000" in reader.pages[1999].extract_text()
    # The budget is about 2 s here; the bound only catches an accidental slowdown by an order.
    assert elapsed < 20, f"2,000-page PDF took {elapsed:.1f} s"


def test_cache_reuses_generated_files(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = SPECS["pdf"]
    path = files.seed_file_bytes(spec)
    assert path.is_relative_to(cache)
    mtime = path.stat().st_mtime_ns

    def fail(_spec: firm.SeedFile) -> bytes:
        raise AssertionError("regenerated a cached file")

    monkeypatch.setitem(files.KINDS, "pdf", (".pdf", fail))
    assert files.seed_file_bytes(spec) == path
    assert path.stat().st_mtime_ns == mtime


def test_cache_key_covers_name_pages_and_generator_version(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = firm.SeedFile("Summons.pdf", "pdf", 2)
    path = files.seed_file_bytes(spec)
    assert files.seed_file_bytes(firm.SeedFile("Summons.pdf", "pdf", 3)) != path
    assert files.seed_file_bytes(firm.SeedFile("Summons 2.pdf", "pdf", 2)) != path
    monkeypatch.setattr(files, "GENERATOR_VERSION", files.GENERATOR_VERSION + 1)
    assert files.seed_file_bytes(spec) != path


def test_cache_defaults_to_the_user_cache_dir(monkeypatch: pytest.MonkeyPatch, private_dirs: Path) -> None:
    monkeypatch.delenv(files.CACHE_ENV)
    path = files.seed_file_bytes(SPECS["txt"])
    assert path.is_relative_to(private_dirs / ".cache" / "legalconnect-sandbox")


def test_concurrent_first_use_is_safe(cache: Path) -> None:
    spec = firm.SeedFile("Concurrent Exhibit.pdf", "scanned_pdf", 2)
    results: list[Path] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(files.seed_file_bytes(spec))
        except BaseException as exc:  # re-raised below in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert len(PdfReader(results[0]).pages) == 2
    assert [p.name for p in results[0].parent.iterdir()] == [results[0].name]  # no partial files left


def test_make_big_pdf_file_writes_the_asked_size_in_bounded_memory(tmp_path: Path) -> None:
    target = tmp_path / "bench" / "big.pdf"
    size = 20 * 1024 * 1024
    tracemalloc.start()
    try:
        files.make_big_pdf_file(target, size)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert abs(target.stat().st_size - size) < size * 0.01
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes while writing {size}"
    reader = PdfReader(target, strict=True)
    assert len(reader.pages) >= 2
    assert "Page 1 of" in reader.pages[0].extract_text()
    assert reader.pages[1].images[0].image is not None
    assert list(target.parent.iterdir()) == [target]  # no partial file left behind


# --- LibreOffice: the word-processor files must convert the way the app's intake converts them ------

SOFFICE = shutil.which("soffice")
OFFICE_KINDS = ["docx", "rtf", "odt"]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each office seed file converted to PDF by one LibreOffice run with a private profile."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; ./dev or .ci/run installs it")
    work = tmp_path_factory.mktemp("soffice")
    sources = []
    for kind in OFFICE_KINDS:
        spec = SPECS[kind]
        source = work / f"{kind}-{spec.name}"
        source.write_bytes(files.generate(spec))
        sources.append(source)
    out = work / "out"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=100,
        env={**os.environ, "HOME": str(work)},
    )
    return {kind: out / f"{source.stem}.pdf" for kind, source in zip(OFFICE_KINDS, sources, strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("kind", OFFICE_KINDS)
def test_libreoffice_converts_office_files(kind: str, converted: dict[str, Path]) -> None:
    reader = PdfReader(converted[kind])
    expected = SPECS[kind].pages
    assert expected <= len(reader.pages) <= expected + 1
    text = reader.pages[0].extract_text()
    assert Path(SPECS[kind].name).stem.lower() in text.lower()
    for fragment in ("Renée Faß", "€1,250.00", "“supplemental”"):
        assert fragment in text
