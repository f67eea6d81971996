"""Build any component from the registry: its settings, its app, its worker.

The one place where settings a component cannot know by itself (its upstreams, the platform's scopes)
are filled in: the gateway learns the services and scopes from the registry here.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI

from improvenet.registry import DEFAULT_PORTS, SCOPE_TEXT, SERVICES, component
from libs.common.settings import ServiceSettings


def settings_for(name: str, **overrides: Any) -> ServiceSettings:
    """The settings of component `name`, from the environment plus what only the registry knows."""
    if component(name).kind == "gateway":
        from gateway.settings import GatewaySettings

        upstreams = {s.name: os.environ.get(f"{s.name.upper()}_URL", f"http://127.0.0.1:{DEFAULT_PORTS[s.name]}")
                     for s in SERVICES}
        return GatewaySettings(**{"upstream_urls": upstreams, "scopes": dict(SCOPE_TEXT), **overrides})
    return ServiceSettings(**{"service": name, **overrides})


def create_app(name: str, settings: ServiceSettings | None = None) -> FastAPI:
    app: FastAPI = component(name).load_app_factory()(settings or settings_for(name))
    return app


def run_worker(name: str, settings: ServiceSettings | None = None) -> None:
    component(name).load_worker()(settings or settings_for(name))
