"""networks: Practitioner networks across schools: problems of practice, meetings, a shared practice library."""

from libs.common.app import create_service_app
from services.networks.routes import router
from services.networks.settings import get_settings

app = create_service_app(
    get_settings(),
    title="improvenet networks",
    description="Practitioner networks across schools: problems of practice, meetings, a shared practice library.",
    routers=[router],
)
