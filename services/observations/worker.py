"""`python -m services.observations.worker`: observations's outbox relay and consumers."""

from libs.common.worker import main
from services.observations.handlers import CONSUMERS
from services.observations.settings import get_settings

if __name__ == "__main__":
    main(get_settings(), CONSUMERS)
