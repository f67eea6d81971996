"""What observations consumes: hr's directory events, into its local replica."""

from libs.common.inbox import Consumer
from libs.directory import directory_consumer
from services.observations.models import DIRECTORY
from services.observations.settings import SERVICE

CONSUMERS: list[Consumer] = [directory_consumer(SERVICE, DIRECTORY)]
