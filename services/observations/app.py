"""observations: Non-evaluative classroom observation: instructional rounds, descriptive evidence, debriefs."""

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from libs.common.app import create_service_app
from libs.common.auth import require
from libs.common.changes import Tracked, change_router
from libs.common.export import export_router
from libs.common.problems import problem_responses
from libs.common.settings import ServiceSettings
from libs.directory import directory_router
from services.observations.calibration.routes import router as calibration
from services.observations.debriefs.routes import router as debriefs
from services.observations.models import CHANGES, DIRECTORY, metadata, protocols, quality_sums, visits
from services.observations.protocols.routes import router as protocols_router
from services.observations.quality.routes import router as quality
from services.observations.records.routes import router as records
from services.observations.settings import SERVICE, get_settings
from services.observations.visits.routes import router as visits_router

MIGRATIONS = Path(__file__).with_name("migrations")
# What a district syncs with change queries (libs/common/changes.py); the worker numbers their changes. The
# quality index has no row of its own: its sums are tracked, and GET /quality-index lists their "" rows.
TRACKED = [Tracked("/protocols", "protocol", protocols),
           Tracked("/visits", "visit", visits),
           Tracked("/quality-index", "quality_index", quality_sums)]


def _changes() -> APIRouter:
    router = change_router(TRACKED, CHANGES, tag="changes", dependencies=[require("observations:read")])
    for route in router.routes:  # the generated "Quality_indexs deleted" reads badly
        if isinstance(route, APIRoute) and route.path == "/quality-index/deletes":
            route.summary = "Quality indices deleted, in change-version order"
    return router


def _export() -> APIRouter:
    """The tenant export's part, without the teacher of any classroom: a teacher is shown only to the host
    school's own staff (visits/access.py may_identify), and a tenant export is read with a token for the
    whole tenant, staff of no one school, so no scope lets it name teachers. Problems of practice are
    networks' (this is its replica)."""
    return export_router(metadata, service=SERVICE, read_scope="observations:read", personal_scope=None,
                         exclude=["problems_of_practice"])


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
        # the change router first: its /visits/deletes would otherwise read as /visits/{visit_id}
        routers=[_changes(), protocols_router, visits_router, records, debriefs, calibration, quality, _directory(),
                 _export()],
    )
