"""`python -m services.networks.worker`: networks's outbox relay and consumers."""

from libs.common.worker import main
from services.networks.handlers import CONSUMERS
from services.networks.settings import get_settings

if __name__ == "__main__":
    main(get_settings(), CONSUMERS)
