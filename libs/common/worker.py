"""A service's worker process: its outbox relay and its consumers, until SIGTERM.

The process never hangs half-alive: if the relay or a consumer task ends while no stop was asked for
(a bug, an error nobody caught), the worker stops the rest and exits with status 1, so its supervisor
(the launcher, or Kubernetes) restarts it. Infrastructure outages are not such an end: the relay and
the consumers wait and retry, and /readyz says they are waiting.

With `METRICS_PORT` set, a small HTTP listener on 127.0.0.1 (or `METRICS_HOST`) answers
`/metrics` (Prometheus), `/healthz` and `/readyz`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from libs.common import event_loop
from libs.common.bus import Bus, create_bus, dead_letter_topic
from libs.common.db import create_engine, session_factory
from libs.common.inbox import Consumer, ConsumerRunner
from libs.common.metrics import CONTENT_TYPE, Metrics, metrics, render, setup_metrics
from libs.common.outbox import Relay, RelayWaker
from libs.common.settings import ServiceSettings, asyncpg_dsn
from libs.common.telemetry import instrument_engine, setup_telemetry, shutdown_telemetry
from libs.contracts import REGISTRY

log = logging.getLogger(__name__)
REFRESH_SECONDS = float(os.environ.get("METRICS_REFRESH_SECONDS", "5"))
OUTBOX_BACKLOG = text("SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) "
                      "FROM outbox WHERE published_at IS NULL")
DEAD_LETTERED = text("SELECT consumer_group, count(*) FROM inbox WHERE outcome = 'dead-lettered' "
                     "GROUP BY consumer_group")


@dataclass(frozen=True)
class Job:
    """Work a worker runs beside its relay and consumers until `stop` (a periodic sweep, a job runner).
    It gets the worker's engine; the commits it makes wake the relay like the consumers'."""

    name: str
    run: Callable[[AsyncEngine, asyncio.Event], Coroutine[Any, Any, None]]


def every(name: str, seconds: float, tick: Callable[[AsyncEngine], Awaitable[object]]) -> Job:
    """A Job that calls `tick` now and then every `seconds` until stopped; a failing tick is logged and
    retried at the next one (a sweep must not take the worker down)."""

    async def run(engine: AsyncEngine, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await tick(engine)
            except Exception:
                log.exception("job %s failed; retrying in %.0f s", name, seconds)
            try:
                await asyncio.wait_for(stop.wait(), timeout=seconds)
            except TimeoutError:
                pass

    return Job(name, run)


class WorkerFailed(RuntimeError):
    """A relay or consumer task ended on its own: the process cannot do its work any more."""


def platform_topics() -> list[str]:
    """Every topic the contracts name, with its dead-letter topic."""
    topics = sorted({model.topic for model in REGISTRY.values()})
    return topics + [dead_letter_topic(t) for t in topics]


async def ensure_topics_with_retry(bus: Bus, stop: asyncio.Event) -> None:
    delay = 0.2
    while not stop.is_set():
        try:
            await bus.ensure_topics(platform_topics())
            return
        except Exception as exc:
            log.warning("bus not reachable yet (%r); retrying", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


class WorkerHealth:
    """What /readyz of a worker reports: topics ready, every task running, its database answering."""

    def __init__(self) -> None:
        self.topics_ready = False
        self.tasks: list[asyncio.Task[None]] = []
        self.runners: list[ConsumerRunner] = []
        self.database_ok_at = 0.0
        self.database_error: str | None = "not checked yet"

    def checks(self) -> dict[str, str]:
        dead = [t.get_name() for t in self.tasks if t.done()]
        age = time.monotonic() - self.database_ok_at
        waiting = [r.group for r in self.runners if not r.ready()]
        if self.database_error is not None:
            database = f"unreachable: {self.database_error}"
        elif age > max(3 * REFRESH_SECONDS, 10):
            database = f"not checked for {age:.0f}s"
        else:
            database = "ok"
        return {
            "bus": "ok" if self.topics_ready else "waiting for the bus",
            "tasks": "ok" if self.tasks and not dead else (f"ended: {', '.join(dead)}" if dead else "starting"),
            "consumers": "ok" if not waiting else f"not consuming yet: {', '.join(waiting)}",
            "database": database,
        }


async def refresh_gauges(engine: AsyncEngine, bus: Bus, service: str, consumers: Sequence[Consumer],
                         m: Metrics, health: WorkerHealth) -> None:
    """One refresh of the gauges that need a query of the service database (outbox, dead letters)."""
    try:
        async with engine.connect() as conn:
            backlog, age = (await conn.execute(OUTBOX_BACKLOG)).one()
            dead = {g: n for g, n in await conn.execute(DEAD_LETTERED)}
        m.outbox_backlog.set((service,), float(backlog))
        m.outbox_oldest_age.set((service,), float(age or 0))
        m.dead_letters.replace({(c.group,): float(dead.get(c.group, 0)) for c in consumers})
        health.database_ok_at, health.database_error = time.monotonic(), None
    except Exception as exc:
        health.database_error = repr(exc)[:300]


async def refresh_lag(bus: Bus, consumers: Sequence[Consumer], m: Metrics) -> None:
    """Consumer lag per group and topic (a bus round trip: Kafka's can take seconds, so its own loop)."""
    lag: dict[tuple[str, ...], float] = {}
    for c in consumers:
        try:
            for topic, value in (await bus.consumer_lag(c.group, c.topics)).items():
                lag[(c.group, topic)] = float(value)
        except Exception:
            log.debug("consumer lag of %s unavailable", c.group, exc_info=True)
            for topic in c.topics:  # keep the last known values while the bus is away
                if (known := m.consumer_lag.get((c.group, topic))) is not None:
                    lag[(c.group, topic)] = known
    m.consumer_lag.replace(lag)


async def _refresh_loop(engine: AsyncEngine, bus: Bus, service: str, consumers: Sequence[Consumer],
                        m: Metrics, health: WorkerHealth, stop: asyncio.Event, *, lag: bool = False) -> None:
    while not stop.is_set():
        if lag:
            await refresh_lag(bus, consumers, m)
        else:
            await refresh_gauges(engine, bus, service, consumers, m, health)
        try:
            await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)
        except TimeoutError:
            pass


async def serve_status(health: WorkerHealth, host: str, port: int) -> asyncio.Server:
    """/metrics, /healthz, /readyz over plain HTTP/1.1 (one request per connection)."""
    instance = os.environ.get("IMPROVENET_INSTANCE_ID")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 5)
            while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                pass  # headers: nothing in them matters here
            parts = line.decode("latin-1").split()
            path = parts[1].split("?")[0] if len(parts) >= 2 else ""
            status, ctype, body = 200, CONTENT_TYPE, b""
            if path == "/metrics":
                body = render()
            elif path in ("/healthz", "/readyz"):
                checks = health.checks() if path == "/readyz" else {}
                ready = all(v == "ok" for v in checks.values())
                status = 200 if ready else 503
                ctype = "application/json"
                body = json.dumps({"status": ("ok" if path == "/healthz" else "ready" if ready else "not ready"),
                                   "checks": checks, "instance": instance}).encode()
            else:
                status, body = 404, b"not found\n"
            reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
            head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                    f"Connection: close\r\n")
            if instance:
                head += f"X-Improvenet-Instance: {instance}\r\n"
            writer.write(head.encode() + b"\r\n" + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port, reuse_address=True)


async def run_worker(settings: ServiceSettings, consumers: Sequence[Consumer],
                     stop: asyncio.Event | None = None, jobs: Sequence[Job] = ()) -> None:
    """Run until `stop` (or SIGTERM/SIGINT); raises WorkerFailed if a task ends without being asked to."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    m = metrics()
    health = WorkerHealth()
    server: asyncio.Server | None = None
    if os.environ.get("METRICS_PORT"):
        # A port we cannot bind is a misconfiguration: fail now, loudly, rather than run unobservable.
        server = await serve_status(health, os.environ.get("METRICS_HOST", "127.0.0.1"),
                                    int(os.environ["METRICS_PORT"]))
    engine = create_engine(settings.service_database_url, pool_size=settings.db_pool_size,
                           max_overflow=settings.db_max_overflow)
    instrument_engine(engine)
    bus = create_bus(settings)
    failed: list[str] = []
    try:
        refreshers = [asyncio.create_task(_refresh_loop(engine, bus, settings.service, consumers, m, health, stop,
                                                        lag=lag), name=f"metrics-refresh-{lag}")
                      for lag in (False, True)]
        await ensure_topics_with_retry(bus, stop)
        health.topics_ready = True
        relay = Relay(engine, bus, service=settings.service, batch_size=settings.relay_batch_size,
                      listen_dsn=asyncpg_dsn(settings.service_database_url))
        sessions = session_factory(engine)
        waker = RelayWaker(engine)  # consumers that emit events wake the relay too
        waker.start()
        tasks = [asyncio.create_task(relay.run(stop), name=f"{settings.service}-relay")]
        for c in consumers:
            runner = ConsumerRunner(bus, sessions, c, max_attempts=settings.consumer_max_attempts)
            health.runners.append(runner)
            tasks.append(asyncio.create_task(runner.run(stop), name=c.group))
        tasks += [asyncio.create_task(job.run(engine, stop), name=job.name) for job in jobs]
        health.tasks = tasks
        for t in tasks:
            m.up.set((t.get_name(),), 1.0)
        log.info("worker %s running: relay and %d consumers on the %s bus",
                 settings.service, len(consumers), settings.bus)
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for t in tasks:
            if t.done() and not stop.is_set():
                m.up.set((t.get_name(),), 0.0)
                error = t.exception() if not t.cancelled() else None
                failed.append(f"{t.get_name()}: {error!r}" if error else f"{t.get_name()}: ended")
        stop.set()  # a dead task: stop the others cleanly before exiting
        await asyncio.gather(*tasks, stopping, return_exceptions=True)
        await waker.stop()
        for r in refreshers:
            r.cancel()
        await asyncio.gather(*refreshers, return_exceptions=True)
    finally:
        for sig in handled:  # a worker run inside a longer-lived loop (tests) must not leave its handlers
            loop.remove_signal_handler(sig)
        if server is not None:
            server.close()
        await bus.close()
        await engine.dispose()
    if failed:
        raise WorkerFailed("; ".join(failed))


def main(settings: ServiceSettings, consumers: Sequence[Consumer], jobs: Sequence[Job] = ()) -> None:
    setup_telemetry(settings.service + "-worker", otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                    log_level=settings.log_level, json_logs=settings.log_json)
    setup_metrics(settings.service + "-worker")
    try:
        event_loop.run(run_worker(settings, consumers, jobs=jobs), settings.service)
    except WorkerFailed as exc:
        log.critical("worker %s cannot go on (%s); exiting with status 1 so it is restarted", settings.service, exc)
        sys.exit(1)
    finally:
        shutdown_telemetry()
