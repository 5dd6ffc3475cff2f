"""A per-caller rate limit: token buckets in process memory, so the limit holds per worker."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

RATE_LIMITED = "RATE_LIMITED"


def caller_key(authorization: str | None, client: str | None) -> str:
    """The bucket of a request: its bearer token (hashed, never kept in clear), else its address."""
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return "address:" + (client or "unknown")


class RateLimiter:
    """``rate`` requests per second per key, with bursts of up to ``burst``; 0 disables it.

    Buckets live in this process: with N workers a caller may reach N times the rate. Only the
    ``max_keys`` most recently seen keys are kept, so many distinct callers cannot exhaust memory
    (a forgotten bucket starts full again).
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether requests are limited at all."""
        return self.rate > 0

    def take(self, key: str, count: int = 1) -> float:
        """Spend ``count`` tokens of ``key``'s bucket: 0 when allowed, else the seconds to wait."""
        if not self.enabled or count <= 0:
            return 0.0
        count = min(count, self.burst)
        now = self.clock()
        with self._lock:
            tokens, stamp = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            if tokens >= count:
                tokens -= count
                wait = 0.0
            else:
                wait = (count - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait


def retry_after(wait: float) -> str:
    """The ``Retry-After`` header value for a wait: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait)))
