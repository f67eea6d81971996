import os

from libs.common.settings import ServiceSettings, service_settings
from services.observations.quality.index import DEFAULT_MINIMUM_CLASSROOMS

SERVICE = "observations"


def get_settings() -> ServiceSettings:
    return service_settings(SERVICE)


def minimum_classrooms() -> int:
    """How many classrooms a school and period need before its index is published (default 5)."""
    return int(os.environ.get("OBSERVATIONS_QUALITY_MIN_CLASSROOMS", DEFAULT_MINIMUM_CLASSROOMS))
