"""observations's HTTP API. For now: reading its replica of hr's directory."""

from libs.common.directory import directory_router
from services.observations.models import DIRECTORY
from services.observations.settings import SERVICE

router = directory_router(SERVICE, DIRECTORY)
