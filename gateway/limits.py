"""Per-client rate limits (token buckets) and the request body limit, enforced before proxying."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client: `burst` requests at once, refilled at `per_second`.

    In-process: each gateway replica limits on its own, so the platform-wide limit is the sum.
    """

    def __init__(self, per_second: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = 100_000):
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, Bucket] = {}
        self._max_clients = max_clients

    def take(self, client: str) -> float:
        """0 when the request may go; else the seconds until it may (for Retry-After)."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self._max_clients:
                self._buckets.clear()  # bounded memory; an evicted client simply starts with a full bucket
            bucket = self._buckets[client] = Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.per_second


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
