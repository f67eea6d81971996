"""networks: Practitioner networks across schools: problems of practice, meetings, a shared practice library."""

from pathlib import Path

from fastapi import FastAPI

from libs.common.app import create_service_app
from libs.common.auth import require
from libs.common.changes import Tracked, change_router
from libs.common.export import export_router
from libs.common.settings import ServiceSettings
from services.networks.models import CHANGES, memberships, metadata, networks, practices
from services.networks.routes import ROUTERS
from services.networks.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")
# What a district syncs with change queries (libs/common/changes.py); the worker numbers their changes.
TRACKED = [Tracked("/networks", "network", networks),
           Tracked("/memberships", "membership", memberships),
           Tracked("/practices", "practice", practices)]


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="improvenet networks",
        description="Practitioner networks across schools: problems of practice, meetings, a shared practice library.",
        migrations=MIGRATIONS,
        # the change router first: its /networks/deletes would otherwise read as /networks/{network_id}
        routers=[change_router(TRACKED, CHANGES, tag="changes", dependencies=[require("networks:read")]),
                 *ROUTERS, export_router(metadata, service="networks", read_scope="networks:read")],
    )
