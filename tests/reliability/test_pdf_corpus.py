"""Files from public PDF test corpora (pypdf's and qpdf's, tests/data/pdf-corpus/NOTICE) and a
generated XFA form through the real intake, each in a process of its own under a time and memory
cap, as `python -m benchmarks.pdf_corpus` runs whole corpora: nothing crashes, hangs or runs out of
memory, every Ready file reads through page by page in qpdf and pypdf, every encrypted and every
fillable file is refused as such, and each file ends as expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import pdf_corpus
from sandbox.seed.files import make_xfa_pdf

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "pdf-corpus"

EXPECTED = {
    # file: (outcome, refusal kind, repaired)
    "pypdf/crazyones.pdf": ("ready", "", False),
    "pypdf/toy.pdf": ("ready", "", True),  # a cross-reference table qpdf rebuilds
    "pypdf/r6-user-password.pdf": ("refused", "password_protected", False),  # empty owner password
    "pypdf/libreoffice-writer-password.pdf": ("refused", "password_protected", False),
    "pypdf/r4-owner-password.pdf": ("refused", "encrypted", False),
    "pypdf/form.pdf": ("refused", "fillable_form", False),
    "generated/xfa-form.pdf": ("refused", "fillable_form", False),
    "qpdf/minimal.pdf": ("ready", "", False),
    "qpdf/page-no-content.pdf": ("ready", "", True),  # a blank page qpdf gives resources to
    "qpdf/shared-unnamed-field.pdf": ("refused", "fillable_form", False),  # a form on a blank page
    "qpdf/issue-100.pdf": ("refused", "damaged", False),  # no trailer to be found
    "qpdf/bad25.pdf": ("refused", "damaged", False),  # its page's content object is lost
    "qpdf/unfilterable.pdf": ("refused", "damaged", False),  # content under an unknown filter
    "qpdf/pages-loop.pdf": ("refused", "damaged", False),
    "qpdf/deep-pages.pdf": ("refused", "damaged", False),  # a page tree nested too deep
}


@pytest.mark.slow
def test_sample_of_public_pdf_corpora(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    generated.mkdir()
    (generated / "xfa-form.pdf").write_bytes(make_xfa_pdf("Small Claims"))
    files, skipped = pdf_corpus.collect([SAMPLE, generated])
    assert skipped == []
    ran = pdf_corpus.run_files(files, jobs=2, timeout=60, memory=3 * pdf_corpus.GB)
    results = {
        Path(r.file).relative_to(SAMPLE if SAMPLE in Path(r.file).parents else tmp_path).as_posix(): r
        for r in ran
    }
    failures = [f"{name}: {r.outcome}: {r.message}" for name, r in results.items() if r.outcome in _FAILED]
    assert failures == []
    assert [(name, r.unreadable) for name, r in results.items() if r.unreadable_ready] == []
    encrypted = {name: r.kind for name, r in results.items() if r.encrypted}
    assert set(encrypted.values()) <= pdf_corpus.PROTECTED
    assert len(encrypted) == 3
    fillable = {name: r.kind for name, r in results.items() if r.fillable}
    assert set(fillable.values()) == {"fillable_form"}
    assert len(fillable) == 3
    assert {name: (r.outcome, r.kind, r.repaired) for name, r in results.items()} == EXPECTED


_FAILED = {"crash", "hang", "oom"}
