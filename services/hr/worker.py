"""The worker: hr's outbox relay, its consumers, and the import job runner (a worker Job)."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from libs.common.changes import sequencer
from libs.common.settings import ServiceSettings, asyncpg_dsn
from libs.common.worker import Job, main
from services.hr.handlers import CONSUMERS
from services.hr.imports.runner import ImportRunner
from services.hr.settings import get_settings


def import_jobs(settings: ServiceSettings) -> Job:
    """The import runner on the worker's engine (its commits wake the relay, as the consumers' do)."""
    dsn = asyncpg_dsn(settings.service_database_url)  # its advisory locks live on a connection of their own

    async def run(engine: AsyncEngine, stop: asyncio.Event) -> None:
        await ImportRunner(engine, dsn).run(stop)

    return Job("hr-imports", run)


def run(settings: ServiceSettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker hr`)."""
    settings = settings or get_settings()
    main(settings, CONSUMERS, jobs=[import_jobs(settings),
                                    *sequencer(["district", "school", "educator"], settings.change_retention_days)])


if __name__ == "__main__":
    run()
