"""The expense poster's tests use the returns tests' composed workstation on the sandbox."""

from tests.services.returns.conftest import no_backoff_sleeps, roomy_rate_limit

__all__ = ["no_backoff_sleeps", "roomy_rate_limit"]
