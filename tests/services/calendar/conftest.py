"""The hearing scheduler's tests run on the composed services of `tests.services.returns.conftest`
(a signed-in workstation on the sandbox, connected to Clio), with the same quick retries and roomy
Clio rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stamina


@pytest.fixture(autouse=True)
def no_backoff_sleeps() -> Iterator[None]:
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture(autouse=True)
def roomy_rate_limit(sandbox_world: Any) -> None:
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})
