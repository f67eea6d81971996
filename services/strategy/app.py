"""strategy: Strategic plans as falsifiable theories of action, goals, initiatives and reciprocity."""

from libs.common.app import create_service_app
from services.strategy.routes import router
from services.strategy.settings import get_settings

app = create_service_app(
    get_settings(),
    title="improvenet strategy",
    description="Strategic plans as falsifiable theories of action, goals, initiatives and reciprocity.",
    routers=[router],
)
