"""Idempotent consumers: the inbox records (group, event id) in the handler's own transaction.

The offset is committed only after that transaction, so a crash replays events and the inbox makes
the replay harmless. A failing event is retried a bounded number of times, then moved to
`<topic>.dlq` with the error attached, and the consumer goes on. Transient failures (the database or
bus unreachable) are not the event's fault: they are retried until they pass.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from opentelemetry import trace
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.bus import Bus, BusUnavailable, Delivery, Message, Subscription, dead_letter_topic
from libs.common.db import SessionFactory, unit_of_work
from libs.common.events import Event, MalformedEvent, event_from_message
from libs.common.metrics import metrics
from libs.common.tables import inbox
from libs.common.telemetry import context_from, tracer
from libs.contracts.base import EventPayload

log = logging.getLogger(__name__)
UNASSIGNED_WARNING_SECONDS = 30.0  # a consumer given no partitions this long gets a warning in the log
Handler = Callable[[AsyncSession, Event], Awaitable[None]]
# Hot path: a fixed text statement compiles once (an ON CONFLICT construct would recompile per event).
CLAIM = text(f"INSERT INTO {inbox.name} (consumer_group, event_id, event_type, outcome) "
             "VALUES (:group, :id, :type, :outcome) ON CONFLICT DO NOTHING RETURNING event_id")
# A dead-lettered event re-driven by `improvenet-admin dlq replay` carries this header naming the group
# it is replayed for: only that group, and only while its inbox still says "dead-lettered", applies it
# (the update is the claim, so a second replay of the same event is a duplicate).
REPLAY_GROUP_HEADER = "x-replay-for-group"
# A polled batch's claim in one statement (a duplicate id within the batch is claimed once).
CLAIM_MANY = text(f"INSERT INTO {inbox.name} (consumer_group, event_id, event_type, outcome) "
                  "SELECT :group, u.id, u.type, 'applied' FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[])) "
                  "AS u(id, type) ON CONFLICT DO NOTHING RETURNING event_id")
RECLAIM = text(f"UPDATE {inbox.name} SET outcome = 'applied', processed_at = now() "
               "WHERE consumer_group = :group AND event_id = :id AND outcome = 'dead-lettered' RETURNING event_id")


BatchHandler = Callable[[AsyncSession, Sequence[Event]], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    """A consumer group: which topics it reads and what it does with each event.

    `batch_handler`, when given, applies a polled batch's new events at once (set-based writes: a bulk load
    of 50,000 educators is 50,000 events); it must do what `handler` does for each of them, in any order
    the events' versions make safe. `handler` still applies one event when a batch is retried event by event.
    """

    group: str
    topics: tuple[str, ...]
    handler: Handler
    batch_handler: BatchHandler | None = None


PayloadHandler = Callable[[AsyncSession, Event, Any], Awaitable[None]]
HandlerTable = Mapping[type[EventPayload], PayloadHandler]


def consumer(group: str, handlers: HandlerTable) -> Consumer:
    """A consumer group from a table of payload class -> handler (eShop's typed subscriptions).

    The topics are derived from the payload classes; each handler receives the parsed payload. Event
    types the table does not name (another aggregate on the same topic, or a type from a newer
    producer) are skipped here, in one place, and still recorded in the inbox.
    """
    by_type = {cls.event_type: (cls, handler) for cls, handler in handlers.items()}
    topics = tuple(sorted({cls.topic for cls in handlers}))

    async def dispatch(session: AsyncSession, event: Event) -> None:
        entry = by_type.get(event.type)
        if entry is None:
            return
        cls, handler = entry
        await handler(session, event, cls.model_validate(event.data))

    return Consumer(group=group, topics=topics, handler=dispatch)


# SQLSTATE classes that say the database is away or overloaded, not that the statement is wrong:
# connection exception, insufficient resources (too many clients), operator intervention (terminated,
# shutting down, starting up).
TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57")


def _sqlstate(exc: BaseException) -> tuple[str, str]:
    """The SQLSTATE and message of a PostgreSQL error, raw or wrapped by SQLAlchemy; ("", "") otherwise."""
    for candidate in (exc, getattr(exc, "orig", None), exc.__cause__):
        code = getattr(candidate, "sqlstate", None)
        if isinstance(code, str):
            return code, str(candidate)
    return "", ""


def is_transient(exc: BaseException) -> bool:
    """True for failures of infrastructure rather than of the event: retry without limit."""
    # InternalClientError: a connection the server ended while asyncpg was using it.
    away = (BusUnavailable, OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
            asyncpg.InternalClientError, InterfaceError, OperationalError, asyncio.TimeoutError)
    if isinstance(exc, away) or isinstance(getattr(exc, "orig", None), away):
        return True
    code, message = _sqlstate(exc)
    if code[:2] in TRANSIENT_SQLSTATE_CLASSES:
        return True
    if code == "55000" and "not currently accepting connections" in message:
        return True  # ALLOW_CONNECTIONS false (maintenance): 55000 is otherwise a statement's own fault
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    return False


class ConsumerRunner:
    def __init__(self, bus: Bus, sessions: SessionFactory, consumer: Consumer, *,
                 max_attempts: int = 5, retry_delay: float = 0.1) -> None:
        self._bus = bus
        self._sessions = sessions
        self._consumer = consumer
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self.outcomes: Counter[str] = Counter()
        self._subscription: Subscription | None = None
        self._metrics = metrics()
        self._outcome_attrs = {o: {"group": consumer.group, "outcome": o}
                               for o in ("applied", "duplicate", "dead-lettered")}

    async def handle(self, delivery: Delivery) -> str:
        """Apply one delivery exactly once; returns the outcome (applied, duplicate, dead-lettered)."""
        try:
            event = event_from_message(delivery.message.headers, delivery.message.value)
        except MalformedEvent as exc:
            await self._dead_letter(delivery, exc, attempts=1)
            return self._count("dead-lettered")
        span_name = f"consume {event.type}"
        with tracer.start_as_current_span(span_name, context=context_from(event.trace),
                                          kind=trace.SpanKind.CONSUMER,
                                          attributes={"messaging.consumer.group.name": self._consumer.group,
                                                      "messaging.message.id": str(event.id)}):
            attempt = 0
            while True:
                attempt += 1
                try:
                    return self._count(await self._apply(event, replay=self._is_replay(delivery)))
                except Exception as exc:
                    if is_transient(exc):
                        raise
                    if attempt >= self._max_attempts:
                        log.warning("consumer %s: event %s failed %d times, dead-lettering: %r",
                                    self._consumer.group, event.id, attempt, exc)
                        await self._dead_letter(delivery, exc, attempts=attempt)
                        await self._remember(event, outcome="dead-lettered")
                        return self._count("dead-lettered")
                    await asyncio.sleep(self._retry_delay * attempt)

    def _is_replay(self, delivery: Delivery) -> bool:
        return delivery.message.headers.get(REPLAY_GROUP_HEADER) == self._consumer.group

    async def _apply(self, event: Event, *, replay: bool = False) -> str:
        async with unit_of_work(self._sessions) as session:
            first_time = await self._claim(session, event, outcome="applied", replay=replay)
            if not first_time:
                return "duplicate"
            await self._consumer.handler(session, event)
        return "applied"

    async def _claim(self, session: AsyncSession, event: Event, *, outcome: str, replay: bool = False) -> bool:
        params = {"group": self._consumer.group, "id": event.id, "type": event.type, "outcome": outcome}
        if (await session.execute(CLAIM, params)).first() is not None:
            return True
        if replay and outcome == "applied":
            return (await session.execute(RECLAIM, {"group": self._consumer.group, "id": event.id})).first() is not None
        return False

    async def _remember(self, event: Event, *, outcome: str) -> None:
        async with unit_of_work(self._sessions) as session:
            await self._claim(session, event, outcome=outcome)

    async def _dead_letter(self, delivery: Delivery, exc: BaseException, *, attempts: int) -> None:
        original = delivery.message
        headers = dict(original.headers)
        headers.update({
            "x-dlq-error": repr(exc)[:2000],
            "x-dlq-error-type": type(exc).__name__,
            "x-dlq-attempts": str(attempts),
            "x-dlq-consumer-group": self._consumer.group,
            "x-dlq-original-topic": original.topic,
            "x-dlq-original-partition": str(delivery.partition),
            "x-dlq-original-offset": str(delivery.offset),
        })
        dlq = Message(dead_letter_topic(original.topic), original.key, original.value, headers)
        (error,) = await self._bus.publish([dlq])
        if error is not None:
            raise BusUnavailable(f"dead-letter publish failed: {error!r}")

    def _count(self, outcome: str) -> str:
        self.outcomes[outcome] += 1
        self._metrics.consumer_events.add(1, self._outcome_attrs.get(outcome) or {"group": self._consumer.group,
                                                                               "outcome": outcome})
        return outcome

    async def process(self, subscription: Subscription, deliveries: Sequence[Delivery]) -> None:
        """Apply a polled batch, then commit the offsets.

        Fast path: the whole batch in one transaction (one commit, not one per event). If any event in
        it fails, nothing of the batch is kept and it is applied again one event per transaction, so
        only the failing event is retried and dead-lettered.
        """
        self._metrics.consumer_batch.record(len(deliveries), {"group": self._consumer.group})
        if len(deliveries) > 1:
            try:
                outcomes = await self._apply_batch(deliveries)
            except Exception as exc:
                if is_transient(exc):
                    raise
            else:
                for outcome in outcomes:
                    self._count(outcome)
                await subscription.commit(deliveries)
                return
        for delivery in deliveries:  # in order: each aggregate's events apply in sequence
            await self.handle(delivery)
        await subscription.commit(deliveries)

    async def _apply_batch(self, deliveries: Sequence[Delivery]) -> list[str]:
        events = [event_from_message(d.message.headers, d.message.value) for d in deliveries]
        if not any(self._is_replay(d) for d in deliveries):
            return await self._apply_claimed_together(events)
        outcomes = []
        async with unit_of_work(self._sessions) as session:
            for event, delivery in zip(events, deliveries, strict=True):
                with tracer.start_as_current_span(f"consume {event.type}", context=context_from(event.trace),
                                                  kind=trace.SpanKind.CONSUMER,
                                                  attributes={"messaging.consumer.group.name": self._consumer.group,
                                                              "messaging.message.id": str(event.id)}):
                    if await self._claim(session, event, outcome="applied", replay=self._is_replay(delivery)):
                        await self._consumer.handler(session, event)
                        outcomes.append("applied")
                    else:
                        outcomes.append("duplicate")
        return outcomes

    async def _apply_claimed_together(self, events: Sequence[Event]) -> list[str]:
        """The batch claimed in one statement, then its new events applied (at once, with a batch handler)."""
        async with unit_of_work(self._sessions) as session:
            claimed = {row[0] for row in await session.execute(CLAIM_MANY, {
                "group": self._consumer.group, "ids": [e.id for e in events], "types": [e.type for e in events]})}
            fresh, outcomes = [], []
            for event in events:
                first = event.id in claimed
                claimed.discard(event.id)  # a second copy in the same batch is a duplicate
                outcomes.append("applied" if first else "duplicate")
                if first:
                    fresh.append(event)
            if self._consumer.batch_handler is None:
                for event in fresh:
                    with self._span(event):
                        await self._consumer.handler(session, event)
            elif fresh:
                # one span per event still, in its producer's trace, around the set-based write they share
                spans = [tracer.start_span(f"consume {e.type}", context=context_from(e.trace),
                                           kind=trace.SpanKind.CONSUMER, attributes=self._span_attributes(e))
                         for e in fresh]
                try:
                    await self._consumer.batch_handler(session, fresh)
                finally:
                    for span in spans:
                        span.end()
        return outcomes

    def _span_attributes(self, event: Event) -> dict[str, str]:
        return {"messaging.consumer.group.name": self._consumer.group, "messaging.message.id": str(event.id)}

    def _span(self, event: Event) -> Any:
        return tracer.start_as_current_span(f"consume {event.type}", context=context_from(event.trace),
                                            kind=trace.SpanKind.CONSUMER, attributes=self._span_attributes(event))

    @property
    def group(self) -> str:
        return self._consumer.group

    def ready(self) -> bool:
        """Subscribed and consuming (what a worker's /readyz reports per consumer)."""
        return self._subscription is not None and self._subscription.ready()

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            subscription = self._bus.subscribe(self._consumer.group, self._consumer.topics)
            self._subscription = subscription
            since, warned = time.monotonic(), False
            try:
                while not stop.is_set():
                    deliveries = await subscription.poll(max_records=200, timeout=0.5)
                    waited = time.monotonic() - since
                    if not warned and waited > UNASSIGNED_WARNING_SECONDS and not subscription.ready():
                        # Say so in the log: /readyz only says "not consuming yet", the log is what is kept.
                        warned = True
                        log.warning("consumer %s: subscribed %.0fs ago and still given no partitions (the group "
                                    "may be rebalancing, waiting for another member)", self._consumer.group,
                                    waited)
                    if deliveries:
                        await self.process(subscription, deliveries)
                    failures = 0
            except Exception as exc:
                # Start again from the committed position; the inbox absorbs what is replayed.
                failures += 1
                level = logging.WARNING if is_transient(exc) else logging.ERROR
                log.log(level, "consumer %s: %r; resuming from committed offsets", self._consumer.group, exc)
                await asyncio.sleep(min(0.2 * 2 ** min(failures, 6), 5.0))
            finally:
                self._subscription = None
                try:
                    await subscription.close()
                except Exception:
                    log.debug("consumer %s: close failed", self._consumer.group, exc_info=True)
