"""Per-client rate limits (token buckets) and the request body limit.

Both apply to every request the gateway takes: proxied ones, and its own endpoints (`/oauth/token`,
`/api/v1/admin/...`, `/api/v1/audit`), so no body of any size and no flood reaches anything.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common.problems import PROBLEM_JSON, Problem, problem_response

BODY_TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"description": "Request body too large", "content": {PROBLEM_JSON: {}}}}


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


def check_rate(request: Request, client: str) -> None:
    """429 with Retry-After when `client` has used up its bucket."""
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.take(client)
    if wait:
        raise Problem(429, "Too many requests", f"rate limit: {limiter.per_second:g} requests/s "
                      f"with bursts of {limiter.burst}", slug="rate-limited",
                      headers={"Retry-After": retry_after(wait)})


def too_large(limit: int) -> Problem:
    return Problem(413, "Content too large", f"request bodies are limited to {limit} bytes", slug="body-too-large")


class BodyLimitMiddleware:
    """413 for any request whose body exceeds `limit` bytes: by Content-Length before anything runs,
    and by counting for a body without one (chunked), before the endpoint has seen it whole.

    Pure ASGI, so a proxied body still streams through untouched when it declares its length.
    """

    def __init__(self, app: ASGIApp, limit: Callable[[str], int]) -> None:
        self.app, self.limit_for = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None:
            if not length.isdigit():
                await self._refuse(scope, receive, send, Problem(400, "Bad request", "invalid Content-Length",
                                                                 slug="bad-content-length"))
                return
            if int(length) > limit:
                await self._refuse(scope, receive, send, too_large(limit))
                return
            await self.app(scope, receive, send)
            return
        # No length declared (chunked): read it here, counting, so an endpoint never parses a
        # partial body and FastAPI never turns the refusal into its own 400. Bounded by the limit.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await self._refuse(scope, receive, send, too_large(limit))
                return
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, problem: Problem) -> None:
        response: Any = problem_response(problem.status, problem.title, problem.detail, slug=problem.slug,
                                         instance=scope.get("path"))
        await response(scope, receive, send)
