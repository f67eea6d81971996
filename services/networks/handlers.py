"""What networks consumes: hr's directory events, into its local replica."""

from libs.common.inbox import Consumer
from libs.directory import directory_consumer
from services.networks.models import DIRECTORY
from services.networks.settings import SERVICE

CONSUMERS: list[Consumer] = [directory_consumer(SERVICE, DIRECTORY)]
