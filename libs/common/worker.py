"""A service's worker process: its outbox relay and its consumers, until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence

import uvloop

from libs.common.bus import Bus, create_bus, dead_letter_topic
from libs.common.db import create_engine, session_factory
from libs.common.inbox import Consumer, ConsumerRunner
from libs.common.outbox import Relay, RelayWaker
from libs.common.settings import ServiceSettings, asyncpg_dsn
from libs.common.telemetry import instrument_engine, setup_telemetry, shutdown_telemetry
from libs.contracts import REGISTRY

log = logging.getLogger(__name__)


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


async def run_worker(settings: ServiceSettings, consumers: Sequence[Consumer],
                     stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    engine = create_engine(settings.service_database_url, pool_size=settings.db_pool_size,
                           max_overflow=settings.db_max_overflow)
    instrument_engine(engine)
    bus = create_bus(settings)
    try:
        await ensure_topics_with_retry(bus, stop)
        relay = Relay(engine, bus, service=settings.service, batch_size=settings.relay_batch_size,
                      listen_dsn=asyncpg_dsn(settings.service_database_url))
        sessions = session_factory(engine)
        waker = RelayWaker(engine)  # consumers that emit events wake the relay too
        waker.start()
        tasks = [asyncio.create_task(relay.run(stop), name=f"{settings.service}-relay")]
        for c in consumers:
            runner = ConsumerRunner(bus, sessions, c, max_attempts=settings.consumer_max_attempts)
            tasks.append(asyncio.create_task(runner.run(stop), name=c.group))
        log.info("worker %s running: relay and %d consumers on the %s bus",
                 settings.service, len(consumers), settings.bus)
        await stop.wait()
        await asyncio.gather(*tasks, return_exceptions=True)
        await waker.stop()
    finally:
        await bus.close()
        await engine.dispose()


def main(settings: ServiceSettings, consumers: Sequence[Consumer]) -> None:
    setup_telemetry(settings.service + "-worker", otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                    log_level=settings.log_level, json_logs=settings.log_json)
    try:
        uvloop.run(run_worker(settings, consumers))  # the event loop the API processes run on, too
    finally:
        shutdown_telemetry()
