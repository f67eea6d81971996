"""The worker: strategy's outbox relay and consumers."""

from libs.common.settings import ServiceSettings
from libs.common.worker import main
from services.strategy.handlers import CONSUMERS
from services.strategy.settings import get_settings


def run(settings: ServiceSettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker strategy`)."""
    main(settings or get_settings(), CONSUMERS)


if __name__ == "__main__":
    run()
