"""Every route and dependency of every component runs on the event loop: FastAPI runs a sync one in its
thread pool, a thread hand-off per request that cost the gateway about a tenth of its CPU under load."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from improvenet.registry import SERVICE_NAMES
from libs.common.keys import ensure_signing_keys
from tests.conftest import build_component

UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/none"  # the app is built, never started


def runs_on_the_loop(call: Callable[..., Any]) -> bool:
    """As FastAPI decides: a coroutine or async generator function, or an object whose __call__ is one."""
    target = call if inspect.isfunction(call) or inspect.ismethod(call) else getattr(call, "__call__", call)  # noqa: B004
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


def sync_calls(dependant: Dependant, path: str) -> Iterator[str]:
    for dep in dependant.dependencies:
        call = dep.call
        if call is not None and not runs_on_the_loop(call):
            yield f"{path}: {getattr(call, '__qualname__', call)!s}"
        yield from sync_calls(dep, path)


@pytest.mark.parametrize("component", ["gateway", *SERVICE_NAMES])
def test_no_route_or_dependency_runs_in_a_thread(component: str, tmp_path: Path) -> None:
    keys = ensure_signing_keys(tmp_path) and tmp_path / "keys"
    app = build_component(component, UNREACHABLE, UNREACHABLE, keys)
    # the routes as served: included routers flattened, their own dependencies merged into each route's
    routes = [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]
    assert len(routes) > 5, "the component's routes were not found"
    found = [f"{r.path}: the endpoint" for r in routes if not runs_on_the_loop(r.endpoint)]
    found += [c for r in routes for c in sync_calls(r.dependant, r.path)]
    assert found == [], found
