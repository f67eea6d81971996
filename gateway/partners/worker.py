"""The gateway worker with the webhook dispatcher beside its relay and consumers.

`libs.common.worker` runs a relay and consumers; the dispatcher is neither, so this wraps
`run_worker` and runs the dispatcher on the same stop event: SIGTERM stops both, and if either ends on
its own the other is stopped and the process exits 1 (as `libs.common.worker.main` does), so it is
restarted. (If `run_worker` gains a way to run extra tasks, this module shrinks to that call.)
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

from gateway.partners.dispatcher import WebhookDispatcher
from gateway.partners.settings import PartnerSettings
from libs.common import event_loop
from libs.common.db import create_engine
from libs.common.inbox import Consumer
from libs.common.metrics import setup_metrics
from libs.common.settings import ServiceSettings
from libs.common.telemetry import instrument_engine, setup_telemetry, shutdown_telemetry
from libs.common.worker import Job, WorkerFailed, run_worker

log = logging.getLogger(__name__)


async def run_worker_with_webhooks(settings: ServiceSettings, consumers: Sequence[Consumer],
                                   stop: asyncio.Event | None = None,
                                   partner_settings: PartnerSettings | None = None, jobs: Sequence[Job] = ()) -> None:
    stop = stop or asyncio.Event()
    engine = create_engine(settings.service_database_url, pool_size=5, max_overflow=5)
    instrument_engine(engine)
    worker = asyncio.create_task(run_worker(settings, consumers, stop, jobs=jobs), name=f"{settings.service}-worker")
    webhooks = asyncio.create_task(WebhookDispatcher(engine, partner_settings).run(stop),
                                   name="gateway.partners.webhooks")
    try:
        await asyncio.wait([worker, webhooks], return_when=asyncio.FIRST_COMPLETED)
        if webhooks.done() and not stop.is_set():
            raise WorkerFailed(f"the webhook dispatcher ended: {webhooks.exception()!r}")
    finally:
        stop.set()
        results = await asyncio.gather(worker, webhooks, return_exceptions=True)
        await engine.dispose()
    if isinstance(results[0], BaseException):
        raise results[0]


def main(settings: ServiceSettings, consumers: Sequence[Consumer], jobs: Sequence[Job] = ()) -> None:
    """`libs.common.worker.main`, with the webhook dispatcher."""
    setup_telemetry(settings.service + "-worker", otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                    log_level=settings.log_level, json_logs=settings.log_json)
    setup_metrics(settings.service + "-worker")
    try:
        event_loop.run(run_worker_with_webhooks(settings, consumers, jobs=jobs), settings.service)
    except WorkerFailed as exc:
        log.critical("worker %s cannot go on (%s); exiting with status 1 so it is restarted", settings.service, exc)
        sys.exit(1)
    finally:
        shutdown_telemetry()
