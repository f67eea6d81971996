"""The worker: strategy's outbox relay, its consumers, the daily stale sweep and the change sequencer."""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from libs.common.changes import sequencer
from libs.common.db import session_factory
from libs.common.settings import ServiceSettings
from libs.common.worker import Job, every, main
from services.strategy.handlers import CONSUMERS
from services.strategy.plans.service import sweep_stale
from services.strategy.settings import get_settings

TRACKED_TABLES = ["plans", "goals", "measurements"]  # the tables behind app.TRACKED


def stale_sweep(interval_seconds: float) -> Job:
    """Every adopted plan reviewed now and then every `interval_seconds` (STALE_SWEEP_SECONDS)."""

    async def tick(engine: AsyncEngine) -> int:
        return await sweep_stale(session_factory(engine), datetime.now(UTC).date())

    return every("strategy-stale-sweep", interval_seconds, tick)


def run(settings: ServiceSettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker strategy`)."""
    settings = settings or get_settings()
    main(settings, CONSUMERS, jobs=[stale_sweep(getattr(settings, "stale_sweep_seconds", 3600.0)),
                                    *sequencer(TRACKED_TABLES, settings.change_retention_days)])


if __name__ == "__main__":
    run()
