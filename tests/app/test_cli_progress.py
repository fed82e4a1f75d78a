"""The headless command's progress lines and what decides its exit status, from the services' events."""

from __future__ import annotations

import io

from app.cli import Progress
from app.services.returns.filer import RatePaused, RunFinished
from app.services.returns.status import Blocker, OrderFiling
from tests.views.test_orders_models import order


def test_rate_limit_waits_are_one_line_and_not_a_failure() -> None:
    out = io.StringIO()
    progress = Progress(out)
    progress.filer(RatePaused(42.4))
    progress.filer(RatePaused(0.0))  # going on says nothing
    progress.filer(RunFinished(()))
    assert out.getvalue().splitlines() == ["Waiting for Clio's rate limit: going on in about 42 s"]
    assert not progress.failed


def test_pending_returns_say_why_and_only_a_persons_choice_is_not_a_failure() -> None:
    out = io.StringIO()
    progress = Progress(out)
    waiting_for_matter = (order(1, "accepted"), OrderFiling(2, 0, 0, Blocker.NO_MATTER))
    progress.filer(RunFinished((waiting_for_matter,)))
    assert not progress.failed  # a person must choose the matter: running again would not help
    failed = (order(2, "accepted"), OrderFiling(4, 1, 3, None))
    elsewhere = (order(3, "accepted"), OrderFiling(2, 0, 0, None))
    progress.filer(RunFinished((failed, elsewhere)))
    assert progress.failed
    lines = out.getvalue().splitlines()
    assert (
        lines[0]
        == "Order 2400001: 2 returned document(s) not in Clio: Waiting — choose the Clio matter for this "
        "order"
    )
    assert (
        lines[1] == "Order 2400002: 3 returned document(s) not in Clio: 3 failed; tried again at the next run"
    )
    assert lines[2].startswith("Order 2400003: 2 returned document(s) not in Clio: not filed yet")


def test_fees_posted_and_waiting_are_one_line_each() -> None:
    from app.services.expenses.poster import FeesPosted, PostingFinished
    from app.services.expenses.status import OrderFees

    out = io.StringIO()
    progress = Progress(out)
    progress.fees(FeesPosted(order(1, "accepted"), 4, 48_790))
    no_matter = (order(2, "accepted"), OrderFees(0, 0, 0, Blocker.NO_MATTER))
    progress.fees(PostingFinished((no_matter,)))
    assert not progress.failed  # choosing the matter is a person's job
    not_connected = (order(3, "accepted"), OrderFees(4, 0, 0, Blocker.NOT_CONNECTED))
    failed = (order(4, "accepted"), OrderFees(4, 2, 2, None))
    progress.fees(PostingFinished((not_connected, failed)))
    assert progress.failed
    assert out.getvalue().splitlines() == [
        "Order 2400001: 4 fee(s) posted into Clio as expenses ($487.90)",
        "Order 2400002: its fee(s) not in Clio: Waiting — choose the Clio matter for this order",
        "Order 2400003: 4 fee(s) not in Clio: Waiting for Clio — connect to Clio to post them",
        "Order 2400004: 2 fee(s) not in Clio: 2 failed; tried again at the next run",
    ]
