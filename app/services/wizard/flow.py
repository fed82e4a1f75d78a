"""The order wizard as a small Qt-free state machine: steps, back stack, validation, document list.

    wizard = OrderWizard(catalog, store=store)
    wizard.set_court("LA"); ...
    problems = wizard.next()          # {} → moved on; else field key → message, still on this step

Pages render `wizard.draft` and call the setters; every change is announced on `wizard.events` and
autosaved (debounced) to the Store, so a crash loses at most the last half second of typing; an
added document is saved at once, before its work starts.
`OrderWizard.restore` rebuilds a saved draft. Talking to the Service Provider is the submission
service's job (`submission.py`); it reports progress back through `notify_document`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.services.store import Store
from app.services.wizard import rules
from app.services.wizard.autosave import Autosaver, SavedDraft, saved_drafts
from app.services.wizard.document_ops import DocumentListOps, NotAllowed
from app.services.wizard.draft import (
    ClioMatter,
    OrderDraft,
    Party,
)
from app.services.wizard.events import (
    DocumentChanged,
    DraftChanged,
    Step,
    StepChanged,
    WizardEvents,
)
from app.services.wizard.rules import Catalog, Problems

__all__ = ["NEXT_STEP", "STEPS", "NotAllowed", "OrderWizard"]

NEXT_STEP = {
    Step.CASE: Step.PARTIES,
    Step.PARTIES: Step.DOCUMENTS,
    Step.DOCUMENTS: Step.FEES,
    Step.FEES: Step.REVIEW,
}
"""The navigation table; the order of the keys is the order of the pages."""
STEPS = (Step.CASE, Step.PARTIES, Step.DOCUMENTS, Step.FEES, Step.REVIEW)


class OrderWizard(DocumentListOps):
    """The flow of one order: Case → Parties → Documents → Fees → Review."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        store: Store | None = None,
        draft: OrderDraft | None = None,
        provider_name: str = "the Service Provider",
        autosave_delay: float = 0.5,
        history: list[Step] | None = None,
        current: Step = Step.CASE,
        visited: tuple[Step, ...] = (),
    ) -> None:
        self.catalog = catalog
        self.draft = draft or OrderDraft()
        self.provider_name = provider_name
        self.events: WizardEvents = WizardEvents()
        self.current = current
        self.history: list[Step] = list(history or [])
        """The back stack: steps passed on the way to `current`."""
        self._visited = {*self.history, current, *(visited or ())}
        self._autosave = Autosaver(store, self._snapshot, autosave_delay) if store is not None else None

    # -- persistence ----------------------------------------------------------------------------

    def _snapshot(self) -> tuple[str, str, Mapping[str, Any]]:
        payload = {
            "draft": self.draft.to_json(),
            "step": self.current.value,
            "history": [s.value for s in self.history],
            "visited": [s.value for s in self.visited],
        }
        return self.draft.id, self.draft.title, payload

    @staticmethod
    def saved(store: Store) -> list[SavedDraft]:
        """Drafts to offer after a crash or restart (most recent first)."""
        return saved_drafts(store)

    @classmethod
    def restore(cls, store: Store, draft_id: str, catalog: Catalog, **options: Any) -> OrderWizard:
        """Rebuild the saved draft `draft_id` on the step where the user left it. Work that was
        under way (downloads, uploads) starts again once a submission service is attached."""
        row = next((r for r in store.load_drafts() if r.id == draft_id), None)
        if row is None:
            raise KeyError(draft_id)
        draft = OrderDraft.from_json(dict(row.payload["draft"]))
        draft.settle_after_restart()
        history = [Step(s) for s in row.payload.get("history", ())]
        current = Step(row.payload.get("step", Step.CASE.value))
        visited = tuple(Step(s) for s in row.payload.get("visited", ()))
        return cls(
            catalog, store=store, draft=draft, history=history, current=current, visited=visited, **options
        )

    def flush(self) -> None:
        """Write any pending autosave now (closing the window, before quitting)."""
        if self._autosave is not None:
            self._autosave.flush()

    def forget_saved(self) -> None:
        """Stop autosaving and remove the saved copy (after submit, or when the user discards)."""
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave.store.delete_draft(self.draft.id)

    def _changed(self, field: str, *, persist: bool = True) -> None:
        self.events.emit(DraftChanged(field))
        if persist and self._autosave is not None:
            self._autosave.changed()

    def _save_now(self) -> None:
        if self._autosave is not None:
            self._autosave.changed()
            self._autosave.flush()

    def _doc_changed(self, local_id: str, *, persist: bool = True) -> None:
        self.events.emit(DocumentChanged(local_id))
        if persist and self._autosave is not None:
            self._autosave.changed()

    def mark_changed(self, field: str) -> None:
        """The submission service changed a draft field (the remote order id, say): announce and save."""
        self._changed(field)

    def notify_document(self, local_id: str, *, persist: bool = True) -> None:
        """The submission service changed a row (status, progress, facts); `persist=False` for
        changes not worth a save, such as progress."""
        self._doc_changed(local_id, persist=persist)

    # -- navigation -----------------------------------------------------------------------------

    @property
    def can_go_back(self) -> bool:
        return bool(self.history)

    @property
    def visited(self) -> tuple[Step, ...]:
        """Steps reached at least once (in page order): `goto` may jump to any of them."""
        return tuple(s for s in STEPS if s in self._visited)

    def validate(self, step: Step | None = None) -> Problems:
        """What stops `step` (default: the current one) from being accepted."""
        step = step or self.current
        draft, catalog = self.draft, self.catalog
        if step is Step.CASE:
            return rules.case_problems(draft, catalog)
        if step is Step.PARTIES:
            return rules.party_problems(draft, self.catalog)
        if step is Step.DOCUMENTS:
            return rules.document_problems(draft, catalog)
        ready = rules.document_problems(draft, catalog, require_ready=True)
        if step is Step.FEES:
            return rules.fee_problems(draft, self.provider_name) | {
                k: v for k, v in ready.items() if k == "documents"
            }
        return self.problems()

    def problems(self) -> Problems:
        """Everything that stops the order from being submitted, all steps together."""
        return (
            rules.case_problems(self.draft, self.catalog)
            | rules.party_problems(self.draft, self.catalog)
            | rules.document_problems(self.draft, self.catalog, require_ready=True)
            | rules.fee_problems(self.draft, self.provider_name)
        )

    def next(self) -> Problems:
        """Accept the current step and move on. Returns {} on success, else the problems (and
        stays). Review is the last step: submitting is the submission service's job."""
        if self.current not in NEXT_STEP:
            raise NotAllowed("This is the last step: submit the order from here.")
        problems = self.validate()
        if not problems:
            self.history.append(self.current)
            self._go(NEXT_STEP[self.current])
        return problems

    def back(self) -> None:
        """Return to the previous step (nothing is validated going back)."""
        if not self.history:
            raise NotAllowed("This is the first step.")
        self._go(self.history.pop())

    def goto(self, step: Step) -> Problems:
        """Jump to a step already visited. Going forward re-checks the steps in between and stays
        put (returning their problems) if one no longer passes."""
        if step == self.current:
            return {}
        if step not in self.visited:
            raise NotAllowed(f"Finish the earlier steps before {step.label}.")
        if step in self.history:
            self.history = self.history[: self.history.index(step)]
            self._go(step)
            return {}
        passing = STEPS[STEPS.index(self.current) : STEPS.index(step)]
        for between in passing:
            problems = self.validate(between)
            if problems:
                return problems
        self.history.extend(passing)
        self._go(step)
        return {}

    def _go(self, step: Step) -> None:
        self.current = step
        self._visited.add(step)
        self.events.emit(StepChanged(step))
        if self._autosave is not None:
            self._autosave.changed()

    # -- case, parties, Clio matter, fees ------------------------------------------------------

    def _set(self, field: str, value: Any) -> None:
        if getattr(self.draft, field) != value:
            setattr(self.draft, field, value)
            self._changed(field)

    def set_court(self, court_id: str | None) -> None:
        self._set("court_id", court_id)

    def set_case_category(self, category_id: str | None) -> None:
        """Choose the category; a case type of another category is cleared."""
        self._set("case_category_id", category_id)
        category = self.catalog.category(category_id)
        if category is None or category.case_type(self.draft.case_type_id) is None:
            self._set("case_type_id", None)

    def set_case_type(self, type_id: str | None) -> None:
        self._set("case_type_id", type_id)

    def set_new_case(self, new_case: bool) -> None:
        self._set("new_case", new_case)

    def set_case_number(self, number: str) -> None:
        self._set("case_number", number)

    def set_case_title(self, title: str) -> None:
        self._set("case_title", title)

    def add_party(self, party: Party) -> int:
        """Add a party; returns its index."""
        self.draft.parties.append(party)
        self._changed("parties")
        return len(self.draft.parties) - 1

    def update_party(self, index: int, party: Party) -> None:
        self.draft.parties[index] = party
        self._changed("parties")

    def remove_party(self, index: int) -> None:
        del self.draft.parties[index]
        self._changed("parties")

    def set_clio_matter(self, matter: ClioMatter | None) -> None:
        """The user's choice of Clio Client and Matter for returned documents."""
        self.draft.clio_chosen_by_user = True
        self._set("clio", matter)

    def set_expert_review(self, wanted: bool) -> None:
        self._set("expert_review", wanted)

    def set_authorize_payment(self, authorized: bool) -> None:
        self._set("authorize_payment", authorized)
