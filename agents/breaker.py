"""A circuit breaker per model endpoint (base URL + model): a failing endpoint is left alone for a while.

After MODEL_BREAKER_THRESHOLD consecutive failures of an endpoint (unreachable, an error status, no
answer within the decision budget) its breaker opens: every decision point on it uses its deterministic
twin at once instead of waiting out another timeout. After MODEL_BREAKER_COOLDOWN one call is let
through; its success closes the breaker, its failure opens it for another cooldown. An answer that
arrives but does not fit the contract is not the endpoint failing. State is per process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

clock: Callable[[], float] = time.monotonic  # tests move time forward instead of sleeping

_lock = threading.Lock()


@dataclass
class Breaker:
    endpoint: str
    threshold: int
    cooldown: float
    failures: int = 0
    opened_at: float | None = None
    trial: bool = False  # the one call let through after the cooldown is in flight

    def refusal(self) -> str | None:
        """None when the endpoint may be called now; otherwise why not (the breaker is open)."""
        with _lock:
            if self.opened_at is None:
                return None
            left = self.cooldown - (clock() - self.opened_at)
            if left <= 0 and not self.trial:
                self.trial = True
                return None
            return (
                f"endpoint {self.endpoint} failed {self.failures} time(s) in a row; not called for "
                f"{max(left, 0):.0f} s more (circuit open, MODEL_BREAKER_COOLDOWN={self.cooldown:g})"
            )

    def succeeded(self) -> None:
        with _lock:
            self.failures, self.opened_at, self.trial = 0, None, False

    def failed(self) -> None:
        with _lock:
            self.failures += 1
            self.trial = False
            if self.failures >= self.threshold or self.opened_at is not None:
                self.opened_at = clock()


_breakers: dict[str, Breaker] = {}


def breaker_for(endpoint: str, threshold: int, cooldown: float) -> Breaker:
    with _lock:
        breaker = _breakers.get(endpoint)
        if breaker is None:
            breaker = _breakers[endpoint] = Breaker(endpoint, threshold, cooldown)
        breaker.threshold, breaker.cooldown = threshold, cooldown  # the settings in force now
        return breaker


def reset_breakers() -> None:
    with _lock:
        _breakers.clear()
