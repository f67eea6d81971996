"""The gateway: one URL for the whole platform, and its security edge.

`/api/v1/<service>/...` is proxied after the token is verified (and its client not revoked), the
route's scope checked, the client's rate and the body size limited. The gateway is also the embedded
OAuth2 identity provider (`/oauth/token`, `/.well-known/jwks.json`), holds the client registry
(`/api/v1/admin/clients`) and the audit log (`/api/v1/audit`), and serves one OpenAPI document.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, unquote

import httpx
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, text
from starlette.responses import Response

from gateway import audit
from gateway.auth import Clients, SigningKeys, check_scopes, granted_scopes, mint, token_error
from gateway.limits import RateLimiter, retry_after
from gateway.models import DIRECTORY
from gateway.openapi import merge
from gateway.proxy import create_session, proxy
from gateway.routes import API_PREFIX, required_scope, route
from gateway.settings import GatewaySettings
from libs.common.app import RequestIdMiddleware
from libs.common.auth import (
    Principal,
    TokenVerifier,
    bearer,
    bearer_token,
    insufficient_scope,
    unauthorized,
)
from libs.common.db import create_engine
from libs.common.pagination import Page, PageDep
from libs.common.problems import Problem, install_problem_handlers, problem_response, problem_responses
from libs.common.telemetry import instrument_app, instrument_engine, setup_telemetry

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
BODY_METHODS = {"POST", "PUT", "PATCH"}
ERRORS = problem_responses(400, 401, 403, 404, 422, 429)


# --- API models of the gateway's own operations -----------------------------------------------

class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    scopes: list[str] = Field(min_length=1, max_length=20, description="What the client may ask for.")
    schools: list[uuid.UUID] | None = Field(None, max_length=1000,
                                            description="Limit the client to these schools (Ed-Fi style).")


class ClientPublic(BaseModel):
    client_id: str
    name: str
    scopes: list[str]
    schools: list[str] | None
    created_at: datetime
    secret_rotated_at: datetime | None
    revoked_at: datetime | None


class ClientWithSecret(ClientPublic):
    client_secret: str = Field(description="Shown once: store it now.")


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


class AuditRecord(BaseModel):
    event_id: uuid.UUID
    at: datetime
    service: str
    actor: str
    action: str
    object_type: str
    object_ids: list[str]
    fields: list[str]
    request_id: str | None


# --- helpers ---------------------------------------------------------------------------------

def client_credentials(request: Request, form: dict[str, list[str]]) -> tuple[str, str]:
    """From HTTP Basic (RFC 6749 §2.3.1, preferred) or from the form body."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise token_error(401, "invalid_client", "malformed Basic credentials") from exc
        return unquote(client_id), unquote(secret)
    client_id, secret = form.get("client_id", [""])[0], form.get("client_secret", [""])[0]
    if not client_id or not secret:
        raise token_error(401, "invalid_client", "client authentication is required")
    return client_id, secret


async def principal_of(request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """A verified token whose client (if the embedded issuer's) has not been revoked."""
    state = request.app.state
    principal: Principal = await state.verifier.verify(bearer_token(credentials))
    if principal.issuer == state.settings.token_issuer and await state.clients.is_revoked(principal.subject):
        raise unauthorized("token rejected: this client has been revoked")
    return principal


def admin(principal: Annotated[Principal, Depends(principal_of)]) -> Principal:
    if not principal.has("admin"):
        raise insufficient_scope("admin")
    return principal


Admin = Annotated[Principal, Depends(admin)]


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    setup_telemetry("gateway", otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                    log_level=settings.log_level, json_logs=settings.log_json)
    upstreams = settings.upstreams()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.service_database_url, pool_size=settings.db_pool_size,
                               max_overflow=settings.db_max_overflow)
        instrument_engine(engine)
        keys = SigningKeys(engine, token_ttl=settings.token_ttl_seconds,
                           seed_pem=settings.state_dir / "keys" / "private.pem")
        await keys.ensure()
        app.state.settings = settings
        app.state.engine = engine
        app.state.keys = keys
        app.state.clients = Clients(engine, settings.scopes)
        app.state.verifier = TokenVerifier(settings.gateway_issuers(), loaders={settings.token_issuer: keys.jwks})
        app.state.client = httpx.AsyncClient(timeout=10)  # readiness checks and OpenAPI documents
        app.state.session = create_session(timeout=settings.upstream_timeout_seconds,
                                           connect_timeout=settings.upstream_connect_timeout_seconds,
                                           max_connections=settings.upstream_max_connections)
        app.state.limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
        app.state.openapi_cache = (0.0, None)
        await bootstrap_admin_client(app)
        try:
            yield
        finally:
            await app.state.client.aclose()
            await app.state.session.close()
            await app.state.verifier.close()
            await engine.dispose()

    async def bootstrap_admin_client(app: FastAPI) -> None:
        """On a first start, an admin client for the bootstrap tenant; its secret goes to a 0600 file."""
        path = settings.bootstrap_client_file
        if path is None or path.exists():
            return
        client, secret = await app.state.clients.create(settings.bootstrap_tenant, "bootstrap admin", ["admin"], None)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"client_id": client["client_id"], "client_secret": secret,
                                    "tenant": settings.bootstrap_tenant}, indent=2) + "\n")
        path.chmod(0o600)

    app = FastAPI(title="improvenet", version="0.1.0", lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None, description=(
                      "One API for the improvenet platform: hr, observations, networks and strategy under "
                      "`/api/v1/<service>`. Get a token with OAuth2 client credentials at `/oauth/token`."))
    install_problem_handlers(app)

    # --- identity ------------------------------------------------------------------------------

    @app.post("/oauth/token", tags=["identity"], response_model=TokenResponse, summary="Get an access token",
              description="OAuth2 client credentials (RFC 6749 §4.4). Authenticate with HTTP Basic "
                          "(`client_id:client_secret`) or with `client_id` and `client_secret` in the form.",
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/x-www-form-urlencoded": {"schema": {
                      "type": "object", "required": ["grant_type"],
                      "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]},
                                     "scope": {"type": "string"}, "client_id": {"type": "string"},
                                     "client_secret": {"type": "string"}}}}}}},
              responses={400: ERRORS[400], 401: ERRORS[401], 429: ERRORS[429]})
    async def issue_token(request: Request) -> JSONResponse:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise token_error(400, "invalid_request", "send application/x-www-form-urlencoded")
        try:
            form = parse_qs((await request.body()).decode(), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise token_error(400, "invalid_request", "the form is not UTF-8") from exc
        if form.get("grant_type", [""])[0] != "client_credentials":
            raise token_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
        client_id, secret = client_credentials(request, form)
        wait = request.app.state.limiter.take("token:" + client_id)
        if wait:
            raise Problem(429, "Too many requests", "slow down", slug="rate-limited",
                          headers={"Retry-After": retry_after(wait)})
        client = await request.app.state.clients.authenticate(client_id, secret)
        if client is None:
            raise token_error(401, "invalid_client", "unknown client, wrong secret, or revoked")
        scopes = granted_scopes(form.get("scope", [""])[0], list(client["scopes"]))
        token = await mint(request.app.state.keys, client, scopes, issuer=settings.token_issuer,
                           audience=settings.token_audience, ttl=settings.token_ttl_seconds)
        return JSONResponse({"access_token": token, "token_type": "Bearer",
                             "expires_in": settings.token_ttl_seconds, "scope": " ".join(scopes)},
                            headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @app.get("/.well-known/jwks.json", tags=["identity"], summary="Keys that verify access tokens")
    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(await request.app.state.keys.jwks(), headers={"Cache-Control": "max-age=60"})

    @app.get("/.well-known/openid-configuration", tags=["identity"], summary="Issuer metadata")
    async def discovery(request: Request) -> dict[str, Any]:
        base = str(request.base_url).rstrip("/")
        return {"issuer": settings.token_issuer, "token_endpoint": f"{base}/oauth/token",
                "jwks_uri": f"{base}/.well-known/jwks.json", "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "scopes_supported": list(settings.scopes)}

    # --- client administration -----------------------------------------------------------------

    admin_router = APIRouter(prefix=API_PREFIX + "/admin", tags=["admin"], responses=ERRORS)

    async def check_schools(request: Request, principal: Principal, schools: list[uuid.UUID] | None) -> None:
        if schools is None:
            if principal.schools is not None:
                raise Problem(403, "Forbidden", "a school-limited admin can only create school-limited clients",
                              slug="outside-school-scope", errors=[{"field": "schools", "message": "required"}])
            return
        t = DIRECTORY.schools
        async with request.app.state.engine.connect() as conn:
            known = set((await conn.execute(select(t.c.school_id).where(
                t.c.tenant_id == principal.tenant_id, t.c.school_id.in_(schools), t.c.removed.is_(False)
            ))).scalars())
        errors = [{"field": f"schools[{n}]", "message": "no such school in your organisation"}
                  for n, s in enumerate(schools) if s not in known or not principal.may_see_school(s)]
        if errors:
            raise Problem(422, "Invalid schools", f"{len(errors)} school id(s) are not yours", slug="invalid-reference",
                          errors=errors)

    @admin_router.post("/clients", status_code=201, response_model=ClientWithSecret,
                       summary="Register a client (its secret is shown once)")
    async def create_client_route(body: ClientCreate, request: Request, principal: Admin) -> Any:
        check_scopes(body.scopes, settings.scopes)
        await check_schools(request, principal, body.schools)
        schools = [str(s) for s in body.schools] if body.schools is not None else None
        client, secret = await request.app.state.clients.create(principal.tenant_id, body.name, body.scopes, schools)
        return JSONResponse(ClientWithSecret(**client, client_secret=secret).model_dump(mode="json"),
                            status_code=201, headers={"Cache-Control": "no-store"})

    @admin_router.get("/clients", response_model=list[ClientPublic], summary="List your tenant's clients")
    async def list_clients(request: Request, principal: Admin) -> Any:
        return await request.app.state.clients.list(principal.tenant_id)

    @admin_router.get("/clients/{client_id}", response_model=ClientPublic, summary="Read a client")
    async def read_client(client_id: str, request: Request, principal: Admin) -> Any:
        return await request.app.state.clients.get(principal.tenant_id, client_id)

    @admin_router.post("/clients/{client_id}/secret", response_model=ClientWithSecret,
                       summary="Rotate a client's secret (the old one stops working; tokens already issued last)")
    async def rotate_secret(client_id: str, request: Request, principal: Admin) -> Any:
        client, secret = await request.app.state.clients.rotate_secret(principal.tenant_id, client_id)
        return JSONResponse(ClientWithSecret(**client, client_secret=secret).model_dump(mode="json"),
                            headers={"Cache-Control": "no-store"})

    @admin_router.delete("/clients/{client_id}", status_code=204,
                         summary="Revoke a client: its secret and every token it holds stop working")
    async def revoke_client(client_id: str, request: Request, principal: Admin) -> Response:
        await request.app.state.clients.revoke(principal.tenant_id, client_id)
        return Response(status_code=204)

    app.include_router(admin_router)

    @app.get(API_PREFIX + "/audit", tags=["audit"], response_model=Page[AuditRecord], responses=ERRORS,
             summary="Who read or changed personal data, newest first")
    async def audit_log(request: Request, principal: Admin, page: PageDep,
                        actor: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
                        object_id: uuid.UUID | None = None,
                        action: Literal["read", "create", "update", "delete"] | None = None,
                        service: Literal["hr", "observations", "networks", "strategy"] | None = None,
                        since: datetime | None = None, until: datetime | None = None) -> Any:
        items, token = await audit.search(request.app.state.engine, principal.tenant_id, page, actor=actor,
                                          object_id=object_id, action=action, service=service, since=since,
                                          until=until)
        return {"items": items, "next_page_token": token}

    # --- health and documentation ----------------------------------------------------------------

    @app.get("/healthz", tags=["health"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Readiness: the gateway's database and every upstream")
    async def readyz(request: Request) -> Any:
        client: httpx.AsyncClient = request.app.state.client

        async def check(base: str) -> str:
            try:
                r = await client.get(f"{base}/readyz", timeout=3)
                return "ok" if r.status_code == 200 else f"not ready ({r.status_code})"
            except httpx.HTTPError as exc:
                return f"unreachable ({type(exc).__name__})"

        async def database() -> str:
            try:
                async with request.app.state.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return "ok"
            except Exception as exc:
                return f"unreachable ({type(exc).__name__})"

        results = await asyncio.gather(database(), *(check(b) for b in upstreams.values()))
        checks = dict(zip(["gateway database", *upstreams], results, strict=True))
        if all(v == "ok" for v in checks.values()):
            return {"status": "ready", "checks": checks}
        return problem_response(503, "Not ready", "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok"),
                                slug="not-ready", headers={"Retry-After": "2"})

    async def merged_openapi(request: Request) -> dict[str, Any]:
        cached_at, cached = request.app.state.openapi_cache
        if cached is not None and time.monotonic() - cached_at < 30:
            return cached  # type: ignore[no-any-return]
        client: httpx.AsyncClient = request.app.state.client

        async def fetch(base: str) -> dict[str, Any] | None:
            try:
                r = await client.get(f"{base}/openapi.json", timeout=5)
                return r.json() if r.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                return None

        docs = dict(zip(upstreams, await asyncio.gather(*(fetch(b) for b in upstreams.values())), strict=True))
        own = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        document = merge(own, {s: d for s, d in docs.items() if d is not None}, API_PREFIX, settings.scopes)
        missing = [s for s, d in docs.items() if d is None]
        if missing:
            document["info"]["x-unavailable-services"] = missing
        else:
            request.app.state.openapi_cache = (time.monotonic(), document)
        return document

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document(request: Request) -> JSONResponse:
        return JSONResponse(await merged_openapi(request))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="improvenet API")

    # --- the proxy ---------------------------------------------------------------------------

    async def limited_body(request: Request) -> bytes | None:
        """Refuse (413) a body over the limit before anything reaches a service."""
        length = request.headers.get("content-length")
        limit = settings.max_body_bytes
        too_large = Problem(413, "Content too large", f"request bodies are limited to {limit} bytes",
                            slug="body-too-large")
        if length is not None:
            if not length.isdigit():
                raise Problem(400, "Bad request", "invalid Content-Length", slug="bad-content-length")
            if int(length) > limit:
                raise too_large
            return None  # within the limit: stream it through
        if request.method not in BODY_METHODS:
            return None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    @app.api_route(API_PREFIX + "/{service}/{path:path}", methods=METHODS, include_in_schema=False)
    async def forward(request: Request, service: str, path: str,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Response:
        target = route(request.url.path, upstreams)
        if target is None:
            return problem_response(404, "Not found", f"no service named {service!r}; try one of "
                                    + ", ".join(upstreams), slug="unknown-service", instance=request.url.path)
        principal = await principal_of(request, credentials)
        scope = required_scope(service, request.method)
        if not (principal.has(scope) or principal.has("admin")):
            raise insufficient_scope(scope)
        wait = request.app.state.limiter.take(f"{principal.issuer}|{principal.subject}")
        if wait:
            raise Problem(429, "Too many requests", f"rate limit: {settings.rate_limit_per_second:g} requests/s "
                          f"with bursts of {settings.rate_limit_burst}", slug="rate-limited",
                          headers={"Retry-After": retry_after(wait)})
        body = await limited_body(request)
        return await proxy(request.app.state.session, request, *target, prefix=f"{API_PREFIX}/{service}", body=body)

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=METHODS,
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match",
                                          "X-Request-ID"],
                           expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After"], max_age=600)
    app.add_middleware(RequestIdMiddleware)
    instrument_app(app)
    return app


