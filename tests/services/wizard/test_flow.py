"""The order wizard headless: navigation, validation messages, the document list, autosave."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.services.store import Store
from app.services.wizard.draft import ClioMatter, ClioSource, ComputerSource, DocumentStatus, Party, Role
from app.services.wizard.events import (
    DocumentAdded,
    DocumentChanged,
    DocumentRemoved,
    DocumentsReordered,
    Step,
    StepChanged,
    WizardEvent,
)
from app.services.wizard.flow import NotAllowed, OrderWizard
from app.services.wizard.rules import Catalog
from tests.services.wizard.conftest import fill_case

PDF = ComputerSource(Path("/nowhere/Motion.pdf"))


def _ready(wizard: OrderWizard) -> None:
    for doc in wizard.draft.documents:
        doc.status = DocumentStatus.READY


def test_every_step_forward_and_back_with_messages(catalog: Catalog) -> None:
    wizard = OrderWizard(catalog, provider_name="Pacific Crest")
    seen: list[WizardEvent] = []
    wizard.events.subscribe(seen.append)
    assert wizard.current is Step.CASE and not wizard.can_go_back

    assert wizard.next() == {
        "court_id": "Choose the court.",
        "case_category_id": "Choose the case category.",
        "case_title": "Enter the case title (at most 100 characters for this court).",
    }
    assert wizard.current is Step.CASE
    fill_case(wizard)
    assert wizard.next() == {}
    assert wizard.current is Step.PARTIES and wizard.can_go_back

    assert wizard.next() == {
        "parties": "Add the plaintiff: a new case needs at least one party who brings it."
    }
    wizard.add_party(Party("plaintiff", " "))
    assert wizard.next() == {"parties.0.name": "Enter the party's name."}
    wizard.update_party(0, Party("plaintiff", "Elena Alvarez", is_client=True))
    assert wizard.next() == {}

    assert wizard.next() == {"documents": "Add at least one document."}
    wizard.add_document(PDF, "MOTN")
    assert wizard.next() == {}, "leaving Documents while files are still being prepared is fine"

    assert wizard.next() == {
        "authorize_payment": "Authorize Pacific Crest to pay the court fees to continue.",
        "documents": "Wait until every document is uploaded (1 document is still being prepared).",
    }
    wizard.set_authorize_payment(True)
    _ready(wizard)
    assert wizard.next() == {}
    assert wizard.current is Step.REVIEW and wizard.problems() == {}
    with pytest.raises(NotAllowed):
        wizard.next()

    wizard.back()
    assert wizard.current is Step.FEES
    assert wizard.goto(Step.REVIEW) == {}
    assert wizard.goto(Step.CASE) == {}
    assert wizard.history == [] and wizard.current is Step.CASE
    with pytest.raises(NotAllowed):
        wizard.back()
    steps = [e.step for e in seen if isinstance(e, StepChanged)]
    assert steps == [Step.PARTIES, Step.DOCUMENTS, Step.FEES, Step.REVIEW, Step.FEES, Step.REVIEW, Step.CASE]


def test_goto_forward_rechecks_the_steps_in_between(catalog: Catalog) -> None:
    wizard = OrderWizard(catalog)
    fill_case(wizard)
    wizard.add_party(Party("plaintiff", "Dana Cole"))
    assert wizard.next() == {} and wizard.next() == {}
    assert wizard.current is Step.DOCUMENTS
    assert wizard.goto(Step.CASE) == {}
    assert wizard.visited == (Step.CASE, Step.PARTIES, Step.DOCUMENTS)
    wizard.set_case_title("")
    assert wizard.goto(Step.DOCUMENTS) == {
        "case_title": "Enter the case title (at most 100 characters for this court)."
    }
    assert wizard.current is Step.CASE
    wizard.set_case_title("Cole v. Cole")
    assert wizard.goto(Step.DOCUMENTS) == {}
    assert wizard.history == [Step.CASE, Step.PARTIES]
    with pytest.raises(NotAllowed, match="Finish the earlier steps before Fees"):
        wizard.goto(Step.FEES)


def test_case_rules(catalog: Catalog) -> None:
    wizard = OrderWizard(catalog)
    fill_case(wizard)
    wizard.set_new_case(False)
    assert wizard.validate() == {"case_number": "Enter the case number of the existing case."}
    wizard.set_case_number("24STCV01234")
    wizard.set_case_title("x" * 101)
    assert wizard.validate() == {
        "case_title": "The case title has 101 characters; this court allows at most 100."
    }
    wizard.set_case_title("Alvarez v. Harbor")
    wizard.set_case_category("family")
    assert wizard.draft.case_type_id is None, "a type of another category is cleared"
    assert wizard.validate() == {"case_type_id": "Choose a case type of Family Law."}
    wizard.set_case_type("dvro")
    assert wizard.validate() == {}
    assert wizard.validate(Step.PARTIES) == {}, "an existing case needs no parties here"


def test_document_list_operations_and_the_one_lead_rule(catalog: Catalog) -> None:
    wizard = OrderWizard(catalog)
    fill_case(wizard)
    seen: list[WizardEvent] = []
    wizard.events.subscribe(seen.append)
    exhibit = wizard.add_document(ComputerSource(Path("/x/Exhibit A.pdf")), "EXHB")
    motion = wizard.add_document(PDF, "MOTN")
    decl = wizard.add_document(ComputerSource(Path("/x/Declaration.pdf")), "DECL")
    roles = {d.display_name: d.role for d in wizard.draft.documents}
    assert roles == {
        "Exhibit A.pdf": Role.ATTACHMENT,
        "Motion.pdf": Role.LEAD,
        "Declaration.pdf": Role.ATTACHMENT,
    }
    assert [e for e in seen if isinstance(e, DocumentAdded)] == [
        DocumentAdded(exhibit, 0),
        DocumentAdded(motion, 1),
        DocumentAdded(decl, 2),
    ]
    assert wizard.validate(Step.DOCUMENTS) == {}

    with pytest.raises(NotAllowed, match="Exhibit can only be an attachment"):
        wizard.set_lead(exhibit)
    seen.clear()
    wizard.set_lead(decl)
    assert [d.role for d in wizard.draft.documents] == [Role.ATTACHMENT, Role.ATTACHMENT, Role.LEAD]
    assert set(seen) == {DocumentChanged(motion), DocumentChanged(decl)}
    assert wizard.validate(Step.DOCUMENTS) == {
        f"documents.{motion}": "A Notice of Motion and Motion must be the lead document; make “Motion.pdf” "
        "the lead or file it in its own order."
    }
    wizard.set_document_type(motion, "DECL")
    assert wizard.validate(Step.DOCUMENTS) == {}

    seen.clear()
    wizard.move_up(decl)
    wizard.move_up(decl)
    wizard.move_up(decl)  # already first: nothing happens
    wizard.move_down(exhibit)
    order = [d.local_id for d in wizard.draft.documents]
    assert order == [decl, motion, exhibit]
    reorders = [e for e in seen if isinstance(e, DocumentsReordered)]
    assert len(reorders) == 3 and reorders[-1] == DocumentsReordered(tuple(order))

    removed = wizard.remove_document(decl)
    assert isinstance(seen[-2], DocumentRemoved) and seen[-2] == DocumentRemoved(removed, 0)
    assert wizard.validate(Step.DOCUMENTS) == {"documents": "Mark one document as the lead document."}
    assert wizard.undo_remove() == decl
    assert wizard.undo_remove() is None, "one undo only"
    assert [d.local_id for d in wizard.draft.documents] == order
    assert wizard.document(decl).role is Role.LEAD and wizard.document(decl).status is DocumentStatus.PENDING

    wizard.remove_document(decl)
    wizard.set_lead(motion)
    wizard.undo_remove()
    assert wizard.document(decl).role is Role.ATTACHMENT, "the lead was taken meanwhile"

    wizard.document(exhibit).status = DocumentStatus.ERROR
    wizard.document(exhibit).error = "Exhibit A.pdf is password-protected or encrypted."
    assert wizard.validate(Step.DOCUMENTS) == {
        f"documents.{exhibit}": "Exhibit A.pdf is password-protected or encrypted."
    }


def test_size_limits_of_the_court(catalog: Catalog) -> None:
    wizard = OrderWizard(catalog)
    fill_case(wizard, court="SD")
    big = wizard.add_document(PDF, "MOTN")
    wizard.document(big).size = 40 * 2**20
    other = wizard.add_document(ComputerSource(Path("/x/Declaration.pdf")), "DECL")
    wizard.document(other).size = 30 * 2**20
    problems = wizard.validate(Step.DOCUMENTS)
    assert problems[f"documents.{big}"] == (
        "“Motion.pdf” is 40 MB; the Superior Court of California, County of San Diego accepts at most "
        "35 MB per document. Split it."
    )
    assert problems["documents"].startswith("The documents together are 70 MB;")
    wizard.rename_document(other, "D" * 51 + ".pdf")
    assert "longer than the 50 characters" in wizard.validate(Step.DOCUMENTS)[f"documents.{other}"]


def test_word_copy_of_a_proposed_order_in_los_angeles(catalog: Catalog, tmp_path: Path) -> None:
    wizard = OrderWizard(catalog)
    fill_case(wizard, court="LA")
    wizard.add_document(PDF, "MOTN")
    order = wizard.add_document(ComputerSource(Path("/x/Proposed Order.pdf")), "PORD")
    assert wizard.validate(Step.DOCUMENTS) == {
        f"documents.{order}": "Superior Court of California, County of Los Angeles wants an editable "
        "Word copy of “Proposed Order.pdf” (Proposed Order); add one."
    }
    wizard.set_court("SD")
    assert wizard.validate(Step.DOCUMENTS) == {}, "San Diego does not ask for one"
    wizard.set_court("LA")
    word = tmp_path / "Proposed Order.docx"
    word.write_bytes(b"PK")
    wizard.set_word_copy(order, word)
    assert wizard.validate(Step.DOCUMENTS) == {}


def test_clio_documents_preselect_the_matter_until_the_user_chooses(catalog: Catalog) -> None:
    wizard = OrderWizard(catalog)
    alvarez = ClioMatter(11, "Alvarez, Elena", 101, "00001-Alvarez")
    other = ClioMatter(12, "Baker, Sam", 102, "00002-Baker")
    wizard.add_document(
        ClioSource(5, "Complaint.pdf", "Alvarez, Elena › 00001-Alvarez › Pleadings", alvarez), "MOTN"
    )
    assert wizard.draft.clio == alvarez
    assert wizard.draft.documents[0].source.description == "Clio: Alvarez, Elena › 00001-Alvarez › Pleadings"
    wizard.set_clio_matter(other)
    wizard.add_document(ClioSource(6, "Decl.pdf", "", alvarez), "DECL")
    assert wizard.draft.clio == other


def test_autosave_and_restore_after_a_crash(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    store = Store.open(path)
    wizard = OrderWizard(catalog, store=store)
    fill_case(wizard)
    wizard.add_party(Party("plaintiff", "Elena Alvarez", is_client=True))
    wizard.next()
    wizard.next()
    motion = wizard.add_document(PDF, "MOTN")
    clio = ClioSource(7, "Decl.pdf", "Alvarez › Pleadings", ClioMatter(1, "Alvarez", 2, "00001"), size=48_213)
    decl = wizard.add_document(clio, "DECL")
    wizard.document(motion).status = DocumentStatus.UPLOADING
    wizard.document(motion).remote_document_id = 42
    wizard.notify_document(motion)
    wizard.document(decl).status = DocumentStatus.READY
    wizard.document(decl).remote_uploaded = True
    wizard.notify_document(decl)
    # No flush, no close: the process dies here. Without a running loop every change saved at once.
    other = Store.open(path)
    saved = OrderWizard.saved(other)
    assert [(s.id, s.title, s.document_count) for s in saved] == [
        (wizard.draft.id, "Alvarez v. Harbor Freight Lines", 2)
    ]
    restored = OrderWizard.restore(other, saved[0].id, catalog)
    assert restored.current is Step.DOCUMENTS and restored.history == [Step.CASE, Step.PARTIES]
    assert restored.draft.parties == wizard.draft.parties
    assert restored.draft.clio == ClioMatter(1, "Alvarez", 2, "00001")
    assert restored.document(decl).source == clio and restored.document(decl).status is DocumentStatus.READY
    assert restored.document(motion).status is DocumentStatus.PENDING, "interrupted work starts again"
    assert restored.document(motion).remote_document_id == 42
    assert "token" not in str(other.load_drafts()[0].payload)

    restored.forget_saved()
    assert OrderWizard.saved(other) == []
    restored.set_case_title("after discard")
    assert OrderWizard.saved(other) == [], "a discarded draft is not saved again"
    store.close()
    other.close()


def test_autosave_is_debounced_on_a_running_loop(catalog: Catalog, tmp_path: Path) -> None:
    async def body() -> None:
        store = Store.open(tmp_path / "app.sqlite3")
        wizard = OrderWizard(catalog, store=store, autosave_delay=60)
        for letter in "Alvarez":
            wizard.set_case_title(wizard.draft.case_title + letter)
        assert store.load_drafts() == []
        wizard.flush()
        assert [d.title for d in store.load_drafts()] == ["Alvarez"]
        store.close()

    asyncio.run(body())


def test_an_added_document_is_saved_before_its_work_starts(catalog: Catalog, tmp_path: Path) -> None:
    """A row added just before a crash is in the restored draft: adding a document saves the draft
    at once (before the submission service hears of it), not after the autosave's delay."""

    async def body() -> None:
        path = tmp_path / "app.sqlite3"
        store = Store.open(path)
        wizard = OrderWizard(catalog, store=store, autosave_delay=60)
        fill_case(wizard)
        saved_when_heard: list[int] = []

        def heard(event: object) -> None:  # what the submission service sees first
            if isinstance(event, DocumentAdded):
                draft = Store.open(path).load_drafts()
                saved_when_heard.append(len(draft[0].payload["draft"]["documents"]) if draft else 0)

        wizard.events.subscribe(heard)
        motion = wizard.add_document(PDF, "MOTN")
        assert saved_when_heard == [1]
        wizard.remove_document(motion)
        wizard.undo_remove()
        assert saved_when_heard == [1, 1]
        # The process dies here: nothing flushed, the 60 s autosave never ran.
        restored = OrderWizard.restore(Store.open(path), wizard.draft.id, catalog)
        assert [d.local_id for d in restored.draft.documents] == [motion]
        store.close()

    asyncio.run(body())


def test_parties_follow_the_kind_of_case(catalog: Catalog) -> None:
    """A civil case is brought by a plaintiff; a family law case by a petitioner, and has no
    plaintiff; an existing case needs no party here (they are on file with the court)."""
    wizard = OrderWizard(catalog)
    fill_case(wizard)
    wizard.next()
    wizard.add_party(Party("respondent", "Dana Cole"))
    assert wizard.next() == {
        "parties.0.role": "A Civil Unlimited case has no respondent; its parties are: Plaintiff, Defendant, "
        "Cross-complainant, Cross-defendant, Real party in interest.",
        "parties": "Add the plaintiff: a new case needs at least one party who brings it.",
    }
    wizard.back()
    wizard.set_case_category("family")
    wizard.set_case_type("dvro")
    assert wizard.next() == {}
    assert wizard.next() == {
        "parties": "Add the petitioner: a new case needs at least one party who brings it."
    }
    wizard.add_party(Party("plaintiff", "Elena Alvarez"))
    assert wizard.next()["parties.1.role"].startswith(
        "A Family Law case has no plaintiff; its parties are: Petitioner"
    )
    wizard.update_party(1, Party("petitioner", "Elena Alvarez"))
    assert wizard.next() == {}
    wizard.back()
    wizard.back()
    wizard.set_new_case(False)
    wizard.set_case_number("24STFL01234")
    wizard.remove_party(1)
    wizard.remove_party(0)
    assert wizard.next() == {} and wizard.next() == {}, "an existing case's parties are on file"
