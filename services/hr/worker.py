"""The worker: hr's outbox relay (and consumers, once it has any)."""

from libs.common.settings import ServiceSettings
from libs.common.worker import main
from services.hr.handlers import CONSUMERS
from services.hr.settings import get_settings


def run(settings: ServiceSettings | None = None) -> None:
    """The worker process until SIGTERM (the composition root's `worker hr`)."""
    main(settings or get_settings(), CONSUMERS)


if __name__ == "__main__":
    run()
