"""networks: Practitioner networks across schools: problems of practice, meetings, a shared practice library."""

from pathlib import Path

from fastapi import FastAPI

from libs.common.app import create_service_app
from libs.common.settings import ServiceSettings
from services.networks.routes import ROUTERS
from services.networks.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet networks",
        description="Practitioner networks across schools: problems of practice, meetings, a shared practice library.",
        migrations=MIGRATIONS,
        routers=ROUTERS,
    )
