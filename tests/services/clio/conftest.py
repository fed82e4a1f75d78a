"""Fixtures for the Clio API client tests: connected tokens and clients whose requests are recorded.

Every client built through `clio_client` records the API requests it sends into one session-wide
recorder; `test_requests_conform.py` (always run last) checks them all against Clio's spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import stamina

from app.services.clio.api import ClioClient
from tests.services.clio.helpers import RECORDER, RecordingTransport, StaticTokens, connect_tokens


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the request-conformance check after every other test has recorded its requests."""
    last = [i for i in items if i.nodeid.endswith("::test_every_recorded_request_conforms")]
    items[:] = [i for i in items if i not in last] + last


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    # No backoff waits; enough attempts for two forced UploadTimeoutErrors and a success.
    stamina.set_testing(True, attempts=4)
    yield
    stamina.set_testing(False)


@pytest.fixture(autouse=True)
def _name_recorded_requests(request: pytest.FixtureRequest) -> Iterator[None]:
    RECORDER.current_test = request.node.nodeid
    yield
    RECORDER.current_test = ""


@pytest.fixture
def clio(sandbox_world: Any) -> Any:
    """The Clio emulator's endpoint description."""
    return sandbox_world.endpoints.clio


@pytest.fixture
def faults(sandbox_world: Any) -> Any:
    """The Clio emulator's fault knobs (changeable while it runs)."""
    return sandbox_world.clio_faults


@pytest.fixture
def tokens(sandbox_world: Any) -> tuple[str, str]:
    """(access, refresh) of the demo user, connected through the OAuth pages."""
    return connect_tokens(sandbox_world.endpoints)


@pytest.fixture
def clio_client(clio: Any, tokens: tuple[str, str]) -> Callable[..., ClioClient]:
    """Builds recorded clients: `async with clio_client() as client: ...` (inside the test's loop)."""

    def build(
        token_source: Any = None, transport: RecordingTransport | None = None, **kwargs: Any
    ) -> ClioClient:
        return ClioClient(
            clio.api_url,
            token_source or StaticTokens(tokens[0]),
            transport=transport or RecordingTransport(),
            api_version=clio.api_version,
            **kwargs,
        )

    return build
