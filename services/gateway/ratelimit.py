"""Failed-login throttle: a sliding window per key, in memory (one gateway process)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from shared.errors import DomainError


class RateLimited(DomainError):
    code = "rate_limited"


class FailureWindow:
    """At most `limit` failures per key within `window` seconds; then refuse until one ages out.

    Refusing *before* the password check also spares the (deliberately slow) argon2 work.
    """

    def __init__(self, limit: int, window: float, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._failures: dict[str, deque[float]] = {}

    def check(self, key: str) -> None:
        if len(self._recent(key)) >= self.limit:
            raise RateLimited("too many failed sign-ins; wait a minute and try again")

    def fail(self, key: str) -> None:
        if key not in self._failures and len(self._failures) >= self.max_keys:
            self._sweep()
        self._failures.setdefault(key, deque()).append(self.clock())

    def succeed(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures.get(key, deque())
        cutoff = self.clock() - self.window
        while stamps and stamps[0] <= cutoff:
            stamps.popleft()
        if not stamps:
            self._failures.pop(key, None)
        return stamps

    def _sweep(self) -> None:
        # Bounded memory under a spray of usernames: drop expired keys, then the oldest tenth
        # (a batch, so that the sweep's cost is spread over many inserts).
        for key in list(self._failures):
            self._recent(key)
        while len(self._failures) > self.max_keys * 0.9:
            del self._failures[next(iter(self._failures))]
