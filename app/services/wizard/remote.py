"""Keeping the Service Provider's draft order in line with the wizard's draft.

`order_fields` says what to send for the case (values the provider would refuse are left out, so
one half-typed field never blocks uploads); `reconcile_documents` makes the provider's documents
match the draft's rows before fees are quoted or the order is submitted.
"""

from __future__ import annotations

from typing import Any

from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Order
from app.services.wizard import rules
from app.services.wizard.draft import DraftDocument, OrderDraft
from app.services.wizard.rules import Catalog


def order_fields(draft: OrderDraft, catalog: Catalog) -> dict[str, Any]:
    """The draft's case fields for the Service Provider, leaving out values it would refuse."""
    wrong = rules.case_problems(draft, catalog)
    fields: dict[str, Any] = {"new_case": draft.new_case, "expert_review": draft.expert_review}
    fields["court_id"] = None if "court_id" in wrong else draft.court_id
    fields["case_category_id"] = None if "case_category_id" in wrong else draft.case_category_id
    fields["case_type_id"] = None if {"case_category_id", "case_type_id"} & set(wrong) else draft.case_type_id
    number_ok = not draft.new_case and "case_number" not in wrong
    fields["case_number"] = draft.case_number.strip() if number_ok else None
    fields["case_title"] = None if "case_title" in wrong else draft.case_title.strip()
    bad_parties = rules.party_problems(draft)
    fields["parties"] = [
        {"role": p.role.strip(), "kind": p.kind, "name": p.name.strip(), "is_client": p.is_client}
        for i, p in enumerate(draft.parties)
        if not any(key.startswith(f"parties.{i}.") for key in bad_parties)
    ]
    clio = draft.clio
    fields["clio"] = (
        {
            "client_id": clio.client_id,
            "matter_id": clio.matter_id,
            "matter_display_number": clio.matter_display_number,
        }
        if clio
        else None
    )
    return fields


async def reconcile_documents(client: LegalConnectClient, draft: OrderDraft, order: Order) -> None:
    """Make the provider's documents of `order` match the draft: remove those the draft no longer
    has, then set names, types, roles and the order of the rest."""
    order_id = order.id
    by_id = {r.id: r for r in order.documents}
    docs = [d for d in draft.documents if d.remote_document_id in by_id]
    wanted = [i for d in docs for i in _remote_ids(d) if i in by_id]
    for remote in order.documents:
        if remote.id not in wanted:
            await client.delete_document(order_id, remote.id)  # its Word copy goes with it
    for doc in docs:
        if doc.word_copy_path is None:
            doc.remote_word_copy_id, doc.word_copy_uploaded = None, False
        remote = by_id[doc.remote_document_id or 0]
        name = doc.display_name if remote.name != doc.display_name else None
        code = doc.filing_code if remote.filing_code != doc.filing_code else None
        role = doc.role.value if remote.role != doc.role.value else None
        if name or code or role:
            await client.update_document(order_id, remote.id, name=name, filing_code=code, role=role)
    current = [r.id for r in sorted(order.documents, key=lambda r: r.sort_order) if r.id in wanted]
    if wanted and wanted != current:
        await client.reorder_documents(order_id, wanted)


def _remote_ids(doc: DraftDocument) -> list[int]:
    """The provider's ids of this row's documents, in filing order: the PDF, then its Word copy."""
    ids = [doc.remote_document_id] if doc.remote_document_id is not None else []
    if doc.word_copy_path is not None and doc.remote_word_copy_id is not None:
        ids.append(doc.remote_word_copy_id)
    return ids
