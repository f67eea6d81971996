"""The worker: networks's outbox relay and consumers, the collaboration graph's projection (the scopes the
writes queued), the overdue-commitments step, and the change queries' sequencer (libs/common/changes.py)."""

from __future__ import annotations

import asyncio
import logging

from libs.common import event_loop
from libs.common.changes import sequencer
from libs.common.db import create_engine, session_factory, unit_of_work
from libs.common.settings import ServiceSettings
from libs.common.telemetry import setup_telemetry, shutdown_telemetry
from libs.common.worker import every, run_worker
from services.networks.commitments.service import announce_overdue, today
from services.networks.graph.service import refresh_all
from services.networks.handlers import CONSUMERS
from services.networks.settings import get_settings

log = logging.getLogger(__name__)
OVERDUE_EVERY = 60.0  # seconds between sweeps: due dates are days, a minute's delay is nothing
CHANGE_TRACKED = ["networks", "memberships", "practices"]  # the tables of app.TRACKED
GRAPH_EVERY = 0.25  # seconds between looks at the graph queue when it was empty


async def overdue_step(settings: ServiceSettings, stop: asyncio.Event, every: float = OVERDUE_EVERY) -> None:
    """Announce newly overdue commitments (once each) until stopped."""
    engine = create_engine(settings.service_database_url, pool_size=1, max_overflow=0)
    sessions = session_factory(engine)
    try:
        while not stop.is_set():
            try:
                async with unit_of_work(sessions) as session:
                    announced = await announce_overdue(session, today())
                if announced:
                    log.info("announced %d overdue commitments", announced)
            except Exception:
                log.exception("overdue step failed; retrying at the next interval")
            try:
                await asyncio.wait_for(stop.wait(), every)
            except TimeoutError:
                pass
    finally:
        await engine.dispose()


async def run_all(settings: ServiceSettings) -> None:
    stop = asyncio.Event()
    jobs = [*sequencer(CHANGE_TRACKED, settings.change_retention_days),
            every("graph-projection", GRAPH_EVERY, refresh_all)]
    await asyncio.gather(run_worker(settings, CONSUMERS, stop, jobs=jobs), overdue_step(settings, stop))


def run(settings: ServiceSettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker networks`)."""
    settings = settings or get_settings()
    setup_telemetry(settings.service + "-worker", otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                    log_level=settings.log_level, json_logs=settings.log_json)
    try:
        event_loop.run(run_all(settings), settings.service)
    finally:
        shutdown_telemetry()


if __name__ == "__main__":
    run()
