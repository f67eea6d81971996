"""The gateway against real upstream servers and a real PostgreSQL: routing, the embedded identity
provider and client registry, an external OIDC issuer, scopes, limits, CORS and failures."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app import create_app
from improvenet.components import settings_for
from libs.common.settings import IssuerSettings
from libs.common.testing.kafka_broker import free_port
from tests.conftest import new_database

CALLS: list[str] = []
DISTRICT_KEY = ec.generate_private_key(ec.SECP256R1())
DISTRICT_ISSUER = "https://idp.district.example"


async def slow(request: Request) -> JSONResponse:
    await asyncio.sleep(2)
    return JSONResponse({"late": True})


async def echo(request: Request) -> JSONResponse:
    CALLS.append(request.url.path)
    return JSONResponse({"body": (await request.body()).decode(), "query": str(request.url.query),
                         "path": request.url.path, "request_id": request.headers.get("x-request-id"),
                         "prefix": request.headers.get("x-forwarded-prefix")},
                        status_code=201, headers={"ETag": '"9"'})


async def district_jwks(request: Request) -> JSONResponse:
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(DISTRICT_KEY.public_key()))
    return JSONResponse({"keys": [{**jwk, "kid": "district-1", "use": "sig", "alg": "ES256"}]})


def serve(app: Starlette) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    yield from serve(Starlette(routes=[Route("/slow", slow), Route("/echo/{x}", echo, methods=["POST", "GET"]),
                                       Route("/jwks", district_jwks)]))


class Gateway:
    def __init__(self, client: httpx.AsyncClient, make_token: Callable[..., str]) -> None:
        self.client = client
        self.make_token = make_token

    def bearer(self, tenant: str = "district-a", scopes: list[str] | None = None, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, scopes, **kw)}"}

    async def new_client(self, scopes: list[str], tenant: str = "district-a", **kw: Any) -> dict[str, Any]:
        r = await self.client.post("/api/v1/admin/clients", json={"name": "sis sync", "scopes": scopes, **kw},
                                   headers=self.bearer(tenant, ["admin"]))
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    async def token(self, client: dict[str, Any], **form: str) -> httpx.Response:
        return await self.client.post("/oauth/token", data={"grant_type": "client_credentials", **form},
                                      auth=(client["client_id"], client["client_secret"]))


async def make_gateway(pg_server: str, keys_dir: Path, upstream: str, monkeypatch: pytest.MonkeyPatch,
                       **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", await new_database(pg_server, "gw", service="gateway"))
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = settings_for("gateway", database_url=pg_server, state_dir=keys_dir.parent,
                               upstream_urls={"hr": upstream, "networks": dead}, upstream_timeout_seconds=0.5,
                               log_json=False,
                               trusted_issuers=[IssuerSettings(issuer=DISTRICT_ISSUER, audience="improvenet",
                                                               jwks_url=f"{upstream}/jwks", tenant_claim="district",
                                                               scope_claim="scp")],
                               **overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
            yield client


@pytest.fixture
async def gw(pg_server: str, keys_dir: Path, upstream: str, make_token: Callable[..., str],
             monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Gateway]:
    async for client in make_gateway(pg_server, keys_dir, upstream, monkeypatch, cors_origins=["https://app.example"]):
        yield Gateway(client, make_token)


async def test_requests_pass_through_with_body_query_and_headers(gw: Gateway) -> None:
    r = await gw.client.post("/api/v1/hr/echo/7?a=1&b=2", content=b'{"x": 1}',
                             headers={"X-Request-ID": "r-1", **gw.bearer()})
    assert r.status_code == 201 and r.headers["etag"] == '"9"' and r.headers["x-request-id"] == "r-1"
    assert r.json() == {"body": '{"x": 1}', "query": "a=1&b=2", "path": "/echo/7", "request_id": "r-1",
                        "prefix": "/api/v1/hr"}


async def test_slow_upstream_gives_504_and_unreachable_gives_503(gw: Gateway) -> None:
    slow_r = await gw.client.get("/api/v1/hr/slow", headers=gw.bearer())
    assert slow_r.status_code == 504 and slow_r.headers["content-type"] == "application/problem+json"
    down = await gw.client.get("/api/v1/networks/anything", headers=gw.bearer())
    assert down.status_code == 503 and down.headers["retry-after"] == "5"
    ready = await gw.client.get("/readyz")
    assert ready.status_code == 503 and "networks" in ready.json()["detail"]


async def test_scopes_are_checked_before_proxying(gw: Gateway) -> None:
    CALLS.clear()
    assert (await gw.client.get("/api/v1/hr/echo/1")).status_code == 401
    read_only = await gw.client.post("/api/v1/hr/echo/1", json={}, headers=gw.bearer(scopes=["hr:read"]))
    assert read_only.status_code == 403 and "hr:write" in read_only.json()["detail"]
    other_service = await gw.client.get("/api/v1/hr/echo/1", headers=gw.bearer(scopes=["networks:read"]))
    assert other_service.status_code == 403
    assert CALLS == []
    assert (await gw.client.get("/api/v1/hr/echo/1", headers=gw.bearer(scopes=["hr:read"]))).status_code == 201


async def test_client_credentials_lifecycle(gw: Gateway) -> None:
    client = await gw.new_client(["hr:read"])
    assert client["client_id"].startswith("cli_") and len(client["client_secret"]) >= 40
    listed = (await gw.client.get("/api/v1/admin/clients", headers=gw.bearer(scopes=["admin"]))).json()
    assert [c["client_id"] for c in listed] == [client["client_id"]] and "client_secret" not in listed[0]
    # another tenant's admin sees none of it
    other = await gw.client.get(f"/api/v1/admin/clients/{client['client_id']}",
                                headers=gw.bearer("district-b", ["admin"]))
    assert other.status_code == 404

    issued = await gw.token(client)
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "hr:read" and body["expires_in"] == 3600
    header = jwt.get_unverified_header(body["access_token"])
    kids = [k["kid"] for k in (await gw.client.get("/.well-known/jwks.json")).json()["keys"]]
    assert header["alg"] == "RS256" and header["kid"] in kids
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["tenant"] == "district-a" and claims["sub"] == client["client_id"] and claims["jti"]
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await gw.client.get("/api/v1/hr/echo/1", headers=auth)).status_code == 201

    wrong = await gw.client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                 auth=(client["client_id"], "not-the-secret"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    grant = await gw.client.post("/oauth/token", data={"grant_type": "password"},
                                 auth=(client["client_id"], client["client_secret"]))
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    greedy = await gw.token(client, scope="hr:read hr:write")
    assert greedy.status_code == 400 and greedy.json()["error"] == "invalid_scope"
    in_form = await gw.client.post("/oauth/token", data={"grant_type": "client_credentials",
                                                         "client_id": client["client_id"],
                                                         "client_secret": client["client_secret"]})
    assert in_form.status_code == 200

    rotated = (await gw.client.post(f"/api/v1/admin/clients/{client['client_id']}/secret",
                                    headers=gw.bearer(scopes=["admin"]))).json()
    assert (await gw.token(client)).status_code == 401
    assert (await gw.token(rotated)).status_code == 200

    revoked = await gw.client.delete(f"/api/v1/admin/clients/{client['client_id']}",
                                     headers=gw.bearer(scopes=["admin"]))
    assert revoked.status_code == 204
    after = await gw.client.get("/api/v1/hr/echo/1", headers=auth)
    assert after.status_code == 401 and "revoked" in after.json()["detail"]
    assert (await gw.token(rotated)).status_code == 401
    # Deleted means gone: not readable, not listed (the audit log keeps the revocation).
    admin = gw.bearer(scopes=["admin"])
    assert (await gw.client.get(f"/api/v1/admin/clients/{client['client_id']}", headers=admin)).status_code == 404
    listed = (await gw.client.get("/api/v1/admin/clients", headers=admin)).json()
    assert client["client_id"] not in [c["client_id"] for c in listed]


async def test_only_admins_manage_clients_and_scopes_must_exist(gw: Gateway) -> None:
    r = await gw.client.post("/api/v1/admin/clients", json={"name": "x", "scopes": ["hr:read"]},
                             headers=gw.bearer(scopes=["hr:read", "hr:write"]))
    assert r.status_code == 403
    bad = await gw.client.post("/api/v1/admin/clients", json={"name": "x", "scopes": ["hr:everything"]},
                               headers=gw.bearer(scopes=["admin"]))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "scopes"
    unknown_school = await gw.client.post(
        "/api/v1/admin/clients", json={"name": "x", "scopes": ["hr:read"],
                                       "schools": ["00000000-0000-0000-0000-000000000001"]},
        headers=gw.bearer(scopes=["admin"]))
    assert unknown_school.status_code == 422 and unknown_school.json()["errors"][0]["field"] == "schools[0]"


async def test_key_rotation_keeps_old_tokens_valid(gw: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    client = await gw.new_client(["hr:read"])
    old = (await gw.token(client)).json()["access_token"]
    app_keys = gw.client._transport.app.state.keys  # type: ignore[attr-defined]
    new_kid = await app_keys.rotate()
    fresh = (await gw.token(client)).json()["access_token"]
    assert jwt.get_unverified_header(fresh)["kid"] == new_kid != jwt.get_unverified_header(old)["kid"]
    kids = {k["kid"] for k in (await gw.client.get("/.well-known/jwks.json")).json()["keys"]}
    assert {new_kid, jwt.get_unverified_header(old)["kid"]} <= kids
    for token in (old, fresh):
        r = await gw.client.get("/api/v1/hr/echo/1", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("case", ["expired", "tampered", "wrong audience", "alg none", "hs256 with public key",
                                  "unknown issuer", "unknown key"])
async def test_bad_tokens_are_refused_at_the_gateway(gw: Gateway, keys_dir: Path, case: str) -> None:
    good = gw.make_token("district-a", ["hr:read"])
    claims = jwt.decode(good, options={"verify_signature": False})
    if case == "expired":
        token = gw.make_token("district-a", ["hr:read"], ttl_seconds=-30)
    elif case == "tampered":
        header, _, signature = good.split(".")
        token = f"{header}.{_b64(json.dumps({**claims, 'tenant': 'district-b'}).encode())}.{signature}"
    elif case == "wrong audience":
        from libs.common.keys import mint_token

        token = mint_token((keys_dir / "private.pem").read_bytes(), tenant="district-a", issuer="improvenet",
                           audience="someone-else", scopes=["hr:read"])
    elif case == "alg none":
        token = jwt.encode(claims, None, algorithm="none")
    elif case == "hs256 with public key":
        signing_input = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + _b64(
            json.dumps(claims).encode())
        mac = hmac.new((keys_dir / "public.pem").read_bytes(), signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{_b64(mac)}"
    elif case == "unknown issuer":
        token = jwt.encode({**claims, "iss": "https://evil.example"}, DISTRICT_KEY, algorithm="ES256")
    else:
        token = jwt.encode({**claims, "iss": DISTRICT_ISSUER}, ec.generate_private_key(ec.SECP256R1()),
                           algorithm="ES256", headers={"kid": "district-1"})
    r = await gw.client.get("/api/v1/hr/echo/1", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


async def test_external_oidc_issuer_with_its_own_claim_names(gw: Gateway) -> None:
    now = int(time.time())
    claims = {"iss": DISTRICT_ISSUER, "aud": "improvenet", "sub": "sis-of-district-c", "district": "district-c",
              "scp": ["hr:read"], "exp": now + 300, "iat": now}
    token = jwt.encode(claims, DISTRICT_KEY, algorithm="ES256", headers={"kid": "district-1"})
    ok = await gw.client.get("/api/v1/hr/echo/1", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201
    write = await gw.client.post("/api/v1/hr/echo/1", headers={"Authorization": f"Bearer {token}"})
    assert write.status_code == 403
    no_tenant = jwt.encode({**claims, "district": None}, DISTRICT_KEY, algorithm="ES256", headers={"kid": "district-1"})
    assert (await gw.client.get("/api/v1/hr/echo/1",
                                headers={"Authorization": f"Bearer {no_tenant}"})).status_code == 401


async def test_body_limit_is_enforced_before_proxying(gw: Gateway) -> None:
    CALLS.clear()
    big = b"x" * (2 * 1024 * 1024 + 1)
    r = await gw.client.post("/api/v1/hr/echo/1", content=big, headers=gw.bearer())
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * (512 * 1024)

    chunked = await gw.client.post("/api/v1/hr/echo/1", content=chunks(), headers=gw.bearer())
    assert chunked.status_code == 413
    assert CALLS == []


async def test_file_set_uploads_have_their_own_larger_limit(pg_server: str, keys_dir: Path, upstream: str,
                                                            make_token: Callable[..., str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    CALLS.clear()
    mib = 1024 * 1024
    async for client in make_gateway(pg_server, keys_dir, upstream, monkeypatch, max_upload_bytes=4 * mib,
                                     upload_paths=["/api/v1/hr/echo/upload"]):
        gw = Gateway(client, make_token)
        three = b"z" * (3 * mib)
        ok = await gw.client.post("/api/v1/hr/echo/upload", content=three, headers=gw.bearer())
        assert ok.status_code == 201 and len(ok.json()["body"]) == 3 * mib
        assert CALLS == ["/echo/upload"]
        elsewhere = await gw.client.post("/api/v1/hr/echo/1", content=three, headers=gw.bearer())
        assert elsewhere.status_code == 413 and str(2 * mib) in elsewhere.json()["detail"]
        over = await gw.client.post("/api/v1/hr/echo/upload", content=b"z" * (4 * mib + 1), headers=gw.bearer())
        assert over.status_code == 413 and str(4 * mib) in over.json()["detail"]
        assert CALLS == ["/echo/upload"]


async def test_cors_preflight_for_configured_origins_only(gw: Gateway) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"}
    ok = await gw.client.options("/api/v1/hr/educators", headers=preflight)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "https://app.example"
    other = await gw.client.options("/api/v1/hr/educators", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


@pytest.fixture
async def tight(pg_server: str, keys_dir: Path, upstream: str, make_token: Callable[..., str],
                monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Gateway]:
    async for client in make_gateway(pg_server, keys_dir, upstream, monkeypatch, rate_limit_per_second=0.5,
                                     rate_limit_burst=3):
        yield Gateway(client, make_token)


async def test_rate_limit_per_client_with_retry_after(tight: Gateway) -> None:
    mine, theirs = tight.bearer(subject="client-1"), tight.bearer(subject="client-2")
    statuses = [(await tight.client.get("/api/v1/hr/echo/1", headers=mine)).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = await tight.client.get("/api/v1/hr/echo/1", headers=mine)
    assert limited.headers["content-type"] == "application/problem+json" and int(limited.headers["retry-after"]) >= 1
    assert (await tight.client.get("/api/v1/hr/echo/1", headers=theirs)).status_code == 201


# --- issue 14: keys retire everywhere, revocations reach services, school limits, limits ---------

async def test_revocation_is_published_in_the_same_transaction_and_only_once(gw: Gateway) -> None:
    from sqlalchemy import text

    client = await gw.new_client(["hr:read"])
    engine = gw.client._transport.app.state.engine  # type: ignore[attr-defined]
    for _ in range(2):  # revoking twice: the second changes nothing and publishes nothing
        r = await gw.client.delete(f"/api/v1/admin/clients/{client['client_id']}", headers=gw.bearer(scopes=["admin"]))
        assert r.status_code == 204
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT type, topic, aggregateid, tenant_id, payload FROM outbox"))).all()
    assert [(r.type, r.topic, r.aggregateid, r.tenant_id) for r in rows] == [
        ("org.improvenet.gateway.client.revoked", "gateway.identity", client["client_id"], "district-a")]
    assert rows[0].payload["issuer"] == "improvenet" and "name" not in rows[0].payload
    other = await gw.client.delete(f"/api/v1/admin/clients/{client['client_id']}",
                                   headers=gw.bearer("district-b", ["admin"]))
    assert other.status_code == 404


async def test_a_revoked_clients_token_fails_at_a_service_reached_directly(
        gw: Gateway, pg_server: str, keys_dir: Path) -> None:
    """The revocation travels gateway outbox -> relay -> bus -> hr's verifier, within seconds."""
    from libs.common.db import ensure_database
    from libs.common.outbox import Relay
    from libs.common.postgres_bus import PostgresBus
    from libs.common.settings import database_url_for
    from tests.conftest import build_component

    await ensure_database(pg_server, "improvenet_bus")
    hr = build_component("hr", pg_server, await new_database(pg_server, "hr", service="hr"), keys_dir)
    client = await gw.new_client(["hr:read"])
    auth = {"Authorization": f"Bearer {(await gw.token(client)).json()['access_token']}"}
    gateway_engine = gw.client._transport.app.state.engine  # type: ignore[attr-defined]
    bus = PostgresBus(database_url_for(pg_server, "improvenet_bus"))
    relay = Relay(gateway_engine, bus, service="gateway")
    async with hr.router.lifespan_context(hr), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=hr), base_url="http://hr") as direct:
        assert (await direct.get("/schools", headers=auth)).status_code == 200
        assert (await gw.client.delete(f"/api/v1/admin/clients/{client['client_id']}",
                                       headers=gw.bearer(scopes=["admin"]))).status_code == 204
        assert await relay.publish_once() == 1
        started, status = time.monotonic(), 200
        while status == 200 and time.monotonic() - started < 10:
            await asyncio.sleep(0.1)
            r = await direct.get("/schools", headers=auth)
            status = r.status_code
        print(f"revocation reached hr in {time.monotonic() - started:.2f}s")
        assert status == 401 and "revoked" in r.json()["detail"]
        assert time.monotonic() - started < 5
        other = {"Authorization": f"Bearer {gw.make_token('district-a', ['hr:read'])}"}
        assert (await direct.get("/schools", headers=other)).status_code == 200
    await bus.close()


async def test_retired_keys_leave_the_jwks_and_services_stop_trusting_them(gw: Gateway, keys_dir: Path) -> None:
    """The bootstrap key (public.pem, still on every host) stops verifying once its tokens have expired."""
    from sqlalchemy import text

    from libs.common.auth import Issuer, TokenVerifier

    app = gw.client._transport.app  # type: ignore[attr-defined]
    bootstrap_token = gw.make_token("district-a", ["hr:read"])  # signed with keys/private.pem
    service_verifier = TokenVerifier(
        [Issuer("improvenet", "improvenet", "http://gw/.well-known/jwks.json",
                ((keys_dir / "public.pem").read_bytes(),))],
        http=httpx.AsyncClient(transport=httpx.ASGITransport(app=app)))
    assert (await service_verifier.verify(bootstrap_token)).tenant_id == "district-a"
    new_kid = await app.state.keys.rotate()
    async with app.state.engine.begin() as conn:  # as if a token lifetime had passed since the rotation
        await conn.execute(text("UPDATE signing_keys SET retired_at = now() - interval '2 hours' "
                                "WHERE retired_at IS NOT NULL"))
    published = {k["kid"] for k in (await gw.client.get("/.well-known/jwks.json")).json()["keys"]}
    assert published == {new_kid}
    service_verifier._verified.clear()
    for keyset in service_verifier._issuers.values():
        keyset.fetched_at = keyset.published_at = 0.0  # JWKS_MAX_AGE_SECONDS later
    with pytest.raises(Exception) as refused:
        await service_verifier.verify(bootstrap_token)
    assert getattr(refused.value, "status", None) == 401
    gateway_verifier = app.state.verifier  # the gateway reads the same JWKS from its database
    gateway_verifier._verified.clear()
    for keyset in gateway_verifier._issuers.values():
        keyset.fetched_at = keyset.published_at = 0.0
    r = await gw.client.get("/api/v1/hr/echo/1", headers={"Authorization": f"Bearer {bootstrap_token}"})
    assert r.status_code == 401
    client = await _client_after_rotation(gw)
    fresh = (await gw.token(client)).json()["access_token"]
    assert jwt.get_unverified_header(fresh)["kid"] == new_kid
    assert (await service_verifier.verify(fresh)).subject == client["client_id"]
    await service_verifier.close()


async def _client_after_rotation(gw: Gateway) -> dict[str, Any]:
    """A client made with an admin token the gateway itself signed (the bootstrap key is retired)."""
    app = gw.client._transport.app  # type: ignore[attr-defined]
    admin = await app.state.clients.create("district-a", "admin after rotation", ["admin", "hr:read"], None)
    return {**admin[0], "client_secret": admin[1]}


async def _replicate_schools(gw: Gateway, tenant: str, *schools: str) -> None:
    from sqlalchemy import text

    engine = gw.client._transport.app.state.engine  # type: ignore[attr-defined]
    async with engine.begin() as conn:  # what the directory consumer writes when hr registers a school
        for s in schools:
            await conn.execute(text("INSERT INTO school_directory (tenant_id, school_id, name, version) "
                                    "VALUES (:t, :s, 'a school', 1)"), {"t": tenant, "s": s})


async def test_a_school_limited_admin_sees_only_its_schools_and_never_the_tenant_wide_audit_log(
        gw: Gateway) -> None:
    s1, s2 = "00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000a2"
    await _replicate_schools(gw, "district-a", s1, s2)
    tenant_wide = await gw.new_client(["hr:read"])
    mine = await gw.new_client(["hr:read"], schools=[s1])
    theirs = await gw.new_client(["hr:read"], schools=[s2])
    limited = gw.bearer(scopes=["admin"], schools=[s1])
    audit = await gw.client.get("/api/v1/audit", headers=limited)
    assert audit.status_code == 403 and audit.json()["type"].endswith("outside-school-scope")
    assert (await gw.client.get("/api/v1/audit", headers=gw.bearer(scopes=["admin"]))).status_code == 200
    listed = (await gw.client.get("/api/v1/admin/clients", headers=limited)).json()
    assert [c["client_id"] for c in listed] == [mine["client_id"]]
    for other in (tenant_wide, theirs):
        cid = other["client_id"]
        assert (await gw.client.get(f"/api/v1/admin/clients/{cid}", headers=limited)).status_code == 404
        assert (await gw.client.post(f"/api/v1/admin/clients/{cid}/secret", headers=limited)).status_code == 404
        assert (await gw.client.delete(f"/api/v1/admin/clients/{cid}", headers=limited)).status_code == 404
    assert (await gw.client.get(f"/api/v1/admin/clients/{mine['client_id']}", headers=limited)).status_code == 200
    outside = await gw.client.post("/api/v1/admin/clients", headers=limited,
                                   json={"name": "x", "scopes": ["hr:read"], "schools": [s1, s2]})
    assert outside.status_code == 422 and [e["field"] for e in outside.json()["errors"]] == ["schools[1]"]
    inside = await gw.client.post("/api/v1/admin/clients", headers=limited,
                                  json={"name": "x", "scopes": ["hr:read"], "schools": [s1]})
    assert inside.status_code == 201
    assert (await gw.client.get("/api/v1/admin/clients/" + theirs["client_id"],
                                headers=gw.bearer(scopes=["admin"]))).status_code == 200


@pytest.mark.parametrize("path", ["/oauth/token", "/api/v1/admin/clients"])
async def test_the_body_limit_covers_the_gateways_own_endpoints(gw: Gateway, path: str) -> None:
    big = b"grant_type=client_credentials&x=" + b"x" * (2 * 1024 * 1024)
    headers = {"Content-Type": "application/x-www-form-urlencoded" if path == "/oauth/token"
               else "application/json", **gw.bearer(scopes=["admin"])}
    r = await gw.client.post(path, content=big, headers=headers)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * (512 * 1024)

    chunked = await gw.client.post(path, content=chunks(), headers=headers)
    assert chunked.status_code == 413 and chunked.json()["type"].endswith("body-too-large")


async def test_the_rate_limit_covers_the_gateways_own_endpoints(tight: Gateway) -> None:
    admin = tight.bearer(scopes=["admin"], subject="admin-1")
    statuses = [(await tight.client.get("/api/v1/admin/clients", headers=admin)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    audit = await tight.client.get("/api/v1/audit", headers=admin)
    assert audit.status_code == 429 and int(audit.headers["retry-after"]) >= 1
    assert (await tight.client.get("/api/v1/audit", headers=tight.bearer(scopes=["admin"],
                                                                         subject="admin-2"))).status_code == 200


@pytest.fixture
async def hr_direct(pg_server: str, keys_dir: Path) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    from tests.conftest import build_component

    url = await new_database(pg_server, "hr", service="hr")
    hr = build_component("hr", pg_server, url, keys_dir)
    async with hr.router.lifespan_context(hr), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=hr), base_url="http://hr") as client:
        yield client, url


async def test_idempotency_keys_belong_to_the_client_and_expire(
        hr_direct: tuple[httpx.AsyncClient, str], make_token: Callable[..., str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncpg

    from libs.common.settings import asyncpg_dsn

    hr, url = hr_direct
    scopes = ["hr:read", "hr:write", "hr:pii"]
    one = {"Authorization": f"Bearer {make_token('district-a', scopes, subject='cli_one')}", "Idempotency-Key": "k1"}
    two = {"Authorization": f"Bearer {make_token('district-a', scopes, subject='cli_two')}", "Idempotency-Key": "k1"}
    first = await hr.post("/educators", json={"given_name": "A", "family_name": "One"}, headers=one)
    theirs = await hr.post("/educators", json={"given_name": "B", "family_name": "Two"}, headers=two)
    assert first.status_code == theirs.status_code == 201, theirs.text  # same tenant, same key: no collision
    assert first.json()["id"] != theirs.json()["id"]
    again = await hr.post("/educators", json={"given_name": "A", "family_name": "One"}, headers=one)
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    reused = await hr.post("/educators", json={"given_name": "C", "family_name": "One"}, headers=one)
    assert reused.status_code == 422

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        after_a_day = await hr.post("/educators", json={"given_name": "C", "family_name": "One"}, headers=one)
        assert after_a_day.status_code == 201 and after_a_day.json()["id"] != first.json()["id"]
        assert await conn.fetchval("SELECT count(*) FROM idempotency_keys") == 2  # replaced, not added
        monkeypatch.setenv("IDEMPOTENCY_TTL_SECONDS", "60")  # configurable
        await conn.execute("UPDATE idempotency_keys SET created_at = now() - interval '2 minutes'")
        short = await hr.post("/educators", json={"given_name": "D", "family_name": "Two"}, headers=two)
        assert short.status_code == 201 and short.json()["id"] != theirs.json()["id"]

        # a duplicate while the first is in flight: one creates, the other is refused (409) or replays
        dup = {**one, "Idempotency-Key": "k2"}
        answers = await asyncio.gather(*(hr.post("/educators", json={"given_name": "E", "family_name": "Par"},
                                                 headers=dup) for _ in range(4)))
        assert {r.status_code for r in answers} <= {201, 409} and 201 in {r.status_code for r in answers}
        made = {r.json()["id"] for r in answers if r.status_code == 201}
        assert len(made) == 1
    finally:
        await conn.close()


CRAFTED_PAGE_TOKENS = ["x", "eyJpZCI6ICJub3QtYS11dWlkIn0", "eyJmYW1pbHlfbmFtZSI6IDEsICJpZCI6IG51bGx9",
                       "eyJpZCI6IFsxXX0", "W10", "bnVsbA", "eyJzZXEiOiAieCJ9", "e30.AAAAAAAAAAAAAAAAAAAAAA", "%00"]


async def test_crafted_page_tokens_are_a_400_naming_page_token_on_every_list(
        hr_direct: tuple[httpx.AsyncClient, str], gw: Gateway, make_token: Callable[..., str]) -> None:
    hr, _ = hr_direct
    auth = {"Authorization": f"Bearer {make_token('district-a', ['hr:read', 'hr:pii'])}"}
    openapi = (await hr.get("/openapi.json")).json()
    lists = [path for path, item in openapi["paths"].items()
             if any(p.get("name") == "page_token" for p in item.get("get", {}).get("parameters", []))]
    assert lists, "hr has lists"
    for token in CRAFTED_PAGE_TOKENS:
        for path in lists:
            if "{" in path:
                continue
            r = await hr.get(path, params={"page_token": token}, headers=auth)
            assert r.status_code == 400, (path, token, r.status_code, r.text)
            assert r.json()["errors"][0]["field"] == "page_token"
        audit = await gw.client.get("/api/v1/audit", params={"page_token": token}, headers=gw.bearer(scopes=["admin"]))
        assert audit.status_code == 400 and audit.json()["errors"][0]["field"] == "page_token"
