"""hr: the system of record for the tenant's districts, schools and educators, and their pipeline."""

from pathlib import Path

from fastapi import FastAPI

from libs.common.app import create_service_app
from libs.common.auth import require
from libs.common.changes import Tracked, change_router
from libs.common.settings import ServiceSettings
from services.hr.educators.routes import router as educators
from services.hr.export import router as export
from services.hr.feedback.routes import router as feedback
from services.hr.imports.routes import router as imports
from services.hr.ladder.routes import router as ladder
from services.hr.leadership.routes import router as leadership
from services.hr.learning.routes import router as learning
from services.hr.mentoring.routes import router as mentoring
from services.hr.models import CHANGES, District, Educator, School
from services.hr.organisations.routes import router as organisations
from services.hr.pipeline.routes import router as pipeline
from services.hr.recruitment.routes import router as recruitment
from services.hr.residencies.routes import router as residencies
from services.hr.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")
# What district IT syncs with change queries (libs/common/changes.py); the worker numbers their changes.
TRACKED = [Tracked("/districts", "district", District.__table__,  # type: ignore[attr-defined]
                   schoolless_visible_to_all=True),
           Tracked("/schools", "school", School.__table__),  # type: ignore[attr-defined]
           Tracked("/educators", "educator", Educator.__table__)]  # type: ignore[attr-defined]


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet hr",
        description="Districts, schools and educators: one pipeline from applicant to system leader.",
        migrations=MIGRATIONS,
        # the change router first: its /schools/deletes would otherwise read as /schools/{id}
        routers=[change_router(TRACKED, CHANGES, tag="changes", dependencies=[require("hr:read")]),
                 organisations, educators, ladder, recruitment, mentoring, leadership, feedback, residencies,
                 learning, pipeline, imports, export()],
    )
