"""strategy's HTTP API. For now: reading its replica of hr's directory."""

from libs.directory import directory_router
from services.strategy.models import DIRECTORY
from services.strategy.settings import SERVICE

router = directory_router(SERVICE, DIRECTORY)
