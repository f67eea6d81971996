"""Delivery guarantees on both buses, against a real PostgreSQL and a real Kafka broker:
outage with writes continuing, duplicate delivery (in one batch and in a later one), poison events and
their replay from the dead-letter topic, a relay killed mid-batch, a consumer killed between its
transaction and its offset commit, and a topic replayed from offset 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.bus import Bus, Message, dead_letter_topic
from libs.common.db import create_engine, ensure_database, session_factory, unit_of_work
from libs.common.events import Event, event_from_message
from libs.common.inbox import Consumer, ConsumerRunner
from libs.common.kafka_bus import KafkaBus
from libs.common.outbox import Relay, record_events
from libs.common.postgres_bus import PostgresBus
from libs.common.settings import asyncpg_dsn, database_url_for
from libs.common.testing.kafka_broker import KafkaBroker
from libs.contracts.hr import EDUCATOR_TOPIC, CareerStage, EducatorUpdated
from tests.conftest import new_database

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTAGE_SECONDS = 30


@dataclass
class BusUnderTest:
    kind: str
    bus: Bus
    settings_env: dict[str, str]
    outage: object  # async callable(seconds)
    extra: dict[str, object] = field(default_factory=dict)


@pytest.fixture(params=["postgres", "kafka"])
async def bus_under_test(request: pytest.FixtureRequest, pg_server: str) -> AsyncIterator[BusUnderTest]:
    if request.param == "postgres":
        name = f"bus_{uuid.uuid4().hex[:10]}"
        await ensure_database(pg_server, name)
        url = database_url_for(pg_server, name)
        bus: Bus = PostgresBus(url)

        async def outage(seconds: float) -> None:
            admin = await asyncpg.connect(asyncpg_dsn(pg_server))
            try:
                await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
                await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
                await asyncio.sleep(seconds)
                await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
            finally:
                await admin.close()

        yield BusUnderTest("postgres", bus, {"BUS": "postgres", "BUS_DATABASE_URL": url}, outage)
    else:
        broker: KafkaBroker = request.getfixturevalue("kafka_broker")
        bus = KafkaBus(broker.bootstrap_servers)
        await bus.ensure_topics([EDUCATOR_TOPIC, dead_letter_topic(EDUCATOR_TOPIC)])

        async def outage(seconds: float) -> None:
            await asyncio.to_thread(broker.stop)
            await asyncio.sleep(seconds)
            await asyncio.to_thread(broker.start)

        yield BusUnderTest("kafka", bus, {"BUS": "kafka", "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers},
                           outage)
    await bus.close()


EFFECTS = """
CREATE TABLE IF NOT EXISTS effects (
    seq bigserial PRIMARY KEY, event_id uuid NOT NULL, aggregate text NOT NULL, version int NOT NULL
)"""


class Pipeline:
    """One service database: writes with outbox events, a relay, and a consumer recording side effects."""

    def __init__(self, url: str, bus: Bus, tenant: str) -> None:
        self.url = url
        self.bus = bus
        self.tenant = tenant
        self.engine = create_engine(url)
        self.sessions = session_factory(self.engine)
        self.written: list[uuid.UUID] = []
        self.stop = asyncio.Event()
        self.relay = Relay(self.engine, bus, service="hr", batch_size=200, listen_dsn=asyncpg_dsn(url))
        self.runner = ConsumerRunner(bus, self.sessions, Consumer(f"test-{uuid.uuid4().hex[:8]}",
                                                                  (EDUCATOR_TOPIC,), self.apply), max_attempts=3,
                                     retry_delay=0.01)
        self.tasks: list[asyncio.Task[None]] = []
        self.fixed = False  # flips a "fixable" poison event into a good one (the bug was fixed)

    async def apply(self, session: AsyncSession, event: Event) -> None:
        if event.tenant_id != self.tenant:
            return  # another test's event on the shared topic
        if event.data.get("poison") and not (self.fixed and event.data.get("fixable")):
            raise ValueError("this event can never be applied")
        await session.execute(text("INSERT INTO effects (event_id, aggregate, version) VALUES (:e, :a, :v)"),
                              {"e": event.id, "a": event.subject, "v": event.data["version"]})

    async def setup(self) -> Pipeline:
        async with self.engine.begin() as conn:
            await conn.execute(text(EFFECTS))
        return self

    def start(self, *, relay: bool = True) -> None:
        if relay:
            self.tasks.append(asyncio.create_task(self.relay.run(self.stop)))
        self.tasks.append(asyncio.create_task(self.runner.run(self.stop)))

    async def write(self, aggregates: list[uuid.UUID], version: int) -> None:
        payloads = [EducatorUpdated(educator_id=a, school_id=None, career_stage=CareerStage.novice_teacher,
                                    version=version) for a in aggregates]
        async with unit_of_work(self.sessions) as session:
            events = await record_events(session, payloads, service="hr", tenant_id=self.tenant)
        self.written += [e.id for e in events]

    async def effects(self) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return await conn.fetch("SELECT event_id, aggregate, version FROM effects ORDER BY seq")
        finally:
            await conn.close()

    async def wait_for_effects(self, count: int, timeout: float) -> list[asyncpg.Record]:
        deadline = time.monotonic() + timeout
        while True:
            rows = await self.effects()
            if len(rows) >= count or time.monotonic() > deadline:
                return rows
            await asyncio.sleep(0.2)

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.engine.dispose()


def assert_in_order_and_complete(rows: list[asyncpg.Record], written: list[uuid.UUID]) -> None:
    ids = [r["event_id"] for r in rows]
    assert len(ids) == len(set(ids)), "an event had two side effects"
    assert set(ids) == set(written), f"lost {len(set(written) - set(ids))} events"
    last: dict[str, int] = {}
    for r in rows:
        assert r["version"] > last.get(r["aggregate"], 0), f"aggregate {r['aggregate']} out of order"
        last[r["aggregate"]] = r["version"]


@pytest.fixture
async def pipeline(pg_server: str, bus_under_test: BusUnderTest) -> AsyncIterator[Pipeline]:
    url = await new_database(pg_server, "svc", service="hr")
    p = await Pipeline(url, bus_under_test.bus, tenant=f"t-{uuid.uuid4().hex[:8]}").setup()
    yield p
    await p.close()


async def test_bus_outage_loses_nothing_and_keeps_each_aggregate_in_order(
        pipeline: Pipeline, bus_under_test: BusUnderTest) -> None:
    aggregates = [uuid.uuid4() for _ in range(5)]
    pipeline.start()
    await pipeline.write(aggregates, 1)
    assert len(await pipeline.wait_for_effects(5, 30)) == 5, "pipeline did not deliver before the outage"

    async def keep_writing() -> None:
        version = 2
        deadline = time.monotonic() + OUTAGE_SECONDS + 6
        while time.monotonic() < deadline:
            await pipeline.write(aggregates, version)
            version += 1
            await asyncio.sleep(0.1)

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(2)
    await bus_under_test.outage(OUTAGE_SECONDS)  # type: ignore[operator]
    recovered = time.monotonic()
    await writer
    rows = await pipeline.wait_for_effects(len(pipeline.written), 120)
    caught_up = time.monotonic() - recovered
    assert len(pipeline.written) > 5 * 200, "writes did not continue during the outage"
    assert_in_order_and_complete(rows, pipeline.written)
    # The figure is reported (and measured in bench/); the bound is liveness only. Alone on 2 cores the
    # backlog is through within a second of the broker's return; the 30 s target is asserted end to end in
    # tests/e2e/test_faults_kafka.py (a group's rejoin waits for its old member's 10 s session to expire).
    print(f"FAULT-FIGURES bus-outage[{bus_under_test.kind}]: {len(pipeline.written)} events, outage "
          f"{OUTAGE_SECONDS}s, all delivered {caught_up:.1f}s after recovery, 0 lost, 0 duplicated")
    assert caught_up < 90, f"backlog delivered {caught_up:.1f}s after the bus came back (limit 90 s)"


def _message(tenant: str, data: dict[str, object], event_id: uuid.UUID | None = None) -> Message:
    aggregate = str(uuid.uuid4())
    headers = {"ce_specversion": "1.0", "ce_id": str(event_id or uuid.uuid4()),
               "ce_type": "org.improvenet.hr.educator.updated", "ce_source": "/improvenet/hr",
               "ce_subject": aggregate, "ce_time": datetime.now(UTC).isoformat(), "ce_tenantid": tenant}
    return Message(EDUCATOR_TOPIC, aggregate, json.dumps(data).encode(), headers)


async def test_same_event_delivered_twice_has_one_side_effect(pipeline: Pipeline) -> None:
    message = _message(pipeline.tenant, {"educator_id": str(uuid.uuid4()), "version": 1})
    assert await pipeline.bus.publish([message, message]) == [None, None]
    pipeline.start(relay=False)
    rows = await pipeline.wait_for_effects(1, 30)
    await asyncio.sleep(1.0)  # give a second side effect every chance to appear
    rows = await pipeline.effects()
    assert [r["event_id"] for r in rows] == [uuid.UUID(message.headers["ce_id"])]
    assert pipeline.runner.outcomes["duplicate"] >= 1


async def test_poison_event_goes_to_dead_letter_topic_and_consumer_goes_on(pipeline: Pipeline) -> None:
    poison = _message(pipeline.tenant, {"poison": True, "version": 1})
    good = _message(pipeline.tenant, {"educator_id": str(uuid.uuid4()), "version": 1})
    await pipeline.bus.publish([poison, good])
    pipeline.start(relay=False)
    rows = await pipeline.wait_for_effects(1, 30)
    assert [r["event_id"] for r in rows] == [uuid.UUID(good.headers["ce_id"])]

    dlq = pipeline.bus.subscribe(f"dlq-reader-{uuid.uuid4().hex[:6]}", [dead_letter_topic(EDUCATOR_TOPIC)])
    found = None
    deadline = time.monotonic() + 30
    while found is None and time.monotonic() < deadline:
        for d in await dlq.poll(500, 1.0):
            if d.message.headers.get("ce_id") == poison.headers["ce_id"]:
                found = d
    await dlq.close()
    assert found is not None, "poison event not on the dead-letter topic"
    assert "this event can never be applied" in found.message.headers["x-dlq-error"]
    assert found.message.headers["x-dlq-attempts"] == "3"
    assert event_from_message(found.message.headers, found.message.value).tenant_id == pipeline.tenant


async def test_relay_killed_mid_batch_loses_nothing(pipeline: Pipeline, bus_under_test: BusUnderTest,
                                                    pg_server: str) -> None:
    total = 3000
    aggregates = [uuid.uuid4() for _ in range(30)]
    for version in range(1, total // len(aggregates) + 1):
        await pipeline.write(aggregates, version)
    pipeline.start(relay=False)  # the relay runs as hr's real worker process, killed with SIGKILL
    env = {**os.environ, **bus_under_test.settings_env, "DATABASE_URL": pg_server, "HR_DATABASE_URL": pipeline.url,
           "RELAY_BATCH_SIZE": "50", "LOG_LEVEL": "WARNING", "PYTHONPATH": ROOT}
    conn = await asyncpg.connect(asyncpg_dsn(pipeline.url))
    try:
        worker = subprocess.Popen([sys.executable, "-m", "services.hr.worker"], env=env, cwd=ROOT)
        published = 0
        deadline = time.monotonic() + 60
        while published < 100 and time.monotonic() < deadline:
            published = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL")
            await asyncio.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        left = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        assert 0 < left < total, f"kill did not land mid-stream (unpublished: {left})"
        worker = subprocess.Popen([sys.executable, "-m", "services.hr.worker"], env=env, cwd=ROOT)
        try:
            rows = await pipeline.wait_for_effects(total, 120)
        finally:
            worker.terminate()
            worker.wait(60)  # a Kafka client closes its connections on SIGTERM; slow under load
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    finally:
        await conn.close()
    assert_in_order_and_complete(rows, pipeline.written)


async def until(check: Callable[[], bool], timeout: float) -> bool:
    """Poll `check` until it holds or `timeout` seconds pass (bounded: tests never hang)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)


async def test_duplicate_redelivered_in_a_later_batch_has_one_side_effect(pipeline: Pipeline) -> None:
    """The path taken after a crash: the same event comes back in another poll, long after it was applied."""
    message = _message(pipeline.tenant, {"educator_id": str(uuid.uuid4()), "version": 1})
    ours = uuid.UUID(message.headers["ce_id"])
    # What the inbox answered for our event on each delivery (a shared Kafka topic also carries older
    # tests' events, some of them duplicates, so the runner's global counters cannot tell ours apart).
    claims: list[bool] = []
    real_claim = pipeline.runner._claim

    async def recording_claim(session: AsyncSession, event: Event, **kwargs: Any) -> bool:
        first_time = await real_claim(session, event, **kwargs)
        if event.id == ours:
            claims.append(first_time)
        return first_time

    real_together = pipeline.runner._apply_claimed_together

    async def recording_together(events: Sequence[Event]) -> list[str]:  # a batch's claim, in one statement
        outcomes = await real_together(events)
        claims.extend(o == "applied" for e, o in zip(events, outcomes, strict=True) if e.id == ours)
        return outcomes

    pipeline.runner._claim = recording_claim  # type: ignore[method-assign]
    pipeline.runner._apply_claimed_together = recording_together  # type: ignore[method-assign]
    assert await pipeline.bus.publish([message]) == [None]
    pipeline.start(relay=False)
    assert len(await pipeline.wait_for_effects(1, 30)) == 1
    other = _message(pipeline.tenant, {"educator_id": str(uuid.uuid4()), "version": 1})
    assert await pipeline.bus.publish([message, other]) == [None, None]  # redelivered, in a later batch
    await pipeline.wait_for_effects(2, 30)
    await until(lambda: len(claims) >= 2, 10)
    rows = await pipeline.effects()
    assert sorted(str(r["event_id"]) for r in rows) == sorted([message.headers["ce_id"], other.headers["ce_id"]])
    assert claims == [True, False], f"the inbox answered {claims} for the event delivered twice"


class Killed(BaseException):
    """Stands for SIGKILL inside the process: nothing after it runs, no `except Exception` catches it."""


class KilledBeforeCommit(Bus):
    """The bus, except that a subscription dies at the first offset commit of a batch holding one of
    `tenant`'s events (after the handler's transaction); older tests' events on a shared Kafka topic are
    committed normally."""

    def __init__(self, bus: Bus, tenant: str) -> None:
        self._bus = bus
        self._tenant = tenant

    async def publish(self, messages):  # type: ignore[no-untyped-def]
        return await self._bus.publish(messages)

    def subscribe(self, group, topics):  # type: ignore[no-untyped-def]
        sub = self._bus.subscribe(group, topics)
        real_commit = sub.commit

        async def commit(deliveries):  # type: ignore[no-untyped-def]
            if any(d.message.headers.get("ce_tenantid") == self._tenant for d in deliveries):
                raise Killed()
            await real_commit(deliveries)

        sub.commit = commit  # type: ignore[method-assign]
        return sub

    async def ensure_topics(self, topics):  # type: ignore[no-untyped-def]
        await self._bus.ensure_topics(topics)

    async def ping(self) -> None:
        await self._bus.ping()

    async def close(self) -> None:
        pass


async def test_consumer_killed_between_its_transaction_and_its_offset_commit_has_one_side_effect(
        pipeline: Pipeline) -> None:
    messages = [_message(pipeline.tenant, {"educator_id": str(uuid.uuid4()), "version": 1}) for _ in range(20)]
    assert await pipeline.bus.publish(messages) == [None] * 20
    group = pipeline.runner._consumer.group
    doomed = ConsumerRunner(KilledBeforeCommit(pipeline.bus, pipeline.tenant), pipeline.sessions,
                            pipeline.runner._consumer)
    with pytest.raises(Killed):
        await asyncio.wait_for(doomed.run(asyncio.Event()), 60)
    applied_before_kill = len(await pipeline.effects())
    assert applied_before_kill > 0, "the kill did not land after a committed transaction"
    # A new process of the same group resumes from the committed offset: everything is delivered again.
    pipeline.start(relay=False)
    rows = await pipeline.wait_for_effects(20, 60)
    await until(lambda: pipeline.runner.outcomes["duplicate"] >= applied_before_kill, 30)
    rows = await pipeline.effects()
    assert pipeline.runner._consumer.group == group
    assert pipeline.runner.outcomes["duplicate"] >= applied_before_kill, "the redelivery never happened"
    assert sorted(str(r["event_id"]) for r in rows) == sorted(m.headers["ce_id"] for m in messages)


async def test_topic_replayed_from_offset_0_into_the_group_changes_nothing(pipeline: Pipeline) -> None:
    aggregates = [uuid.uuid4() for _ in range(10)]
    for version in (1, 2, 3):
        await pipeline.write(aggregates, version)
    pipeline.start()
    assert len(await pipeline.wait_for_effects(30, 60)) == 30
    await pipeline.close()  # no member left in the group: a rewind is allowed (Kafka insists)
    before = await pipeline.effects()
    consumer = pipeline.runner._consumer
    await pipeline.bus.rewind(consumer.group, list(consumer.topics))
    replay = ConsumerRunner(pipeline.bus, pipeline.sessions, consumer)
    stop = asyncio.Event()
    task = asyncio.create_task(replay.run(stop))
    await until(lambda: replay.outcomes["duplicate"] >= 30, 60)
    await asyncio.sleep(1)  # let anything else the replay would do happen
    stop.set()
    await task
    assert replay.outcomes["duplicate"] >= 30, f"the replay did not reach every event: {replay.outcomes}"
    assert set(replay.outcomes) == {"duplicate"}, replay.outcomes
    assert await pipeline.effects() == before


async def test_dead_letter_replayed_applies_once_through_the_inbox(pipeline: Pipeline) -> None:
    from libs.common.dlq import list_dead_letters, replay

    poison = _message(pipeline.tenant, {"poison": True, "fixable": True, "educator_id": str(uuid.uuid4()),
                                        "version": 1})
    assert await pipeline.bus.publish([poison]) == [None]
    pipeline.start(relay=False)
    group = pipeline.runner._consumer.group
    entries = []
    deadline = time.monotonic() + 30
    while not entries and time.monotonic() < deadline:
        entries = await list_dead_letters(pipeline.bus, [EDUCATOR_TOPIC], group=group)
        await asyncio.sleep(0.2)
    assert [e.event_id for e in entries] == [poison.headers["ce_id"]]
    assert await pipeline.effects() == []
    pipeline.fixed = True  # the handler's bug is fixed; re-drive the dead letter, twice
    assert await replay(pipeline.bus, entries) == 1
    assert await replay(pipeline.bus, entries) == 1
    rows = await pipeline.wait_for_effects(1, 30)
    await until(lambda: pipeline.runner.outcomes["duplicate"] >= 1, 15)
    rows = await pipeline.effects()
    assert [str(r["event_id"]) for r in rows] == [poison.headers["ce_id"]], "replayed twice, applied twice?"
    assert pipeline.runner.outcomes["duplicate"] >= 1
    conn = await asyncpg.connect(asyncpg_dsn(pipeline.url))
    try:
        outcome = await conn.fetchval("SELECT outcome FROM inbox WHERE consumer_group = $1 AND event_id = $2",
                                      group, uuid.UUID(poison.headers["ce_id"]))
    finally:
        await conn.close()
    assert outcome == "applied"
