"""The transactional outbox and its relay.

A command writes its rows and its events in one transaction. The relay claims unpublished rows
with FOR UPDATE SKIP LOCKED, publishes them, marks them published and retries failures with backoff
for as long as it takes. It never lets an aggregate's later event overtake an earlier one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import asyncpg
from opentelemetry import trace
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from libs.common.bus import Bus, Message
from libs.common.db import COPY_FROM, copy_rows
from libs.common.events import Event, new_event
from libs.common.metrics import metrics
from libs.common.tables import outbox
from libs.common.telemetry import context_from, current_trace_headers, tracer
from libs.contracts.base import EventPayload

log = logging.getLogger(__name__)
OUTBOX_CHANNEL = "improvenet_outbox"
OUTBOX_WRITTEN = "improvenet.outbox_written"
INSERT_OUTBOX = insert(outbox)  # built once: the statement is compiled once and cached
OUTBOX_COLUMNS = ("id", "tenant_id", "aggregatetype", "aggregateid", "type", "topic", "payload", "headers")
MAX_BACKOFF_SECONDS = 10.0


def outbox_row(event: Event, aggregate_type: str, topic: str) -> dict[str, Any]:
    return {
        "id": event.id,
        "tenant_id": event.tenant_id,
        "aggregatetype": aggregate_type,
        "aggregateid": event.subject,
        "type": event.type,
        "topic": topic,
        "payload": event.data,
        "headers": event.headers(),
    }


async def record_events(
    session: AsyncSession, payloads: Iterable[EventPayload], *, service: str, tenant_id: str
) -> list[Event]:
    """Add events to the outbox in the caller's transaction (they publish only if it commits)."""
    trace_headers = current_trace_headers()
    rows, events = [], []
    for payload in payloads:
        ev = new_event(payload, service=service, tenant_id=tenant_id)
        ev.trace.update(trace_headers)
        events.append(ev)
        rows.append(outbox_row(ev, payload.aggregate_type, payload.topic))
    if len(rows) >= COPY_FROM:  # a bulk load's events
        plain, dumps = itemgetter(*OUTBOX_COLUMNS[:-2]), json.dumps
        await copy_rows(session, outbox.name, OUTBOX_COLUMNS,
                        [(*plain(r), dumps(r["payload"]), dumps(r["headers"])) for r in rows])
    elif rows:
        await session.execute(INSERT_OUTBOX, rows)
    if rows:
        session.info[OUTBOX_WRITTEN] = True  # the RelayWaker wakes the relay once this commits
    return events


async def record_event(session: AsyncSession, payload: EventPayload, *, service: str, tenant_id: str) -> Event:
    return (await record_events(session, [payload], service=service, tenant_id=tenant_id))[0]


class RelayWaker:
    """Wakes relays as soon as a transaction that wrote outbox rows commits.

    One NOTIFY, sent outside the writers' transactions and coalescing commits that come together: a
    NOTIFY inside each transaction (a trigger) would serialise every commit on PostgreSQL's notify lock.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._pending = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _after_commit(self, session: Session) -> None:
        if session.bind is self._engine.sync_engine and session.info.pop(OUTBOX_WRITTEN, False):
            self._pending.set()

    def _after_rollback(self, session: Session) -> None:
        if session.bind is self._engine.sync_engine:
            session.info.pop(OUTBOX_WRITTEN, None)

    def start(self) -> None:
        event.listen(Session, "after_commit", self._after_commit)
        event.listen(Session, "after_rollback", self._after_rollback)
        self._task = asyncio.create_task(self._run(), name="relay-waker")

    async def _run(self) -> None:
        while True:
            await self._pending.wait()
            self._pending.clear()
            try:
                async with self._engine.connect() as conn:
                    await conn.execute(text(f"SELECT pg_notify('{OUTBOX_CHANNEL}', '')"))
                    await conn.commit()
            except Exception:
                log.warning("could not wake the relay (it polls anyway)", exc_info=True)
            await asyncio.sleep(0.002)  # commits landing meanwhile share the next NOTIFY

    async def stop(self) -> None:
        event.remove(Session, "after_commit", self._after_commit)
        event.remove(Session, "after_rollback", self._after_rollback)
        if self._task is not None:
            self._task.cancel()


# --- the relay -------------------------------------------------------------------------------

CLAIM = text(
    """
    SELECT seq, aggregatetype, aggregateid, topic, payload, headers FROM outbox
    WHERE published_at IS NULL AND next_attempt_at <= now()
    ORDER BY seq LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)

EARLIEST_UNPUBLISHED = text(
    """
    SELECT o.aggregatetype, o.aggregateid, min(o.seq) AS first_seq
    FROM outbox o
    JOIN unnest(CAST(:types AS text[]), CAST(:ids AS text[])) AS a(t, i)
      ON o.aggregatetype = a.t AND o.aggregateid = a.i
    WHERE o.published_at IS NULL
    GROUP BY o.aggregatetype, o.aggregateid
    """
)


@dataclass(frozen=True)
class ClaimedRow:
    seq: int
    aggregate: tuple[str, str]
    message: Message


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff from 0.2 s, capped so recovery is noticed within seconds."""
    return float(min(0.2 * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def unblocked(rows: Sequence[ClaimedRow], earliest: dict[tuple[str, str], int]) -> list[ClaimedRow]:
    """Rows whose aggregate has no earlier unpublished event outside this batch.

    Such an earlier event is held by another relay or waiting out a backoff; publishing past it
    would break the aggregate's order.
    """
    first_in_batch: dict[tuple[str, str], int] = {}
    for r in rows:
        first_in_batch.setdefault(r.aggregate, r.seq)
    return [r for r in rows if earliest.get(r.aggregate, r.seq) >= first_in_batch[r.aggregate]]


def settle(
    rows: Sequence[ClaimedRow], results: Sequence[BaseException | None]
) -> tuple[list[int], list[tuple[int, BaseException]]]:
    """Split a published batch into rows to mark published and rows that failed.

    Once an aggregate's event fails, its later events stay unpublished so they go out after it.
    """
    published: list[int] = []
    failed: list[tuple[int, BaseException]] = []
    broken: set[tuple[str, str]] = set()
    for row, error in zip(rows, results, strict=True):
        if row.aggregate in broken:
            continue
        if error is None:
            published.append(row.seq)
        else:
            broken.add(row.aggregate)
            failed.append((row.seq, error))
    return published, failed


class Relay:
    """Moves outbox rows of one service database to the bus."""

    def __init__(self, engine: AsyncEngine, bus: Bus, *, service: str, batch_size: int = 500,
                 listen_dsn: str | None = None) -> None:
        self._engine = engine
        self._bus = bus
        self._service = service
        self._batch_size = batch_size
        self._listen_dsn = listen_dsn
        self._wake = asyncio.Event()
        self._failures = 0  # consecutive failed batches, to pace the loop while the bus is down
        self.published_total = 0
        self._metrics = metrics()
        self._attrs = {"service": service}

    async def publish_once(self) -> int:
        """Claim, publish and settle one batch. Returns how many events were published."""
        async with self._engine.begin() as conn:
            rows = await self._claim(conn)
            if not rows:
                return 0
            results = await self._publish(rows)
            published, failed = settle(rows, results)
            await self._mark(conn, published, failed)
        self.published_total += len(published)
        self._metrics.relay_batch.record(len(rows), self._attrs)
        self._metrics.relay_published.add(len(published), self._attrs)
        if failed:
            self._metrics.relay_failures.add(len(failed), self._attrs)
            log.warning("relay: %d events not accepted by the bus, retrying with backoff: %r",
                        len(failed), failed[0][1])
        return len(published)

    async def _claim(self, conn: AsyncConnection) -> list[ClaimedRow]:
        found = (await conn.execute(CLAIM, {"limit": self._batch_size})).mappings().all()
        rows = [
            ClaimedRow(r["seq"], (r["aggregatetype"], r["aggregateid"]),
                       Message(r["topic"], r["aggregateid"], _json_bytes(r["payload"]), dict(r["headers"])))
            for r in found
        ]
        if not rows:
            return rows
        aggregates = sorted({r.aggregate for r in rows})
        earliest = {
            (t, i): seq
            for t, i, seq in await conn.execute(
                EARLIEST_UNPUBLISHED, {"types": [a[0] for a in aggregates], "ids": [a[1] for a in aggregates]}
            )
        }
        return unblocked(rows, earliest)

    async def _publish(self, rows: Sequence[ClaimedRow]) -> list[BaseException | None]:
        messages = []
        for row in rows:
            # A span per event, child of the request that wrote it: the trace crosses the bus.
            span = tracer.start_span(f"publish {row.message.topic}", context=context_from(row.message.headers),
                                     kind=trace.SpanKind.PRODUCER,
                                     attributes={"messaging.destination.name": row.message.topic,
                                                 "messaging.message.id": row.message.headers.get("ce_id", "")})
            with trace.use_span(span, end_on_exit=True):
                headers = {k: v for k, v in row.message.headers.items() if k not in ("traceparent", "tracestate")}
                headers.update(current_trace_headers())
            messages.append(Message(row.message.topic, row.message.key, row.message.value, headers))
        try:
            return await self._bus.publish(messages)
        except Exception as exc:  # the bus is down or refused the batch: everything retries
            return [exc] * len(messages)

    async def _mark(self, conn: AsyncConnection, published: list[int],
                    failed: list[tuple[int, BaseException]]) -> None:
        if published:
            await conn.execute(text("UPDATE outbox SET published_at = now() WHERE seq = ANY(:seqs)"),
                               {"seqs": published})
        for seq, error in failed:
            # Same curve as backoff_seconds(), from the row's own attempt count.
            await conn.execute(
                text("UPDATE outbox SET attempts = attempts + 1, last_error = :err, "
                     "next_attempt_at = now() + make_interval(secs => LEAST(0.2 * power(2, attempts), :cap)) "
                     "WHERE seq = :seq"),
                {"seq": seq, "err": repr(error)[:2000], "cap": MAX_BACKOFF_SECONDS},
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; wakes on NOTIFY from outbox inserts, polls as a fallback."""
        listener = asyncio.create_task(self._listen(stop))
        try:
            while not stop.is_set():
                try:
                    count = await self.publish_once()
                    self._failures = 0
                except Exception:
                    # The service database itself is unreachable: nothing was claimed, try again.
                    self._failures += 1
                    log.exception("relay: batch failed; retrying")
                    count = 0
                    await _sleep_or_stop(stop, backoff_seconds(self._failures))
                if count >= self._batch_size:
                    continue
                self._wake.clear()
                await _wait_any(stop, self._wake, timeout=self._poll_interval())
        finally:
            listener.cancel()

    def _poll_interval(self) -> float:
        # NOTIFY wakes the relay at once; the poll catches rows whose backoff has ended and rows written
        # by a process without a RelayWaker (a cheap query on a partial index).
        return 0.1

    async def _listen(self, stop: asyncio.Event) -> None:
        if not self._listen_dsn:
            return
        while not stop.is_set():
            try:
                conn = await asyncpg.connect(self._listen_dsn, timeout=5)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda *_, ev=lost: ev.set())
                await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
                try:
                    await _wait_any(stop, lost, timeout=None)
                finally:
                    await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception:
                await asyncio.sleep(1)


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, timeout: float | None) -> None:
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()


