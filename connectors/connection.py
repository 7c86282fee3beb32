"""How a client reaches its system: timeout, retries and the CA bundle, one settings object per client."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.retry import RetryPolicy


@dataclass(frozen=True)
class Connection:
    """The connection options of one client: request timeout, retry policy, and the CA bundle to verify with."""

    timeout: float = 30.0
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    ca_bundle: str | None = None

    @property
    def policy(self) -> RetryPolicy:
        """The retry policy of these options."""
        return RetryPolicy(self.max_attempts, self.backoff_base, self.backoff_max)

    @property
    def verify(self) -> bool | str:
        """What to verify TLS with: the CA bundle, else the system's trust store."""
        return self.ca_bundle or True


DEFAULT_CONNECTION = Connection()
