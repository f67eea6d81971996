"""observations: Non-evaluative classroom observation: instructional rounds, descriptive evidence, debriefs."""

from pathlib import Path

from fastapi import FastAPI

from libs.common.app import create_service_app
from libs.common.settings import ServiceSettings
from services.observations.routes import directory, router
from services.observations.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet observations",
        description="Non-evaluative classroom observation: instructional rounds, descriptive evidence, debriefs.",
        migrations=MIGRATIONS,
        routers=[router, directory],
    )
