"""hr: the system of record for the tenant's districts, schools and educators, and their pipeline."""

from pathlib import Path

from fastapi import FastAPI

from libs.common.app import create_service_app
from libs.common.settings import ServiceSettings
from services.hr.educators.routes import router as educators
from services.hr.feedback.routes import router as feedback
from services.hr.imports.routes import router as imports
from services.hr.ladder.routes import router as ladder
from services.hr.leadership.routes import router as leadership
from services.hr.learning.routes import router as learning
from services.hr.mentoring.routes import router as mentoring
from services.hr.organisations.routes import router as organisations
from services.hr.pipeline.routes import router as pipeline
from services.hr.recruitment.routes import router as recruitment
from services.hr.residencies.routes import router as residencies
from services.hr.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet hr",
        description="Districts, schools and educators: one pipeline from applicant to system leader.",
        migrations=MIGRATIONS,
        routers=[organisations, educators, ladder, recruitment, mentoring, leadership, feedback, residencies,
                 learning, pipeline, imports],
    )
