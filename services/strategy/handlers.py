"""What strategy consumes: hr's directory events, into its local replica."""

from libs.common.inbox import Consumer
from libs.directory import directory_consumer
from services.strategy.models import DIRECTORY
from services.strategy.settings import SERVICE

CONSUMERS: list[Consumer] = [directory_consumer(SERVICE, DIRECTORY)]
