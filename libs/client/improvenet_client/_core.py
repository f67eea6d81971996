"""The client's mechanics that need no I/O: which calls may be retried, how long to wait, the headers of a
call. The sync and the async clients both use them, so they behave the same."""

from __future__ import annotations

import email.utils
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from improvenet_client.errors import ProblemError
from improvenet_client.operations import Operation

RETRIED_STATUSES = frozenset({429, 503})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class RetryPolicy:
    """Up to `attempts` tries; waits `backoff` seconds doubling up to `max_wait`, or what `Retry-After` says
    (capped at `max_wait` too: a script should not hang for an hour on one header)."""

    attempts: int = 5
    backoff: float = 0.5
    max_wait: float = 30.0

    def wait(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and (after := retry_after(response.headers.get("retry-after"))) is not None:
            return min(after, self.max_wait)
        return float(min(self.backoff * 2 ** attempt, self.max_wait))


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def may_retry_after_transport_error(method: str, headers: httpx.Headers, error: Exception) -> bool:
    """A connection that was never made can always be retried; a call that may have reached the server only
    when repeating it is harmless (a safe method, or a creating POST carrying its Idempotency-Key)."""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return True
    return method in SAFE_METHODS or "idempotency-key" in headers


def path_of(op: Operation[Any], params: dict[str, Any]) -> str:
    """The operation's path with its parameters filled in, each one escaped (an id is never a path)."""
    return API_PREFIX + op.path.format(**{k: quote(str(v), safe="") for k, v in params.items()})


def call_headers(op: Operation[Any], *, if_match: str | int | None = None,
                 idempotency_key: str | None = None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if op.creates:
        # one key per logical call: the retries below send the same one, so the server answers once
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
    if if_match is not None:
        headers["If-Match"] = f'"{if_match}"' if isinstance(if_match, int) else if_match
    return headers


def raise_for_problem(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        body: Any = response.json()
    except ValueError:
        body = {"detail": response.text[:500] or None}
    raise ProblemError.from_response(response.status_code, response.reason_phrase, body,
                                     response.headers.get("x-request-id"))


def decode(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    return response.json()


@dataclass
class Token:
    value: str
    expires_at: float  # time.monotonic() seconds

    def fresh(self, margin: float) -> bool:
        return time.monotonic() < self.expires_at - margin


def refresh_margin(expires_in: float) -> float:
    """Renew this long before expiry: a tenth of the lifetime, between 5 s and 60 s."""
    return max(5.0, min(60.0, expires_in / 10))


CLI_CLIENT_ID = "improvenet-cli"  # the gateway's public client for the command line (device flow)
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEVICE_WAITING = ("authorization_pending", "slow_down")  # RFC 8628 §3.5: keep polling (slower for the second)


@dataclass(frozen=True)
class PersonTokens:
    """A signed-in person's tokens: the access token with its wall-clock expiry (so a later process can use
    it) and the refresh token, which the gateway rotates on every use."""

    refresh_token: str
    access_token: str | None = None
    expires_at: float = 0.0  # time.time() seconds
    lifetime: float = 900.0  # the access token's whole lifetime, for the renewal margin

    def usable(self, refused: str | None = None) -> bool:
        return (self.access_token is not None and self.access_token != refused
                and time.time() < self.expires_at - refresh_margin(self.lifetime))


class TokenStore(Protocol):
    """Where a person's tokens live between calls and processes (the CLI: a 0600 file per profile). A
    rotated refresh token may be spent once: `locked()` keeps two processes from spending the same one."""

    def locked(self) -> AbstractContextManager[None]: ...

    def load(self) -> PersonTokens | None: ...

    def save(self, tokens: PersonTokens) -> None: ...


def device_poll_error(response: httpx.Response) -> str | None:
    """The RFC 6749 `error` member of a token endpoint's refusal, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def today() -> str:
    return datetime.now(UTC).date().isoformat()
