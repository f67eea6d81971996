"""The gateway: one URL for the whole platform, and its security edge.

`/api/v1/<service>/...` is proxied (gateway.proxy) after the token is verified and its client not
revoked, the route's scope checked, the client's rate and the body size limited (gateway.limits:
they apply to the gateway's own endpoints too). The gateway is also the embedded OAuth2 identity
provider (gateway.identity: `/oauth/token`, JWKS, the client registry at `/api/v1/admin/clients`;
people signing in at `/oauth/authorize`, `/device` and `/signin`, invited at `/api/v1/admin/people`),
holds the audit log (gateway.audit: `/api/v1/audit`), answers health probes (gateway.health) and
serves one OpenAPI document (gateway.docs).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from gateway import audit, docs, exports, health, proxy
from gateway.console import mount_console
from gateway.identity import clients, grants, issuer, people, signin
from gateway.identity.clients import Clients
from gateway.identity.keys import SigningKeys
from gateway.identity.lockout import Lockout
from gateway.identity.passwords import Passwords
from gateway.identity.people import People
from gateway.identity.sessions import Sessions
from gateway.identity.sso import SingleSignOn
from gateway.limits import BodyLimitMiddleware, RateLimiter
from gateway.partners import partners_router
from gateway.settings import GatewaySettings
from libs.common.app import RequestIdMiddleware
from libs.common.auth import TokenVerifier
from libs.common.conditional import refuse_unknown_query_parameters
from libs.common.db import create_engine
from libs.common.openapi import operation_id_function
from libs.common.outbox import RelayWaker
from libs.common.problems import install_problem_handlers
from libs.common.telemetry import instrument_app, instrument_engine, setup_telemetry

DESCRIPTION = ("One API for the improvenet platform: hr, observations, networks and strategy under "
               "`/api/v1/<service>`. Get a token with OAuth2 client credentials at `/oauth/token`.")


async def bootstrap_admin_client(app: FastAPI, settings: GatewaySettings) -> None:
    """On a first start, an admin client for the bootstrap tenant; its secret goes to a 0600 file."""
    path = settings.bootstrap_client_file
    if path is None or path.exists():
        return
    client, secret = await app.state.clients.create(settings.bootstrap_tenant, "bootstrap admin", ["admin"], None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"client_id": client["client_id"], "client_secret": secret,
                                "tenant": settings.bootstrap_tenant}, indent=2) + "\n")
    path.chmod(0o600)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    setup_telemetry("gateway", otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                    log_level=settings.log_level, json_logs=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.service_database_url, pool_size=settings.db_pool_size,
                               max_overflow=settings.db_max_overflow)
        instrument_engine(engine)
        keys = SigningKeys(engine, token_ttl=settings.token_ttl_seconds,
                           seed_pem=settings.state_dir / "keys" / "private.pem")
        await keys.ensure()
        state = app.state
        state.settings, state.engine, state.keys = settings, engine, keys
        state.upstreams = settings.upstreams()
        state.clients = Clients(engine, settings.scopes, issuer=settings.token_issuer)
        state.people = People(engine, invitation_ttl=settings.invitation_ttl_seconds)
        state.sessions = Sessions(engine, refresh_ttl=settings.refresh_token_ttl_seconds,
                                  code_ttl=settings.authorization_code_ttl_seconds,
                                  device_ttl=settings.device_code_ttl_seconds,
                                  device_interval=settings.device_poll_interval_seconds)
        state.lockout = Lockout(engine, max_failures=settings.sign_in_max_failures,
                                lockout_seconds=settings.sign_in_lockout_seconds)
        state.passwords = Passwords(time_cost=settings.password_time_cost, memory_kib=settings.password_memory_kib,
                                    parallelism=settings.password_parallelism)
        state.sso = SingleSignOn(engine, settings.sign_in_providers)
        state.verifier = TokenVerifier(settings.gateway_issuers(), loaders={settings.token_issuer: keys.jwks})
        state.client = httpx.AsyncClient(timeout=10)  # readiness checks and OpenAPI documents
        state.session = proxy.create_session(timeout=settings.upstream_timeout_seconds,
                                             connect_timeout=settings.upstream_connect_timeout_seconds,
                                             max_connections=settings.upstream_max_connections)
        state.limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
        state.openapi_cache = (0.0, None)
        waker = RelayWaker(engine)  # a revocation's event leaves at once, not at the relay's next poll
        waker.start()
        await bootstrap_admin_client(app, settings)
        try:
            yield
        finally:
            await waker.stop()
            await state.client.aclose()
            await state.session.close()
            await state.verifier.close()
            await engine.dispose()

    app = FastAPI(title="improvenet", version="0.1.0", lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None, description=DESCRIPTION, generate_unique_id_function=operation_id_function("gateway"))
    install_problem_handlers(app)
    # the proxy last: its catch-all would otherwise shadow the gateway's own routes
    # An unknown query parameter is refused on the gateway's own operations; the services refuse it on
    # theirs. Not on the docs pages (Swagger UI's OAuth2 redirect carries its own) nor the proxy.
    for router in (issuer.router, grants.router, people.router, clients.router, audit.router, exports.router,
                   health.router, partners_router()):
        app.include_router(router, dependencies=[Depends(refuse_unknown_query_parameters)])
    mount_console(app)  # the web console at /app (gateway/console)
    # the sign-in pages take the authorization request's parameters, whatever a client adds
    for router in (signin.router, docs.router, proxy.router):
        app.include_router(router)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=proxy.METHODS,
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match",
                                          "If-None-Match", "X-Request-ID"],
                           expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After", "Total-Count"],
                           max_age=600)
    app.add_middleware(BodyLimitMiddleware, limit=settings.body_limit)
    app.add_middleware(RequestIdMiddleware)
    instrument_app(app)
    return app
