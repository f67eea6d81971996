"""`python -m services.hr.worker`: hr's outbox relay (and consumers, once it has any)."""

from libs.common.worker import main
from services.hr.handlers import CONSUMERS
from services.hr.settings import get_settings

if __name__ == "__main__":
    main(get_settings(), CONSUMERS)
