"""The webhook dispatcher: sends pending deliveries, signed, at least once, in order per aggregate.

A pass claims due deliveries in one short transaction (under an advisory lock, so two dispatchers
never claim past each other) and leases them by moving `next_attempt_at` past the time their sending
may take; a crash mid-flight only means the lease runs out and they go again (at least once; the
receiver deduplicates on `webhook-id`, which is the event id). A delivery is held back while an earlier
delivery of the same subscription and aggregate is pending and not due (backing off or in flight), so
each aggregate's events arrive in order. Each (subscription, aggregate) group is sent by its own task,
one request after another, while other groups go in parallel; the pass does not wait for them.

A failure (no answer, or not 2xx) backs off exponentially (`retry_base_seconds` doubling up to
`retry_max_seconds`); a delivery still failing `retry_window_seconds` after its first failure
disables the subscription with the reason, and records an event in the gateway's outbox in the same
transaction. Pending deliveries stay, so a re-enable sends everything that was missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.partners.settings import PartnerSettings
from gateway.partners.signing import webhook_headers
from gateway.partners.store import prune, with_schema_base
from libs.common.db import session_factory, unit_of_work
from libs.common.outbox import record_events
from libs.contracts.gateway import PartnerSubscriptionDisabled

log = logging.getLogger(__name__)
CLAIM_LOCK = 0x1A7E_0002


CLAIM = text(
    """
    SELECT d.subscription_id, d.event_seq, d.aggregate, d.attempts, d.first_failed_at,
           e.event_id, e.cloudevent, s.url, s.secret, s.previous_secret, s.previous_secret_expires_at
    FROM partner_deliveries d
    JOIN partner_subscriptions s ON s.id = d.subscription_id
    JOIN partner_events e ON e.seq = d.event_seq
    WHERE d.delivered_at IS NULL AND d.next_attempt_at <= now()
      AND s.status = 'active' AND s.mode = 'webhook'
      AND e.tenant_id = s.tenant_id AND e.type = ANY(s.types)
      AND NOT EXISTS (
        SELECT 1 FROM partner_deliveries b
        WHERE b.subscription_id = d.subscription_id AND b.aggregate = d.aggregate
          AND b.delivered_at IS NULL AND b.event_seq < d.event_seq AND b.next_attempt_at > now())
    ORDER BY d.event_seq
    LIMIT :limit
    FOR UPDATE OF d SKIP LOCKED
    """
)
LEASE = text(
    "UPDATE partner_deliveries d SET next_attempt_at = now() + make_interval(secs => l.secs) "
    "FROM unnest(CAST(:subs AS uuid[]), CAST(:seqs AS bigint[]), CAST(:secs AS float8[])) AS l(sub, seq, secs) "
    "WHERE d.subscription_id = l.sub AND d.event_seq = l.seq")
DELIVERED = text(
    "UPDATE partner_deliveries SET delivered_at = now(), attempts = attempts + 1, last_status = :status, "
    "last_error = NULL, first_failed_at = NULL WHERE subscription_id = :sub AND event_seq = :seq")
FAILED = text(
    "UPDATE partner_deliveries SET attempts = attempts + 1, last_status = :status, last_error = :error, "
    "first_failed_at = coalesce(first_failed_at, now()), "
    "next_attempt_at = now() + make_interval(secs => :delay) "
    "WHERE subscription_id = :sub AND event_seq = :seq RETURNING first_failed_at, attempts")
RELEASE = text(
    "UPDATE partner_deliveries SET next_attempt_at = now() "
    "WHERE subscription_id = :sub AND event_seq = ANY(:seqs) AND delivered_at IS NULL")
DISABLE = text(
    "UPDATE partner_subscriptions SET status = 'disabled', disabled_reason = :reason, disabled_at = now(), "
    "version = version + 1, updated_at = now() WHERE id = :sub AND status = 'active' "
    "RETURNING tenant_id, client_id, disabled_at")


def backoff_seconds(attempts: int, settings: PartnerSettings) -> float:
    """Exponential: base, 2*base, 4*base, ... capped; `attempts` counts the failed ones so far."""
    return float(min(settings.retry_base_seconds * 2 ** max(attempts - 1, 0), settings.retry_max_seconds))


@dataclass
class Pending:
    subscription_id: uuid.UUID
    seq: int
    aggregate: str
    attempts: int
    first_failed_at: datetime | None
    event_id: str
    cloudevent: dict[str, Any]
    url: str
    secrets: list[str]


@dataclass
class Stats:
    delivered: int = 0
    failed_attempts: int = 0
    disabled: int = 0


class WebhookDispatcher:
    def __init__(self, engine: AsyncEngine, settings: PartnerSettings | None = None,
                 client: httpx.AsyncClient | None = None) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self.settings = settings or PartnerSettings()
        self._client = client or httpx.AsyncClient(timeout=self.settings.request_timeout_seconds,
                                                   follow_redirects=False,
                                                   limits=httpx.Limits(max_connections=self.settings
                                                                       .dispatch_concurrency))
        self._owns_client = client is None
        self._slots = asyncio.Semaphore(self.settings.dispatch_concurrency)
        self._inflight: set[asyncio.Task[None]] = set()
        self.stats = Stats()

    # --- one pass ------------------------------------------------------------------------------

    async def claim(self) -> list[list[Pending]]:
        """Due deliveries, grouped per (subscription, aggregate) in order, leased for their sending."""
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CLAIM_LOCK})
            rows = (await conn.execute(CLAIM, {"limit": self.settings.dispatch_batch_size})).all()
            groups: dict[tuple[uuid.UUID, str], list[Pending]] = {}
            for r in rows:
                secrets = [r.secret] if r.secret else []
                if r.previous_secret and r.previous_secret_expires_at and r.previous_secret_expires_at > now:
                    secrets.append(r.previous_secret)
                groups.setdefault((r.subscription_id, r.aggregate), []).append(Pending(
                    r.subscription_id, int(r.event_seq), r.aggregate, int(r.attempts), r.first_failed_at,
                    str(r.event_id), dict(r.cloudevent), r.url, secrets))
            if rows:
                # Lease for the worst case: groups wait for a slot in waves, and the last of a group
                # waits for every request before it. Too long a lease only delays a retry after a crash.
                waves = -(-len(groups) // self.settings.dispatch_concurrency)
                longest = max(len(g) for g in groups.values())
                lease = self.settings.request_timeout_seconds * waves * longest + 5.0
                pending = [p for g in groups.values() for p in g]
                await conn.execute(LEASE, {"subs": [p.subscription_id for p in pending],
                                           "seqs": [p.seq for p in pending], "secs": [lease] * len(pending)})
        return list(groups.values())

    async def _send(self, p: Pending) -> tuple[int | None, str | None]:
        """One signed POST; (status, error), error None on a 2xx answer."""
        ce = with_schema_base(p.cloudevent, self.settings.public_url)
        body = json.dumps(ce, separators=(",", ":")).encode()
        headers = webhook_headers(p.secrets, p.event_id, int(time.time()), body)
        try:
            response = await self._client.post(p.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code}"

    async def deliver_group(self, group: Sequence[Pending]) -> None:
        """Send a (subscription, aggregate) group in order; stop at its first failure."""
        async with self._slots:
            for n, p in enumerate(group):
                status, error = await self._send(p)
                if error is None:
                    async with self._engine.begin() as conn:
                        await conn.execute(DELIVERED, {"status": status, "sub": p.subscription_id, "seq": p.seq})
                    self.stats.delivered += 1
                    continue
                await self._failed(p, status, error, later=[q.seq for q in group[n + 1:]])
                return

    async def _failed(self, p: Pending, status: int | None, error: str, later: list[int]) -> None:
        self.stats.failed_attempts += 1
        delay = backoff_seconds(p.attempts + 1, self.settings)
        async with unit_of_work(self._sessions) as session:
            first_failed_at, attempts = (await session.execute(FAILED, {
                "status": status, "error": error, "delay": delay, "sub": p.subscription_id, "seq": p.seq})).one()
            if later:  # no longer in flight; the failed one ahead of them keeps them waiting
                await session.execute(RELEASE, {"sub": p.subscription_id, "seqs": later})
            failing_for = (datetime.now(UTC) - first_failed_at).total_seconds()
            if failing_for >= self.settings.retry_window_seconds:
                reason = (f"deliveries to {p.url} failed for {failing_for:.0f} s ({attempts} attempts); "
                          f"last error: {error}")
                if await disable(session, p.subscription_id, reason):  # False: another group got there first
                    self.stats.disabled += 1
                    log.warning("partner subscription %s disabled: %s", p.subscription_id, reason)

    async def run_once(self) -> int:
        """Claim a batch and start sending it; returns how many deliveries were claimed."""
        if len(self._inflight) >= self.settings.dispatch_concurrency:
            return 0  # every slot is busy: claim when there is room, so leases do not run out queueing
        groups = await self.claim()
        for group in groups:
            task = asyncio.create_task(self.deliver_group(group))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        return sum(len(g) for g in groups)

    async def drain(self) -> None:
        """Wait for the deliveries in flight (tests and shutdown)."""
        while self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    async def run(self, stop: asyncio.Event) -> None:
        last_prune = 0.0
        try:
            while not stop.is_set():
                try:
                    claimed = await self.run_once()
                    if time.monotonic() - last_prune > 3600:
                        async with self._engine.begin() as conn:
                            await prune(conn, self.settings.retention_days * 86400)
                        last_prune = time.monotonic()
                except Exception:  # the database is unreachable: leased rows come back on their own
                    log.exception("webhook dispatcher: pass failed; retrying")
                    claimed = 0
                    await _sleep_or_stop(stop, 1.0)
                if claimed < self.settings.dispatch_batch_size:
                    await _sleep_or_stop(stop, self.settings.dispatch_interval_seconds)
        finally:
            await self.drain()
            if self._owns_client:
                await self._client.aclose()


async def disable(session: Any, subscription_id: uuid.UUID, reason: str) -> bool:
    """Disable a subscription and record `partner-subscription.disabled`, in the caller's transaction."""
    row = (await session.execute(DISABLE, {"sub": subscription_id, "reason": reason})).first()
    if row is None:
        return False
    await record_events(session, [PartnerSubscriptionDisabled(
        subscription_id=subscription_id, client_id=row.client_id, reason=reason, disabled_at=row.disabled_at)],
        service="gateway", tenant_id=row.tenant_id)
    return True


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


def run_dispatcher_task(engine: AsyncEngine, stop: asyncio.Event,
                        settings: PartnerSettings | None = None) -> asyncio.Task[None]:
    """Start the dispatcher beside the gateway worker's consumers."""
    return asyncio.create_task(WebhookDispatcher(engine, settings).run(stop), name="gateway.partners.webhooks")
