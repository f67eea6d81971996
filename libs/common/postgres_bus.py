"""The embedded bus: an append-only log per topic in PostgreSQL.

Appends to a topic are serialised by the row lock on its `bus_topics` row, held until commit, so
offsets become visible in order and a reader never skips a row that commits late. Consumer groups
keep committed offsets; an advisory lock per (group, topic) lets one instance consume at a time
(the others stand by). LISTEN/NOTIFY wakes readers as soon as something is appended.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

import asyncpg

from libs.common.bus import Bus, BusUnavailable, Delivery, Message, Subscription
from libs.common.settings import asyncpg_dsn

log = logging.getLogger(__name__)
CHANNEL = "improvenet_bus"

SCHEMA = """
CREATE TABLE IF NOT EXISTS bus_topics (topic text PRIMARY KEY, head bigint NOT NULL);
CREATE TABLE IF NOT EXISTS bus_log (
    topic text NOT NULL,
    "offset" bigint NOT NULL,
    key text NOT NULL,
    value bytea NOT NULL,
    headers jsonb NOT NULL,
    appended_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, "offset")
);
CREATE TABLE IF NOT EXISTS bus_offsets (
    group_id text NOT NULL,
    topic text NOT NULL,
    committed bigint NOT NULL,
    PRIMARY KEY (group_id, topic)
);
"""

CONNECTION_ERRORS = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                     asyncpg.CannotConnectNowError, asyncpg.exceptions.ConnectionDoesNotExistError,
                     asyncpg.InvalidCatalogNameError, asyncpg.ObjectInUseError,
                     asyncpg.AdminShutdownError, asyncio.TimeoutError)


class PostgresBus(Bus):
    def __init__(self, url: str, *, connect_timeout: float = 5.0) -> None:
        self._dsn = asyncpg_dsn(url)
        self._timeout = connect_timeout
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def _acquire_pool(self) -> asyncpg.Pool:
        async with self._lock:
            if self._pool is None:
                try:
                    pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=4, timeout=self._timeout)
                    async with pool.acquire() as conn:
                        await conn.execute(SCHEMA)
                except CONNECTION_ERRORS as exc:
                    raise BusUnavailable(f"embedded bus database unreachable: {exc!r}") from exc
                self._pool = pool
            return self._pool

    async def _reset(self) -> None:
        async with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()

    async def publish(self, messages: Sequence[Message]) -> list[BaseException | None]:
        if not messages:
            return []
        pool = await self._acquire_pool()
        by_topic: dict[str, list[Message]] = {}
        for m in messages:
            by_topic.setdefault(m.topic, []).append(m)
        try:
            async with pool.acquire() as conn, conn.transaction():
                for topic in sorted(by_topic):  # fixed lock order: no deadlock between publishers
                    batch = by_topic[topic]
                    head = await conn.fetchval(
                        "INSERT INTO bus_topics AS t (topic, head) VALUES ($1, $2) "
                        "ON CONFLICT (topic) DO UPDATE SET head = t.head + $2 RETURNING head",
                        topic, len(batch),
                    )
                    first = head - len(batch) + 1
                    await conn.copy_records_to_table(
                        "bus_log",
                        records=[(topic, first + i, m.key, m.value, json.dumps(m.headers))
                                 for i, m in enumerate(batch)],
                        columns=["topic", "offset", "key", "value", "headers"],
                    )
                    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, topic)
        except CONNECTION_ERRORS as exc:
            await self._reset()
            raise BusUnavailable(f"embedded bus publish failed: {exc!r}") from exc
        return [None] * len(messages)

    def subscribe(self, group: str, topics: Sequence[str]) -> Subscription:
        return PostgresSubscription(self, group, list(topics))

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        pool = await self._acquire_pool()
        async with pool.acquire() as conn:
            await conn.executemany(
                "INSERT INTO bus_topics (topic, head) VALUES ($1, 0) ON CONFLICT DO NOTHING",
                [(t,) for t in topics],
            )

    async def ping(self) -> None:
        try:
            pool = await self._acquire_pool()
            async with pool.acquire(timeout=self._timeout) as conn:
                await conn.fetchval("SELECT 1")
        except CONNECTION_ERRORS as exc:
            await self._reset()
            raise BusUnavailable(repr(exc)) from exc

    async def close(self) -> None:
        async with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def consumer_lag(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        try:
            pool = await self._acquire_pool()
            async with pool.acquire(timeout=self._timeout) as conn:
                rows = await conn.fetch(
                    "SELECT t.topic, t.head - COALESCE(o.committed, 0) AS lag FROM bus_topics t "
                    "LEFT JOIN bus_offsets o ON o.topic = t.topic AND o.group_id = $1 WHERE t.topic = ANY($2)",
                    group, list(topics))
        except CONNECTION_ERRORS as exc:
            await self._reset()
            raise BusUnavailable(repr(exc)) from exc
        return {r["topic"]: max(int(r["lag"]), 0) for r in rows}

    async def rewind(self, group: str, topics: Sequence[str]) -> None:
        try:
            pool = await self._acquire_pool()
            async with pool.acquire(timeout=self._timeout) as conn:
                await conn.executemany(
                    "INSERT INTO bus_offsets (group_id, topic, committed) VALUES ($1, $2, 0) "
                    "ON CONFLICT (group_id, topic) DO UPDATE SET committed = 0", [(group, t) for t in topics])
        except CONNECTION_ERRORS as exc:
            await self._reset()
            raise BusUnavailable(repr(exc)) from exc

    async def browse(self, topics: Sequence[str], limit: int = 10_000) -> list[Delivery]:
        try:
            pool = await self._acquire_pool()
            async with pool.acquire(timeout=self._timeout) as conn:
                rows = await conn.fetch(
                    'SELECT topic, "offset", key, value, headers FROM bus_log WHERE topic = ANY($1) '
                    'ORDER BY topic, "offset" LIMIT $2', list(topics), limit)
        except CONNECTION_ERRORS as exc:
            await self._reset()
            raise BusUnavailable(repr(exc)) from exc
        return [Delivery(Message(r["topic"], r["key"], bytes(r["value"]), json.loads(r["headers"])), 0, r["offset"])
                for r in rows]

    @property
    def dsn(self) -> str:
        return self._dsn


class PostgresSubscription(Subscription):
    def __init__(self, bus: PostgresBus, group: str, topics: list[str]) -> None:
        self._bus = bus
        self._group = group
        self._topics = topics
        self._conn: asyncpg.Connection | None = None
        self._owned: set[str] = set()
        self._positions: dict[str, int] = {}
        self._wake = asyncio.Event()

    async def _connect(self) -> asyncpg.Connection:
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        self._owned.clear()
        self._positions.clear()
        try:
            conn = await asyncpg.connect(self._bus.dsn, timeout=5)
            await conn.execute(SCHEMA)
            await conn.add_listener(CHANNEL, self._on_notify)
        except CONNECTION_ERRORS as exc:
            raise BusUnavailable(f"embedded bus unreachable: {exc!r}") from exc
        self._conn = conn
        return conn

    def _on_notify(self, _conn: object, _pid: int, _channel: str, topic: str) -> None:
        if topic in self._topics:
            self._wake.set()

    async def _claim_topics(self, conn: asyncpg.Connection) -> None:
        """Own every topic whose (group, topic) advisory lock we can take; load committed offsets."""
        for topic in self._topics:
            if topic in self._owned:
                continue
            got = await conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))", self._group, topic
            )
            if got:
                self._owned.add(topic)
                committed = await conn.fetchval(
                    "SELECT committed FROM bus_offsets WHERE group_id = $1 AND topic = $2", self._group, topic
                )
                self._positions[topic] = committed or 0

    async def poll(self, max_records: int, timeout: float) -> list[Delivery]:
        try:
            return await self._poll(max_records, timeout)
        except CONNECTION_ERRORS as exc:
            await self._drop()
            raise BusUnavailable(f"embedded bus poll failed: {exc!r}") from exc

    async def _poll(self, max_records: int, timeout: float) -> list[Delivery]:
        conn = await self._connect()
        await self._claim_topics(conn)
        if not self._owned:
            await asyncio.sleep(min(timeout, 1.0))
            return []
        self._wake.clear()
        rows = await self._read(conn, max_records)
        if not rows:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                return []
            rows = await self._read(conn, max_records)
        out = []
        for r in rows:
            msg = Message(r["topic"], r["key"], bytes(r["value"]), json.loads(r["headers"]))
            out.append(Delivery(msg, 0, r["offset"]))
            self._positions[r["topic"]] = max(self._positions[r["topic"]], r["offset"])
        return out

    async def _read(self, conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
        owned = sorted(self._owned)
        return await conn.fetch(
            """
            SELECT l.topic, l."offset", l.key, l.value, l.headers
            FROM unnest($1::text[], $2::bigint[]) AS p(topic, pos)
            CROSS JOIN LATERAL (
                SELECT * FROM bus_log b WHERE b.topic = p.topic AND b."offset" > p.pos
                ORDER BY b."offset" LIMIT $3
            ) l
            ORDER BY l.topic, l."offset"
            """,
            # Order matters only within a topic; share the batch so no topic starves another.
            owned, [self._positions[t] for t in owned], max(1, limit // len(owned)),
        )

    async def commit(self, deliveries: Sequence[Delivery]) -> None:
        latest: dict[str, int] = {}
        for d in deliveries:
            latest[d.message.topic] = max(latest.get(d.message.topic, 0), d.offset)
        if not latest:
            return
        try:
            conn = await self._connect()
            await conn.executemany(
                "INSERT INTO bus_offsets AS o (group_id, topic, committed) VALUES ($1, $2, $3) "
                "ON CONFLICT (group_id, topic) DO UPDATE SET committed = GREATEST(o.committed, $3)",
                [(self._group, t, off) for t, off in latest.items()],
            )
        except CONNECTION_ERRORS as exc:
            await self._drop()
            raise BusUnavailable(f"embedded bus commit failed: {exc!r}") from exc

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self._owned.clear()
        self._positions.clear()
        if conn is not None:
            conn.terminate()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            await conn.close()
