"""The worker: networks's outbox relay and consumers."""

from libs.common.settings import ServiceSettings
from libs.common.worker import main
from services.networks.handlers import CONSUMERS
from services.networks.settings import get_settings


def run(settings: ServiceSettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker networks`)."""
    main(settings or get_settings(), CONSUMERS)


if __name__ == "__main__":
    run()
