"""hr: the system of record for the tenant's districts, schools and educators."""

from pathlib import Path

from fastapi import FastAPI

from libs.common.app import create_service_app
from libs.common.settings import ServiceSettings
from services.hr.routes import router
from services.hr.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet hr",
        description="Districts, schools and educators: one pipeline from applicant to system leader.",
        migrations=MIGRATIONS,
        routers=[router],
    )
