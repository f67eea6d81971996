"""The Kafka bus (kafka-python 3.x). kafka-python is synchronous, so calls run in worker threads.

Producer: acks=all and idempotence set explicitly; the record key is the aggregate id, so each
aggregate's events land on one partition, in order. CloudEvents attributes travel as headers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition

from libs.common.bus import Bus, BusUnavailable, Delivery, Message, Subscription

log = logging.getLogger(__name__)


class KafkaBus(Bus):
    def __init__(self, bootstrap_servers: str, *, partitions: int = 3, request_timeout_ms: int = 5000,
                 client_options: Mapping[str, Any] | None = None) -> None:
        self._servers = bootstrap_servers.split(",")
        # Security (SASL/SCRAM, TLS): the same options go to every client this bus creates.
        self._client = {"bootstrap_servers": self._servers, **(client_options or {})}
        self._partitions = partitions
        self._timeout_ms = request_timeout_ms
        self._producer: KafkaProducer | None = None
        # One thread owns the producer: calls never interleave and never block the event loop.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kafka-producer")
        self._ops: tuple[KafkaAdminClient, KafkaConsumer] | None = None
        self._ops_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kafka-ops")

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _producer_sync(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                **self._client,
                acks="all",
                enable_idempotence=True,
                max_in_flight_requests_per_connection=5,
                linger_ms=2,
                request_timeout_ms=self._timeout_ms,
                delivery_timeout_ms=self._timeout_ms * 2,
                max_block_ms=self._timeout_ms,
                reconnect_backoff_max_ms=1000,
            )
        return self._producer

    def _publish_sync(self, messages: Sequence[Message]) -> list[BaseException | None]:
        try:
            producer = self._producer_sync()
            futures = [
                producer.send(
                    m.topic,
                    key=m.key.encode(),
                    value=m.value,
                    headers=[(k, v.encode()) for k, v in m.headers.items()],
                )
                for m in messages
            ]
            producer.flush(timeout=self._timeout_ms * 2 / 1000)
        except KafkaError as exc:
            self._discard_producer()
            return [BusUnavailable(f"kafka publish failed: {exc!r}")] * len(messages)
        results: list[BaseException | None] = [
            f.exception if f.is_done else BusUnavailable("kafka did not acknowledge in time") for f in futures]
        if any(r is not None for r in results):
            # An idempotent producer whose batches expired can stay wedged after the broker returns;
            # a fresh one (new producer id) is cheap, and the outbox resends what was not acknowledged.
            self._discard_producer()
        return results

    def _discard_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            producer.close(timeout=0)
        except Exception:
            # close() flushes first and raises while records are pending, before it stops the sender
            # thread; stop it ourselves (the outbox still holds every unacknowledged event).
            sender = getattr(producer, "_sender", None)
            if sender is not None:
                sender.force_close()
            producer._closed = True

    async def publish(self, messages: Sequence[Message]) -> list[BaseException | None]:
        if not messages:
            return []
        return list(await self._run(self._publish_sync, messages))

    def subscribe(self, group: str, topics: Sequence[str]) -> Subscription:
        return KafkaSubscription(self._client, group, list(topics), self._timeout_ms)

    def _ensure_topics_sync(self, topics: Sequence[str]) -> None:
        admin = KafkaAdminClient(**self._client, request_timeout_ms=self._timeout_ms)
        try:
            existing = set(admin.list_topics())
            missing = [NewTopic(t, self._partitions, 1) for t in topics if t not in existing]
            if missing:
                try:
                    admin.create_topics(missing)
                except TopicAlreadyExistsError:
                    pass
        finally:
            admin.close()

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        try:
            await asyncio.to_thread(self._ensure_topics_sync, topics)
        except KafkaError as exc:
            raise BusUnavailable(f"kafka admin failed: {exc!r}") from exc

    def _ping_sync(self) -> None:
        admin = KafkaAdminClient(**self._client, request_timeout_ms=2000)
        try:
            admin.list_topics()
        finally:
            admin.close()

    async def ping(self) -> None:
        try:
            await asyncio.wait_for(asyncio.to_thread(self._ping_sync), 5)
        except (KafkaError, TimeoutError, OSError) as exc:
            raise BusUnavailable(f"kafka unreachable: {exc!r}") from exc

    # --- operations: lag and browsing, on a thread and clients of their own (never the producer's) ---

    def _ops_sync(self) -> tuple[KafkaAdminClient, KafkaConsumer]:
        if self._ops is None:
            admin = KafkaAdminClient(**self._client, request_timeout_ms=self._timeout_ms)
            reader = KafkaConsumer(**self._client, group_id=None, enable_auto_commit=False,
                                   request_timeout_ms=max(self._timeout_ms, 31000), reconnect_backoff_max_ms=1000)
            self._ops = (admin, reader)
        return self._ops

    def _discard_ops(self) -> None:
        ops, self._ops = self._ops, None
        if ops is not None:
            for client in ops:
                try:
                    client.close()
                except Exception:
                    log.debug("kafka ops client close failed", exc_info=True)

    def _partitions_sync(self, reader: KafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
        out = []
        for topic in topics:
            for p in sorted(reader.partitions_for_topic(topic) or ()):
                out.append(TopicPartition(topic, p))
        return out

    def _lag_sync(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        try:
            admin, reader = self._ops_sync()
            tps = self._partitions_sync(reader, topics)
            ends = reader.end_offsets(tps) if tps else {}
            committed = admin.list_group_offsets({group: tps}).get(group, {}) if tps else {}
        except KafkaError:
            self._discard_ops()
            raise
        lag: dict[str, int] = {t: 0 for t in topics}
        for tp, end in ends.items():
            meta = committed.get(tp)
            position = meta.offset if meta is not None and meta.offset >= 0 else 0
            lag[tp.topic] += max(int(end) - position, 0)
        return lag

    def _rewind_sync(self, group: str, topics: Sequence[str]) -> None:
        try:
            admin, reader = self._ops_sync()
            tps = self._partitions_sync(reader, topics)
            if tps:
                admin.reset_group_offsets(group, {tp: 0 for tp in tps})  # clamped to each partition's start
        except KafkaError:
            self._discard_ops()
            raise

    async def rewind(self, group: str, topics: Sequence[str]) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._ops_executor, self._rewind_sync, group, topics)
        except KafkaError as exc:
            raise BusUnavailable(f"kafka rewind failed: {exc!r}") from exc

    async def consumer_lag(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        try:
            return dict(await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(self._ops_executor, self._lag_sync, group, topics), 30))
        except (KafkaError, TimeoutError) as exc:
            raise BusUnavailable(f"kafka lag unavailable: {exc!r}") from exc

    def _browse_sync(self, topics: Sequence[str], limit: int) -> list[Delivery]:
        try:
            _, reader = self._ops_sync()
            tps = self._partitions_sync(reader, topics)
            if not tps:
                return []
            reader.assign(tps)
            reader.seek_to_beginning(*tps)
            ends = reader.end_offsets(tps)
            out: list[Delivery] = []
            deadline = time.monotonic() + 30  # bounded: a broker that stops answering ends the listing
            while len(out) < limit and time.monotonic() < deadline and any(
                    reader.position(tp) < end for tp, end in ends.items()):
                for tp, records in reader.poll(timeout_ms=500, max_records=500).items():
                    for r in records:
                        if r.offset >= ends[tp]:
                            continue
                        headers = {k: v.decode() for k, v in (r.headers or [])}
                        key = r.key.decode() if r.key else ""
                        out.append(Delivery(Message(tp.topic, key, r.value or b"", headers), tp.partition, r.offset))
            reader.unsubscribe()
        except KafkaError:
            self._discard_ops()
            raise
        out.sort(key=lambda d: (d.message.topic, d.partition, d.offset))
        return out[:limit]

    async def browse(self, topics: Sequence[str], limit: int = 10_000) -> list[Delivery]:
        try:
            return list(await asyncio.get_running_loop().run_in_executor(
                self._ops_executor, self._browse_sync, topics, limit))
        except KafkaError as exc:
            raise BusUnavailable(f"kafka browse failed: {exc!r}") from exc

    async def close(self) -> None:
        if self._ops is not None:
            await asyncio.get_running_loop().run_in_executor(self._ops_executor, self._discard_ops)
        self._ops_executor.shutdown(wait=False)
        if self._producer is not None:
            producer, self._producer = self._producer, None

            def close() -> None:
                try:
                    producer.close(timeout=5)
                except KafkaError:
                    log.warning("kafka producer closed with unsent records (the outbox still has them)")

            await self._run(close)
        self._executor.shutdown(wait=False)


def _log_commit_failure(offsets: object, response: object) -> None:
    if isinstance(response, BaseException):
        log.warning("kafka offset commit failed (events will be replayed, the inbox skips them): %r", response)


class KafkaSubscription(Subscription):
    def __init__(self, client: Mapping[str, Any], group: str, topics: list[str], timeout_ms: int) -> None:
        self._client = dict(client)
        self._group = group
        self._topics = topics
        self._timeout_ms = timeout_ms
        self._consumer: KafkaConsumer | None = None
        self._assigned = False  # written by the consumer's thread after each poll; read for readiness
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"kafka-{group}")

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _consumer_sync(self) -> KafkaConsumer:
        if self._consumer is None:
            consumer = KafkaConsumer(
                **self._client,
                group_id=self._group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                request_timeout_ms=max(self._timeout_ms, 31000),
                reconnect_backoff_max_ms=1000,
                max_poll_records=500,
                # After a broker outage the runner resumes with a new consumer (a new member); the group
                # rebalances only once the old member's session expires. kafka-python's default, 45 s,
                # held every group that long after the broker was back; heartbeats run on their own thread.
                session_timeout_ms=10000,
                heartbeat_interval_ms=3000,
            )
            consumer.subscribe(self._topics)
            self._consumer = consumer
        return self._consumer

    def _poll_sync(self, max_records: int, timeout: float) -> list[Delivery]:
        consumer = self._consumer_sync()
        batches = consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        self._assigned = bool(consumer.assignment())
        out = []
        for tp, records in batches.items():
            for r in records:
                headers = {k: v.decode() for k, v in (r.headers or [])}
                key = r.key.decode() if r.key else ""
                out.append(Delivery(Message(tp.topic, key, r.value or b"", headers), tp.partition, r.offset))
        return out

    def ready(self) -> bool:
        return self._assigned

    async def poll(self, max_records: int, timeout: float) -> list[Delivery]:
        try:
            return list(await self._run(self._poll_sync, max_records, timeout))
        except KafkaError as exc:
            raise BusUnavailable(f"kafka poll failed: {exc!r}") from exc

    def _commit_sync(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        # Asynchronous: the offset is only a resume point. The inbox, committed before this call,
        # is what makes a replay after a lost commit harmless; waiting here would cap throughput.
        self._consumer_sync().commit_async(offsets, callback=_log_commit_failure)

    async def commit(self, deliveries: Sequence[Delivery]) -> None:
        latest: dict[TopicPartition, int] = {}
        for d in deliveries:
            tp = TopicPartition(d.message.topic, d.partition)
            latest[tp] = max(latest.get(tp, -1), d.offset)
        if not latest:
            return
        offsets = {tp: OffsetAndMetadata(off + 1, "", -1) for tp, off in latest.items()}
        try:
            await self._run(self._commit_sync, offsets)
        except KafkaError as exc:
            raise BusUnavailable(f"kafka commit failed: {exc!r}") from exc

    async def close(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await self._run(lambda: consumer.close(autocommit=False))
        self._executor.shutdown(wait=False)
