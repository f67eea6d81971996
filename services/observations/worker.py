"""The worker: observations's outbox relay, its consumers and the change queries' sequencer."""

from libs.common.changes import sequencer
from libs.common.settings import ServiceSettings
from libs.common.worker import main
from services.observations.handlers import CONSUMERS
from services.observations.models import protocols, quality_sums, visits
from services.observations.settings import get_settings


def run(settings: ServiceSettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker observations`)."""
    settings = settings or get_settings()
    tracked = [t.name for t in (protocols, visits, quality_sums)]  # app.TRACKED's tables
    main(settings, CONSUMERS, jobs=sequencer(tracked, settings.change_retention_days))


if __name__ == "__main__":
    run()
