"""The registry of components: everything that lists services, ports, databases or scopes reads it.

Adding a service is one entry here (plus its package under services/ and its contracts module).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Kind = Literal["service", "gateway"]


@dataclass(frozen=True)
class Component:
    """One deployable component: an API process and a worker process, with a database of its own."""

    name: str
    kind: Kind
    app_factory: str  # "module:function" returning a FastAPI app from settings
    worker: str  # "module:function" running the relay and consumers until stopped
    default_port: int
    scopes: dict[str, str] = field(default_factory=dict)  # scope -> what it allows
    description: str = ""

    @property
    def database(self) -> str:
        return f"improvenet_{self.name}"

    @property
    def package(self) -> str:
        return self.app_factory.partition(":")[0].rsplit(".", 1)[0]

    @property
    def migrations(self) -> Path:
        """The component's Alembic history: `<package>/migrations`."""
        spec = importlib.util.find_spec(self.package)
        assert spec is not None and spec.submodule_search_locations, self.package
        return Path(next(iter(spec.submodule_search_locations))) / "migrations"

    def load_app_factory(self) -> Callable[..., Any]:
        return _load(self.app_factory)

    def load_worker(self) -> Callable[..., Any]:
        return _load(self.worker)


def _load(path: str) -> Callable[..., Any]:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def _service(name: str, port: int, scopes: dict[str, str], description: str) -> Component:
    return Component(name, "service", f"services.{name}.app:create_app", f"services.{name}.worker:run",
                     port, scopes, description)


SERVICES: tuple[Component, ...] = (
    _service("hr", 8101, {
        "hr:read": "read districts, schools, educators and the pipeline",
        "hr:write": "change districts, schools, educators and the pipeline",
        "hr:pii": "educators' personal data (names, e-mail), audited",
    }, "Schools and educators: one pipeline from applicant to system leader."),
    _service("observations", 8102, {
        "observations:read": "read protocols, visits, evidence and the quality index",
        "observations:write": "plan visits, record evidence, debrief",
        "observations:identify": "teacher identity on visits of one's own school, audited",
    }, "Protocol-based, non-evaluative classroom observation (instructional rounds)."),
    _service("networks", 8103, {
        "networks:read": "read networks, meetings, the practice library and the collaboration graph",
        "networks:write": "form networks, hold meetings, publish practices, make commitments",
    }, "Practitioner networks across schools."),
    _service("strategy", 8104, {
        "strategy:read": "read plans, goals, measurements and analytics",
        "strategy:write": "adopt plans, load measurements, update initiatives",
    }, "Strategic plans as falsifiable theories of action."),
)

GATEWAY = Component("gateway", "gateway", "gateway.app:create_app", "gateway.worker:run", 8000,
                    {"admin": "everything in the tenant, and client administration",
                     "events:read": "read the tenant's granted events (partner apps: feed and webhooks)"},
                    "One entry point: identity, tenancy, limits, routing, audit.")

COMPONENTS: tuple[Component, ...] = (*SERVICES, GATEWAY)
SERVICE_NAMES: tuple[str, ...] = tuple(c.name for c in SERVICES)
BY_NAME: dict[str, Component] = {c.name: c for c in COMPONENTS}
ALL_SCOPES: tuple[str, ...] = tuple(s for c in COMPONENTS for s in c.scopes)
SCOPE_TEXT: dict[str, str] = {s: text for c in COMPONENTS for s, text in c.scopes.items()}
DEFAULT_PORTS: dict[str, int] = {c.name: c.default_port for c in COMPONENTS}


def component(name: str) -> Component:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no component {name!r}; known: {', '.join(BY_NAME)}") from None
