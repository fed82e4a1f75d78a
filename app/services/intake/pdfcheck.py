"""Is this PDF one the court will take? Refuse what it will not, warn about what it may not like.

Fast on long documents: the refusal checks read only the trailer, the catalog and the page tree's
root, and the page count is the tree's /Count (checked against the number of objects in the file,
so a file claiming a billion pages is refused as damaged without walking or allocating anything).
Text, scripts and attachments are looked for on a few sample pages, so the cost stays bounded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from app.services.intake.records import (
    REMAKE_PDF,
    CourtLimits,
    Notice,
    NoticeKind,
    Refusal,
    RefusalKind,
    megabytes,
    password_protected_pdf,
    quoted,
)

log = logging.getLogger(__name__)

_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
_MAX_TREE_DEPTH = 64
_MAX_KIDS_SCANNED = 20_000
_TEXT_SAMPLES = 3


@dataclass(frozen=True)
class PdfReport:
    """A PDF the court can take: its page count and what the user should know about it."""

    pages: int
    notices: tuple[Notice, ...]


def check_pdf(path: Path, display_name: str, limits: CourtLimits) -> PdfReport:
    """Check the PDF at `path`; raises `Refusal` with a message naming `display_name`."""
    name = quoted(display_name)
    size = path.stat().st_size
    if size == 0:
        raise Refusal(RefusalKind.EMPTY, f"{name} is empty (0 bytes). Check the file and add it again.")
    if size > limits.max_document_bytes:
        raise size_refusal(display_name, size, limits)
    with path.open("rb") as fh:  # a file object, not the path: pypdf would read a path into memory
        try:
            return _check_open(PdfReader(fh), name, limits)
        except Refusal:
            raise
        except (DependencyError, NotImplementedError, FileNotDecryptedError) as exc:
            log.info("unsupported PDF encryption in %s: %s", display_name, exc)
            raise _encrypted(name) from exc
        except Exception as exc:
            # pypdf parses whatever the file contains; a hostile or broken file can make it raise
            # almost anything (PdfReadError, KeyError, TypeError, RecursionError…). All of them
            # mean the same to the user: this file cannot be read.
            log.info("unreadable PDF %s: %s: %s", display_name, type(exc).__name__, exc)
            raise Refusal(
                RefusalKind.DAMAGED,
                f"{name} is damaged or not a complete PDF and cannot be read. {REMAKE_PDF}",
            ) from exc


def size_refusal(display_name: str, size: int, limits: CourtLimits) -> Refusal:
    """The refusal for a document over the court's per-document size limit."""
    return Refusal(
        RefusalKind.TOO_LARGE,
        f"{quoted(display_name)} is {megabytes(size)}; the {limits.court_name} accepts at most "
        f"{megabytes(limits.max_document_bytes)} per document. Split it into smaller files.",
    )


def _encrypted(name: str) -> Refusal:
    return Refusal(
        RefusalKind.ENCRYPTED,
        f"{name} is encrypted — remove the protection (open it and Print to PDF) first, then add it again.",
    )


def _larger_than(pages: list[PageObject], paper: tuple[float, float]) -> tuple[float, float] | None:
    """The size (points, portrait) of the first sampled page larger than `paper` either way (a
    landscape page of the same paper is fine), or None."""
    short, long = sorted(paper)
    for page in pages:
        try:
            box = page.mediabox
            size = sorted((abs(float(box.width)), abs(float(box.height))))
        except Exception as exc:  # a box pypdf cannot read: the court's own check will say
            log.info("unreadable page box: %s", exc)
            continue
        if size[0] > short + 1 or size[1] > long + 1:
            return size[0], size[1]
    return None


def _check_open(reader: PdfReader, name: str, limits: CourtLimits) -> PdfReport:
    if reader.is_encrypted:
        if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise password_protected_pdf(name)
        raise _encrypted(name)
    root = _dict(reader.trailer.get("/Root"))
    if root is None:
        raise _damaged(name, "it has no document catalog")
    _check_forms(root, name)
    pages_root = _dict(root.get("/Pages"))
    if pages_root is None:
        raise _damaged(name, "it has no page list")
    count = pages_root.get("/Count")
    if not isinstance(count, int) or count <= 0:
        raise Refusal(RefusalKind.NO_PAGES, f"{name} has no pages. Check the file and add it again.")
    objects = sum(len(v) for v in reader.xref.values()) + len(reader.xref_objStm)
    if count > objects:
        raise _damaged(name, f"it claims {count:,} pages but holds only {objects:,} objects")
    indexes = sorted({0, count // 2, count - 1})[:_TEXT_SAMPLES]
    samples = [_page_at(reader, pages_root, i) for i in indexes]
    if samples[0] is None:
        raise _damaged(name, "its page list leads to no pages")
    pages = [p for p in samples if p is not None]
    notices = list(_notices(reader, root, pages, name))
    oversize = _larger_than(pages, limits.paper)
    if oversize is not None:
        width, height = (f"{points / 72:g}" for points in oversize)
        paper_w, paper_h = (f"{points / 72:g}" for points in limits.paper)
        notices.append(
            Notice(
                NoticeKind.LARGE_PAGES,
                f"{name} has pages of {width} × {height} in, larger than the court's {paper_w} × "
                f"{paper_h} in paper; the court may reject or shrink them. Print it to PDF on "
                f"{paper_w} × {paper_h} in paper if you can.",
            )
        )
    return PdfReport(count, tuple(notices))


def _damaged(name: str, why: str) -> Refusal:
    return Refusal(
        RefusalKind.DAMAGED,
        f"{name} is damaged ({why}). {REMAKE_PDF}",
    )


def _check_forms(root: DictionaryObject, name: str) -> None:
    acro = _dict(root.get("/AcroForm"))
    if acro is None:
        return
    if "/XFA" in acro:
        raise Refusal(
            RefusalKind.FILLABLE_FORM,
            f"{name} is a fillable (XFA) form: flatten it first (open it and Print to PDF), then add it "
            "again.",
        )
    fields = acro.get("/Fields")
    fields = fields.get_object() if isinstance(fields, IndirectObject) else fields
    if isinstance(fields, ArrayObject) and len(fields) > 0:
        raise Refusal(
            RefusalKind.FILLABLE_FORM,
            f"{name} has fillable form fields: flatten it first (open it and Print to PDF), "
            "then add it again.",
        )


def _notices(
    reader: PdfReader, root: DictionaryObject, pages: list[PageObject], name: str
) -> Iterator[Notice]:
    names = _dict(root.get("/Names")) or DictionaryObject()
    if (
        "/JavaScript" in names
        or _is_javascript(root.get("/OpenAction"))
        or any(map(_has_js_actions, [root, *pages]))
    ):
        yield Notice(
            NoticeKind.JAVASCRIPT,
            f"{name} contains JavaScript. Courts may reject files with scripts; printing it to PDF "
            "removes them.",
        )
    if "/EmbeddedFiles" in names or any(_has_file_annotation(p) for p in pages):
        yield Notice(
            NoticeKind.ATTACHMENTS,
            f"{name} has files attached inside it. Courts may reject them; add each as its own document.",
        )
    if pages and all(_needs_ocr(p) is True for p in pages):
        yield Notice(
            NoticeKind.NO_TEXT_LAYER,
            f"{name} has no searchable text (it looks scanned). California courts ask for "
            "text-searchable PDFs when feasible; Make Searchable adds the text with OCR.",
        )


def _page_at(reader: PdfReader, node: DictionaryObject, index: int) -> PageObject | None:
    """The page at `index`, found by /Count (not by walking every page), inherited attributes applied."""
    inherited: dict[str, Any] = {}
    for _depth in range(_MAX_TREE_DEPTH):
        inherited.update({k: node[k] for k in _INHERITED if k in node})
        kids = node.get("/Kids")
        kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
        if not isinstance(kids, ArrayObject) or not kids:
            return None
        count = node.get("/Count")
        if count == len(kids) and index < len(kids):
            # A flat level (the usual shape): the kid at `index` is the page, if it is a leaf.
            ref = kids[index]
            kid = _dict(ref)
            if kid is not None and kid.get("/Type") == "/Page":
                return _leaf(reader, ref, kid, inherited)
        found = None
        for ref in kids[:_MAX_KIDS_SCANNED]:
            kid = _dict(ref)
            if kid is None:
                continue
            if kid.get("/Type") == "/Pages" or "/Kids" in kid:
                kid_count = kid.get("/Count")
                size = kid_count if isinstance(kid_count, int) and kid_count > 0 else 0
            else:
                if index == 0:
                    return _leaf(reader, ref, kid, inherited)
                size = 1
            if index < size:
                found = kid
                break
            index -= size
        if found is None or found is node:
            return None
        node = found
    return None


def _leaf(reader: PdfReader, ref: Any, node: DictionaryObject, inherited: dict[str, Any]) -> PageObject:
    page = PageObject(reader, ref if isinstance(ref, IndirectObject) else None)
    page.update(node)
    for key, value in inherited.items():
        if key not in page:
            page[NameObject(key)] = value
    return page


def _needs_ocr(page: PageObject) -> bool | None:
    """Whether the page is a scan without a text layer: an image and no font, or an image and
    (almost) no text a reader can extract. Fonts and images are looked at first (extracting text
    is the slow part); a page whose text cannot be extracted is unknown (None), not a scan."""
    fonts, images = _fonts_and_images(page)
    if not fonts:
        return images
    if not images:
        return False
    try:
        text = page.extract_text()
    except Exception as exc:
        log.info("text extraction failed: %s: %s", type(exc).__name__, exc)
        return None
    return sum(ch.isalnum() for ch in text) < _MIN_TEXT_CHARS


_MIN_TEXT_CHARS = 20
"""Fewer letters and digits than this on a page with an image: a scan (a stamp or a page number
is not a text layer)."""


def _fonts_and_images(page: PageObject) -> tuple[bool, bool]:
    """Whether the page (or a form it draws, one level down) has fonts, and images."""
    fonts = images = False
    resources = [_dict(page.get("/Resources"))]
    for depth in range(2):
        next_level: list[DictionaryObject | None] = []
        for res in resources:
            if res is None:
                continue
            fonts = fonts or bool(_dict(res.get("/Font")))
            xobjects = _dict(res.get("/XObject")) or DictionaryObject()
            for ref in list(xobjects.values())[:200]:
                xobject = _dict(ref)
                if xobject is None:
                    continue
                if xobject.get("/Subtype") == "/Image":
                    images = True
                elif xobject.get("/Subtype") == "/Form" and depth == 0:
                    next_level.append(_dict(xobject.get("/Resources")))
        resources = next_level
    return fonts, images


def _is_javascript(action: Any) -> bool:
    action = _dict(action)
    return action is not None and (action.get("/S") == "/JavaScript" or "/JS" in action)


def _has_js_actions(node: DictionaryObject) -> bool:
    actions = _dict(node.get("/AA"))
    return actions is not None and any(_is_javascript(a) for a in actions.values())


def _has_file_annotation(page: PageObject) -> bool:
    annots = page.get("/Annots")
    annots = annots.get_object() if isinstance(annots, IndirectObject) else annots
    if not isinstance(annots, ArrayObject):
        return False
    return any(
        (a := _dict(ref)) is not None and a.get("/Subtype") == "/FileAttachment" for ref in annots[:500]
    )


def _dict(value: Any) -> DictionaryObject | None:
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return value if isinstance(value, DictionaryObject) else None
