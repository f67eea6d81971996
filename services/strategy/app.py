"""strategy: Strategic plans as falsifiable theories of action, goals, initiatives and reciprocity."""

from pathlib import Path

from fastapi import FastAPI

from libs.common.app import create_service_app
from libs.common.settings import ServiceSettings
from services.strategy.routes import router
from services.strategy.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet strategy",
        description="Strategic plans as falsifiable theories of action, goals, initiatives and reciprocity.",
        migrations=MIGRATIONS,
        routers=[router],
    )
