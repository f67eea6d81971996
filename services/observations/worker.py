"""The worker: observations's outbox relay and consumers."""

from libs.common.settings import ServiceSettings
from libs.common.worker import main
from services.observations.handlers import CONSUMERS
from services.observations.settings import get_settings


def run(settings: ServiceSettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker observations`)."""
    main(settings or get_settings(), CONSUMERS)


if __name__ == "__main__":
    run()
