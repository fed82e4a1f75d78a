"""A paralegal placing one order, without the window: the real service graph (`app.compose`),
the real intake, the sandbox's Service Provider over HTTP.

Run as `python -m tests.reliability.order_driver FILES_DIR ENDPOINTS_JSON` with
`LEGALCONNECT_DESKTOP_HOME` set to the workstation's profile. It does what the window does at start
and what a user does after:

1. sign in; settle stray draft orders as the app does once per run (`DraftOrderReconciler`), with
   its clock moved past the grace period, as at a start on a later day;
2. resume the saved draft if there is one (and finish there when its order was submitted
   already, as the launcher does), else — when this workstation's order is not in the list
   already — start a new order;
3. add whichever of the files in FILES_DIR the draft does not have yet (a user adding again what
   a crash lost), press Retry on every row that asks for it, go to Review, and press Submit again
   after a refusal it may retry.

It prints one line per phase (`phase …`, flushed, for a test that kills it at a moment) and ends
with `submitted ORDER_ID NUMBER`, or `settled ORDER_ID NUMBER` when the order had been submitted
before this run. A user's presses of Retry and Submit are counted on the `presses` line.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from app.compose import Services, compose, profile_paths, sandbox_target
from app.config import Config
from app.logs import setup_logging
from app.services import http
from app.services.legalconnect.records import Order, OrderStatus
from app.services.secrets import MemoryTokenStore
from app.services.wizard.draft import ComputerSource, DocumentStatus, Party
from app.services.wizard.events import Step
from app.services.wizard.flow import OrderWizard
from app.services.wizard.reconcile import GRACE, DraftOrderReconciler, order_key
from app.services.wizard.submission import OrderSubmission

T = TypeVar("T")

PRESSES = 12
"""How often the user presses a button again before giving up."""


def say(line: str) -> None:
    print(line, flush=True)


class User:
    """Presses a button again after a failure, as a user would (a short pause, a bounded number)."""

    def __init__(self) -> None:
        self.presses = 0

    async def press(self, action: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(1, PRESSES + 1):
            try:
                return await action()
            except http.ServiceError as error:
                if attempt == PRESSES:
                    raise
                self.presses += 1
                say(f"refused {type(error).__name__}: {error.user_message}")
                await asyncio.sleep(0.05)
        raise AssertionError("unreachable")


def plan(files: Path) -> list[tuple[Path, str]]:
    """The order's documents in FILES_DIR, with their filing codes (a motion leads)."""
    codes = {"Motion": "MOTN", "Declaration": "DECL", "Exhibit": "EXHB"}
    planned = [(path, codes[path.stem.split()[0]]) for path in sorted(files.glob("*.pdf"))]
    return sorted(planned, key=lambda item: item[1] != "MOTN")


async def place(services: Services, files: Path, user: User) -> str:
    desk, client, store = services.desk, services.legalconnect, services.store
    workstation = store.workstation_id()
    say(f"workstation {workstation}")
    target = services.target
    await user.press(
        lambda: services.session.sign_in(target.demo_email, target.demo_password, remember=False)
    )
    orders, _ = await user.press(lambda: client.changed_orders(None))
    later = dt.datetime.now(dt.UTC) + GRACE + dt.timedelta(minutes=1)
    reconciler = DraftOrderReconciler(
        client, store, clock=lambda: later, remove_unused_work=desk.remove_unused_work
    )
    reconciled = await reconciler.reconcile(orders)
    say(
        f"reconciled adopted={reconciled.adopted} deleted={reconciled.deleted} "
        f"dropped={reconciled.dropped} cleaned={reconciled.cleaned}"
    )
    catalog = await user.press(desk.catalog)
    saved = desk.saved()
    if len(saved) > 1:
        raise AssertionError(f"{len(saved)} saved drafts; one order was being placed")
    if saved:
        wizard = desk.restore(saved[0].id, catalog)
        say(f"phase resume {wizard.draft.id} with {len(wizard.draft.documents)} document(s)")
    else:
        mine = [o for o in orders if o.client_key.startswith(order_key(workstation, ""))]
        taken = [o for o in mine if o.status is not OrderStatus.DRAFT]
        if taken:  # the orders list shows it submitted: nothing to place again
            return f"settled {taken[0].id} {taken[0].order_number}"
        wizard = desk.new(catalog)
        say(f"phase new {wizard.draft.id}")
    await user.press(lambda: catalog.load_court(client, "LA"))
    submission = desk.submission_for(wizard)
    try:
        return await _finish(wizard, submission, files, user)
    finally:
        submission.close()


async def _finish(wizard: OrderWizard, submission: OrderSubmission, files: Path, user: User) -> str:
    submission.start()
    if wizard.draft.remote_order_id is not None:
        settled = await user.press(submission.settle_if_submitted)
        if settled is not None:
            return f"settled {settled.id} {settled.order_number}"
    draft = wizard.draft
    if not draft.case_title:
        wizard.set_court("LA")
        wizard.set_case_category("civil_unlimited")
        wizard.set_case_type("contract_06")
        wizard.set_case_title("Alvarez v. Harbor Freight Lines")
    say("phase add")
    have = {d.source.path.name for d in draft.documents if isinstance(d.source, ComputerSource)}
    for path, code in plan(files):
        if path.name not in have:
            wizard.add_document(ComputerSource(path), code)
            await asyncio.sleep(0.15)  # one file after another, as picked in the file dialog
    say("phase upload")
    for _ in range(PRESSES):
        await submission.wait_idle()
        failed = [d for d in draft.documents if d.status is DocumentStatus.ERROR]
        if not failed:
            break
        for doc in failed:  # the row says what went wrong and offers Retry
            say(f"retry {doc.display_name}: {doc.error}")
            user.presses += 1
            submission.retry(doc.local_id)
    not_ready = [d.display_name for d in draft.documents if d.status is not DocumentStatus.READY]
    if not_ready:
        raise AssertionError(f"not ready after {PRESSES} presses of Retry: {not_ready}")
    if not draft.parties:
        wizard.add_party(Party("plaintiff", "Elena Alvarez", is_client=True))
    wizard.set_authorize_payment(True)
    while wizard.current is not Step.REVIEW:
        problems = wizard.next()
        if problems:
            raise AssertionError(f"Next refused: {problems}")
    say("phase review")
    await user.press(submission.quote_fees)
    say("phase submit")
    order: Order = await user.press(submission.submit)
    return f"submitted {order.id} {order.order_number}"


async def main(files: Path, endpoints: Path) -> int:
    paths = profile_paths(True)
    settings = Config.open(paths.settings_file)
    logging_setup = setup_logging(paths.log_file, level="INFO")
    target = sandbox_target(paths, endpoints)
    services = compose(paths, settings, target, redactor=logging_setup.redactor, tokens=MemoryTokenStore())
    user = User()
    try:
        outcome = await place(services, files, user)
    finally:
        await services.aclose()
        target.stop()
        logging_setup.close()
    say(f"presses {user.presses}")
    say(outcome)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]))))
