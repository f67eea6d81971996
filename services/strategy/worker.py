"""`python -m services.strategy.worker`: strategy's outbox relay and consumers."""

from libs.common.worker import main
from services.strategy.handlers import CONSUMERS
from services.strategy.settings import get_settings

if __name__ == "__main__":
    main(get_settings(), CONSUMERS)
