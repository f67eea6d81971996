"""observations: Non-evaluative classroom observation: instructional rounds, descriptive evidence, debriefs."""

from pathlib import Path

from fastapi import APIRouter, FastAPI

from libs.common.app import create_service_app
from libs.common.problems import problem_responses
from libs.common.settings import ServiceSettings
from libs.directory import directory_router
from services.observations.calibration.routes import router as calibration
from services.observations.debriefs.routes import router as debriefs
from services.observations.models import DIRECTORY
from services.observations.protocols.routes import router as protocols
from services.observations.quality.routes import router as quality
from services.observations.records.routes import router as records
from services.observations.settings import SERVICE, get_settings
from services.observations.visits.routes import router as visits

MIGRATIONS = Path(__file__).with_name("migrations")


def _directory() -> APIRouter:
    """The directory replica's read routes, with their problem responses documented."""
    router = APIRouter(responses=problem_responses(401, 403, 404, 422))
    router.include_router(directory_router(SERVICE, DIRECTORY))
    return router


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet observations",
        description="Non-evaluative classroom observation: instructional rounds, descriptive evidence, debriefs.",
        migrations=MIGRATIONS,
        routers=[protocols, visits, records, debriefs, calibration, quality, _directory()],
    )
