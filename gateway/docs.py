"""One OpenAPI document for the whole platform (`/openapi.json`, merged from every service's and
cached while complete) and Swagger UI at `/docs`."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse

from gateway.openapi import merge
from gateway.routes import API_PREFIX

CACHE_SECONDS = 30.0
router = APIRouter(include_in_schema=False)


async def merged_openapi(request: Request) -> dict[str, Any]:
    app, state = request.app, request.app.state
    cached_at, cached = state.openapi_cache
    if cached is not None and time.monotonic() - cached_at < CACHE_SECONDS:
        return cached  # type: ignore[no-any-return]
    client: httpx.AsyncClient = state.client
    upstreams: dict[str, str] = state.settings.upstreams()

    async def fetch(base: str) -> dict[str, Any] | None:
        try:
            r = await client.get(f"{base}/openapi.json", timeout=10)  # a loaded service builds it slowly
            return r.json() if r.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    docs = dict(zip(upstreams, await asyncio.gather(*(fetch(b) for b in upstreams.values())), strict=True))
    own = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    document = merge(own, {s: d for s, d in docs.items() if d is not None}, API_PREFIX, state.settings.scopes)
    with_known_scopes(document, list(state.settings.scopes))
    missing = [s for s, d in docs.items() if d is None]
    if missing:
        document["info"]["x-unavailable-services"] = missing
    else:
        state.openapi_cache = (time.monotonic(), document)
    return document


def with_known_scopes(document: dict[str, Any], scopes: list[str]) -> None:
    """A client's scopes are the platform's (known only at run time, from the registry): say so in the
    schema, so a generated request is valid by the document and an unknown scope is a schema error."""
    field = document.get("components", {}).get("schemas", {}).get("ClientCreate", {}).get("properties", {}).get(
        "scopes")
    if field is not None and scopes:
        field["items"] = {"type": "string", "enum": sorted(scopes)}


@router.get("/openapi.json")
async def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(await merged_openapi(request))


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="improvenet API")
