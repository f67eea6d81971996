"""One OpenAPI document for the whole platform (`/openapi.json`, merged from every service's and
cached while complete), Swagger UI at `/docs` and ReDoc at `/redoc`, and a page for every problem type
at `/problems/<slug>`.

The documentation works offline: Swagger UI's and ReDoc's scripts and styles are served by the gateway
itself from the pinned `fastapi-offline` wheel (Swagger UI 5, ReDoc), never from a CDN.
"""

from __future__ import annotations

import asyncio
import html
import json
import time
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response

from gateway.openapi import merge
from gateway.routes import API_PREFIX
from libs.common.openapi import finish
from libs.common.problems import PROBLEM_BASE, Problem

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
    document = build_document(app, {s: d for s, d in docs.items() if d is not None}, state.settings.scopes)
    missing = [s for s, d in docs.items() if d is None]
    if missing:
        document["info"]["x-unavailable-services"] = missing
    else:
        state.openapi_cache = (time.monotonic(), document)
    return document


def build_document(app: FastAPI, service_docs: dict[str, dict[str, Any]], scopes: dict[str, str]) -> dict[str, Any]:
    """The gateway's own operations and every service's, as clients see them (also built offline by the
    contract test, from the same apps)."""
    own = finish(get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes))
    document = merge(own, service_docs, API_PREFIX, scopes)
    with_known_scopes(document, list(scopes))
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


# --- the documentation pages, on assets served from here ------------------------------------------------

ASSETS_URL = "/docs/assets"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
# Swagger UI 5 and ReDoc as the pinned fastapi-offline wheel ships them; only these names are served.
ASSET_DIR = Path(str(files("fastapi_offline") / "static"))
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}
# Swagger UI's "Authorize" dialog: the client credentials flow posts the client id and secret to
# /oauth/token itself; nothing is prefilled (a secret is never put in a page).
SWAGGER_OAUTH = {"appName": "improvenet", "scopeSeparator": " ", "usePkceWithAuthorizationCodeGrant": True}
SWAGGER_PARAMETERS = {"persistAuthorization": True, "displayOperationId": True, "filter": True,
                      "tryItOutEnabled": False}


# ReDoc's sidebar shows Redocly's logo from their CDN, with no option to turn it off: offline, the page
# would wait on it. The served copy points it at our own favicon instead (found by the headless test).
REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def asset_bytes(name: str) -> bytes:
    data = (ASSET_DIR / name).read_bytes()
    return data.replace(REDOC_CDN_LOGO, f"{ASSETS_URL}/favicon.png".encode()) if name == "redoc.standalone.js" else data


@router.get(ASSETS_URL + "/{name}")
async def docs_asset(name: str) -> Response:
    if name not in ASSETS:
        raise Problem(404, "Not found", f"no documentation asset {name!r}", slug="not-found")
    return Response(asset_bytes(name), media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="improvenet API",
                               swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                               swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
                               oauth2_redirect_url=OAUTH2_REDIRECT_URL, init_oauth=SWAGGER_OAUTH,
                               swagger_ui_parameters=SWAGGER_PARAMETERS)


@router.get(OAUTH2_REDIRECT_URL)
async def docs_oauth2_redirect() -> HTMLResponse:
    """Where Swagger UI returns from a browser-based OAuth2 flow (authorization code, once it exists)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title="improvenet API",
                          redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                          redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False)


# --- a page for every problem type ---------------------------------------------------------------------

@cache
def problem_catalogue() -> dict[str, dict[str, Any]]:
    """slug -> title, statuses, meaning and what to do (gateway/static/problems.json; a unit test
    checks that every slug the code raises has an entry)."""
    path = Path(__file__).parent / "static" / "problems.json"
    catalogue: dict[str, dict[str, Any]] = json.loads(path.read_text())
    return catalogue


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - improvenet problem types</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
code{{background:#f3f3f3;padding:0 .2em}}dt{{font-weight:600;margin-top:1rem}}</style></head>
<body>{body}</body></html>"""


def problem_page(slug: str, entry: dict[str, Any]) -> str:
    e = {k: html.escape(str(v)) for k, v in entry.items() if k != "status"}
    statuses = ", ".join(str(s) for s in entry.get("status", []))
    body = (f'<p><a href="/problems">All problem types</a> · <a href="/docs">API docs</a></p>'
            f'<h1 id="title">{e["title"]}</h1>'
            f'<p>Problem type <code id="type">{html.escape(PROBLEM_BASE + slug)}</code>, '
            f'HTTP status <span id="status">{statuses}</span> (RFC 9457 <code>application/problem+json</code>).</p>'
            f'<dl><dt>What it means</dt><dd id="meaning">{e["meaning"]}</dd>'
            f'<dt>What to do</dt><dd id="action">{e["action"]}</dd>'
            '<dt>In the answer</dt><dd><code>detail</code> says what happened this time, <code>instance</code> '
            'is the path you called, and <code>errors[]</code>, when present, names each field that was wrong '
            '(<code>items[2].school_id</code>) with a message.</dd></dl>')
    return PAGE.format(title=e["title"], body=body)


@router.get("/problems")
async def problem_index() -> HTMLResponse:
    rows = "".join(f'<li><a href="{html.escape(PROBLEM_BASE + slug)}"><code>{html.escape(slug)}</code></a> '
                   f'{html.escape(entry["title"])}</li>' for slug, entry in sorted(problem_catalogue().items()))
    return HTMLResponse(PAGE.format(title="Problem types", body=(
        "<h1>Problem types</h1><p>Every error answer is RFC 9457 problem+json; its <code>type</code> "
        f"links here.</p><ul>{rows}</ul>")))


@router.get("/problems/{slug}")
async def problem_type(slug: str) -> HTMLResponse:
    entry = problem_catalogue().get(slug)
    if entry is None:
        raise Problem(404, "Not found", f"no problem type {slug!r}; see /problems", slug="not-found")
    return HTMLResponse(problem_page(slug, entry))
