"""The order draft: typed data the wizard edits, autosaves and restores.

`OrderDraft.to_json` holds paths, ids and what the user typed — never file bytes and never secrets —
so the SQLite autosave stays small and a restored draft finds its files where they were.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


class DocumentStatus(enum.StrEnum):
    """Where one document is on its way from its source to the Service Provider."""

    PENDING = "pending"
    DOWNLOADING = "downloading"
    CHECKING = "checking"
    CONVERTING = "converting"
    MAKING_SEARCHABLE = "making_searchable"
    """OCR is adding a text layer to a scanned PDF (then it is checked and uploaded again)."""
    UPLOADING = "uploading"
    READY = "ready"
    ERROR = "error"

    @property
    def working(self) -> bool:
        """Not finished and not failed: the app is (or will be) busy with it."""
        return self not in (DocumentStatus.READY, DocumentStatus.ERROR)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Role(enum.StrEnum):
    LEAD = "lead"
    ATTACHMENT = "attachment"


@dataclass(frozen=True)
class ClioMatter:
    """The Clio Client and Matter where returned documents and fee expenses go."""

    client_id: int
    client_name: str
    matter_id: int
    matter_display_number: str

    @property
    def label(self) -> str:
        return f"{self.client_name} › {self.matter_display_number}"


@dataclass(frozen=True)
class ComputerSource:
    """A file chosen on this computer."""

    path: Path

    @property
    def description(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class ClioSource:
    """A document in Clio; `breadcrumb` reads like "Alvarez, Elena › 00001-Alvarez › Pleadings"."""

    document_id: int
    name: str
    breadcrumb: str = ""
    matter: ClioMatter | None = None
    size: int | None = None
    """Bytes of its latest version as Clio listed it when picked (None: not known), so a document
    larger than the court takes is refused without downloading it."""

    @property
    def description(self) -> str:
        return f"Clio: {self.breadcrumb}" if self.breadcrumb else "Clio"


Source = ComputerSource | ClioSource


@dataclass
class Party:
    """A party to the case; `kind` is "person" or "organization"."""

    role: str
    name: str
    kind: str = "person"
    is_client: bool = False


@dataclass
class DraftDocument:
    """One row of Documents To Be Filed: what the user chose and how far it has got."""

    local_id: str
    display_name: str
    filing_code: str
    role: Role
    source: Source
    status: DocumentStatus = DocumentStatus.PENDING
    progress: float = 0.0
    """0..1 within the current status (download or upload); 1 when ready."""
    error: str = ""
    warnings: tuple[str, ...] = ()
    scanned: bool = False
    """The PDF has no text layer (its pages are images): OCR can make it searchable."""
    ocr_problem: str = ""
    """Why the last try to make it searchable did not (the document itself is as it was)."""
    pdf_path: Path | None = None
    word_copy_path: Path | None = None
    pages: int | None = None
    size: int | None = None
    sha256: str | None = None
    remote_document_id: int | None = None
    remote_uploaded: bool = False
    remote_word_copy_id: int | None = None
    word_copy_uploaded: bool = False
    remote_generation: int = 0
    """How often the provider's copy was dropped (removed, then undone): part of the creation key,
    so a document added again is a new one there, not the deleted one."""

    @property
    def prepared(self) -> bool:
        """Checked (and converted) into a PDF that is still on disk."""
        return self.pdf_path is not None and self.sha256 is not None and self.pdf_path.exists()

    def forget_remote(self) -> None:
        """The service no longer has this document (removed there): upload it again when needed."""
        self.remote_document_id = self.remote_word_copy_id = None
        self.remote_uploaded = self.word_copy_uploaded = False
        self.remote_generation += 1

    def to_json(self) -> dict[str, Any]:
        source: dict[str, Any]
        if isinstance(self.source, ComputerSource):
            source = {"type": "computer", "path": str(self.source.path)}
        else:
            source = {
                "type": "clio",
                "document_id": self.source.document_id,
                "name": self.source.name,
                "breadcrumb": self.source.breadcrumb,
                "matter": _matter_json(self.source.matter),
                "size": self.source.size,
            }
        return {
            "local_id": self.local_id,
            "display_name": self.display_name,
            "filing_code": self.filing_code,
            "role": self.role.value,
            "source": source,
            "status": self.status.value,
            "error": self.error,
            "warnings": list(self.warnings),
            "scanned": self.scanned,
            "ocr_problem": self.ocr_problem,
            "pdf_path": _path_json(self.pdf_path),
            "word_copy_path": _path_json(self.word_copy_path),
            "pages": self.pages,
            "size": self.size,
            "sha256": self.sha256,
            "remote_document_id": self.remote_document_id,
            "remote_uploaded": self.remote_uploaded,
            "remote_word_copy_id": self.remote_word_copy_id,
            "word_copy_uploaded": self.word_copy_uploaded,
            "remote_generation": self.remote_generation,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> DraftDocument:
        src = raw["source"]
        source: Source = (
            ComputerSource(Path(src["path"]))
            if src["type"] == "computer"
            else ClioSource(
                int(src["document_id"]),
                str(src["name"]),
                str(src.get("breadcrumb", "")),
                _matter(src.get("matter")),
                _size(src.get("size")),
            )
        )
        return cls(
            local_id=str(raw["local_id"]),
            display_name=str(raw["display_name"]),
            filing_code=str(raw.get("filing_code", "")),
            role=Role(raw.get("role", "attachment")),
            source=source,
            status=DocumentStatus(raw.get("status", "pending")),
            error=str(raw.get("error", "")),
            warnings=tuple(raw.get("warnings") or ()),
            scanned=bool(raw.get("scanned", False)),
            ocr_problem=str(raw.get("ocr_problem", "")),
            pdf_path=_path(raw.get("pdf_path")),
            word_copy_path=_path(raw.get("word_copy_path")),
            pages=raw.get("pages"),
            size=raw.get("size"),
            sha256=raw.get("sha256"),
            remote_document_id=raw.get("remote_document_id"),
            remote_uploaded=bool(raw.get("remote_uploaded", False)),
            remote_word_copy_id=raw.get("remote_word_copy_id"),
            word_copy_uploaded=bool(raw.get("word_copy_uploaded", False)),
            remote_generation=int(raw.get("remote_generation", 0)),
        )


def _path_json(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _path(value: Any) -> Path | None:
    return None if value in (None, "") else Path(str(value))


def _size(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _matter_json(matter: ClioMatter | None) -> dict[str, Any] | None:
    if matter is None:
        return None
    return {
        "client_id": matter.client_id,
        "client_name": matter.client_name,
        "matter_id": matter.matter_id,
        "matter_display_number": matter.matter_display_number,
    }


def _matter(raw: Any) -> ClioMatter | None:
    if not raw:
        return None
    return ClioMatter(
        int(raw["client_id"]),
        str(raw.get("client_name", "")),
        int(raw["matter_id"]),
        str(raw["matter_display_number"]),
    )


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class OrderDraft:
    """Everything the order wizard collects. Plain data: the wizard owns the rules."""

    id: str = field(default_factory=new_id)
    court_id: str | None = None
    case_category_id: str | None = None
    case_type_id: str | None = None
    new_case: bool = True
    case_number: str = ""
    case_title: str = ""
    parties: list[Party] = field(default_factory=list)
    documents: list[DraftDocument] = field(default_factory=list)
    clio: ClioMatter | None = None
    clio_chosen_by_user: bool = False
    """Once the user picks the Clio matter, documents from elsewhere no longer change it."""
    expert_review: bool = False
    authorize_payment: bool = False
    remote_order_id: int | None = None
    order_number: str | None = None

    @property
    def title(self) -> str:
        """A name for the list of saved drafts."""
        return (
            self.case_title.strip()
            or (self.case_number.strip() and f"Case {self.case_number}")
            or "New order"
        )

    def document(self, local_id: str) -> DraftDocument:
        for doc in self.documents:
            if doc.local_id == local_id:
                return doc
        raise KeyError(local_id)

    def settle_after_restart(self) -> None:
        """Work that was under way when the app stopped starts again; finished work is kept."""
        for doc in self.documents:
            if doc.status.working:
                doc.status, doc.progress = DocumentStatus.PENDING, 0.0
            if doc.pdf_path is not None and not doc.pdf_path.exists() and not doc.remote_uploaded:
                doc.pdf_path = doc.sha256 = None  # the temporary PDF is gone: prepare it again
                doc.status = DocumentStatus.PENDING

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "id": self.id,
            "court_id": self.court_id,
            "case_category_id": self.case_category_id,
            "case_type_id": self.case_type_id,
            "new_case": self.new_case,
            "case_number": self.case_number,
            "case_title": self.case_title,
            "parties": [
                {"role": p.role, "name": p.name, "kind": p.kind, "is_client": p.is_client}
                for p in self.parties
            ],
            "documents": [d.to_json() for d in self.documents],
            "clio": _matter_json(self.clio),
            "clio_chosen_by_user": self.clio_chosen_by_user,
            "expert_review": self.expert_review,
            "authorize_payment": self.authorize_payment,
            "remote_order_id": self.remote_order_id,
            "order_number": self.order_number,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> OrderDraft:
        """Rebuild a draft saved by `to_json` (unknown keys ignored, missing ones defaulted)."""
        return cls(
            id=str(raw["id"]),
            court_id=raw.get("court_id"),
            case_category_id=raw.get("case_category_id"),
            case_type_id=raw.get("case_type_id"),
            new_case=bool(raw.get("new_case", True)),
            case_number=str(raw.get("case_number", "")),
            case_title=str(raw.get("case_title", "")),
            parties=[
                Party(str(p["role"]), str(p["name"]), str(p.get("kind", "person")), bool(p.get("is_client")))
                for p in raw.get("parties") or ()
            ],
            documents=[DraftDocument.from_json(d) for d in raw.get("documents") or ()],
            clio=_matter(raw.get("clio")),
            clio_chosen_by_user=bool(raw.get("clio_chosen_by_user", False)),
            expert_review=bool(raw.get("expert_review", False)),
            authorize_payment=bool(raw.get("authorize_payment", False)),
            remote_order_id=raw.get("remote_order_id"),
            order_number=raw.get("order_number"),
        )
