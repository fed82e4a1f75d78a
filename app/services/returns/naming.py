"""Names of what the filer puts into Clio: each returned document, the returns folder, the order folder.

The patterns come from the settings (declared and checked in `app.config`); the values filled in
come from the court's answer, so every name is made safe for Clio and for Windows when the document
is later downloaded (`safe_filename`), and a returned document keeps its `.pdf`.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import config
from app.config import Config, render_pattern
from app.services.filenames import safe_filename
from app.services.legalconnect.records import Deliverable, Order

KIND_LABELS = {
    "conformed_copy": "Conformed copy",
    "receipt": "Receipt",
    "notice": "Notice",
    "signed_order": "Signed order",
}


def _stem(name: str) -> str:
    return name[:-4] if name.lower().endswith(".pdf") else name


@dataclass(frozen=True)
class Names:
    """The names for one order's returns (see the module docstring)."""

    settings: Config
    provider: str

    def returns_folder(self) -> str:
        """ "Returned from Pacific Crest Legal Services"."""
        name = render_pattern(self.settings.get(config.RETURNS_FOLDER), {"provider": self.provider})
        return safe_filename(name, "Returned documents")

    def order_folder(self, order: Order) -> str:
        """ "Order-2417108"."""
        fields = {"order_number": order.order_number or str(order.id), "provider": self.provider}
        return safe_filename(render_pattern(self.settings.get(config.RETURNS_ORDER_FOLDER), fields), "Order")

    def document(self, order: Order, deliverable: Deliverable) -> str:
        """ "2026-11-27 Complaint for Damages (Conformed).pdf" with the default pattern."""
        filed = next((d for d in order.documents if d.id == deliverable.document_id), None)
        fields = {
            "received_date": deliverable.received_at.astimezone().date().isoformat(),
            "kind": KIND_LABELS.get(deliverable.kind, deliverable.kind_label),
            "name": _stem(deliverable.name),
            "document": _stem(filed.name) if filed is not None else _stem(deliverable.name),
            "order_number": order.order_number or str(order.id),
            "court": order.court_name,
            "case_number": order.case_number,
            "provider": self.provider,
        }
        name = render_pattern(self.settings.get(config.RETURNED_DOCUMENT_NAME), fields).strip()
        return safe_filename(f"{_stem(name) or _stem(deliverable.name)}.pdf", "Returned document")
