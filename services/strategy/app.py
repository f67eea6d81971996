"""strategy: Strategic plans as falsifiable theories of action, goals, initiatives and reciprocity."""

from pathlib import Path

from fastapi import APIRouter, FastAPI

from libs.common.app import create_service_app
from libs.common.auth import require
from libs.common.changes import Tracked, change_router
from libs.common.export import export_router
from libs.common.problems import problem_responses
from libs.common.settings import ServiceSettings
from libs.directory import directory_router
from services.strategy.goals.routes import router as goals
from services.strategy.initiatives.routes import router as initiatives
from services.strategy.measurements.routes import router as measurements
from services.strategy.models import CHANGES, DIRECTORY, Goal, Measurement, Plan, metadata
from services.strategy.plans.routes import router as plans
from services.strategy.reciprocity.routes import router as reciprocity
from services.strategy.settings import (
    SERVICE,
    get_settings,
)
from services.strategy.trajectories.routes import router as trajectories

MIGRATIONS = Path(__file__).with_name("migrations")
# What district IT syncs with change queries (libs/common/changes.py); the worker numbers their changes.
TRACKED = [Tracked("/plans", "plan", Plan.__table__, schoolless_visible_to_all=True),  # type: ignore[attr-defined]
           Tracked("/goals", "goal", Goal.__table__),  # type: ignore[attr-defined]
           Tracked("/measurements", "measurement", Measurement.__table__)]  # type: ignore[attr-defined]


def replica_router() -> APIRouter:
    """The directory replica's routes, with the problems they answer documented (404 for an unknown id)."""
    router = APIRouter(responses=problem_responses(401, 403, 404))
    router.include_router(directory_router(SERVICE, DIRECTORY))
    return router


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet strategy",
        description="Strategic plans as falsifiable theories of action, goals, initiatives and reciprocity.",
        migrations=MIGRATIONS,
        # the change router first: its /plans/deletes would otherwise read as /plans/{plan_id}
        routers=[change_router(TRACKED, CHANGES, tag="changes", dependencies=[require("strategy:read")]),
                 plans, goals, initiatives, measurements, trajectories, reciprocity, replica_router(),
                 export_router(metadata, service=SERVICE, read_scope="strategy:read")],
    )
