"""hr: the system of record for the tenant's districts, schools and educators."""

from libs.common.app import create_service_app
from services.hr.routes import router
from services.hr.settings import get_settings

app = create_service_app(
    get_settings(),
    title="improvenet hr",
    description="Districts, schools and educators: one pipeline from applicant to system leader.",
    routers=[router],
)
