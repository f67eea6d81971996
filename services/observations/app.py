"""observations: Non-evaluative classroom observation: instructional rounds, descriptive evidence, debriefs."""

from libs.common.app import create_service_app
from services.observations.routes import directory, router
from services.observations.settings import get_settings

app = create_service_app(
    get_settings(),
    title="improvenet observations",
    description="Non-evaluative classroom observation: instructional rounds, descriptive evidence, debriefs.",
    routers=[router, directory],
)
