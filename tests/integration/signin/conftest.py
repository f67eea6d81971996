"""A gateway on a real PostgreSQL, a real upstream behind it and a real OpenID Connect provider, and
a person's browser driven with httpx (forms parsed from the pages, cookies kept by the client)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app import create_app
from gateway.settings import SignInProvider
from improvenet.components import settings_for
from libs.common.testing.kafka_broker import free_port
from libs.common.testing.oidc_provider import OidcProvider
from tests.conftest import new_database

ORIGIN = "http://signin.test"
CALLBACK = f"{ORIGIN}/app/callback"
PASSWORD = "correct horse battery staple"
DISTRICT_DOMAIN = "district.example"  # the provider signs in invited people only
OPEN_DOMAIN = "open.example"  # the provider creates people on first sign-in


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path}, status_code=201)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/echo/{x}", echo, methods=["GET", "POST"])]),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as running:
        yield running


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def hidden_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} in the page"
    return found.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class Browser:
    """A person at the gateway (the httpx client keeps the cookies) and the admin who invites them."""

    def __init__(self, client: httpx.AsyncClient, make_token: Callable[..., str]) -> None:
        self.client = client
        self.make_token = make_token

    @property
    def app(self) -> Any:
        return self.client._transport.app  # type: ignore[attr-defined]

    def admin(self, tenant: str = "district-a") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, ['admin'])}"}

    async def invite(self, email: str, role: str = "observer", tenant: str = "district-a",
                     **fields: Any) -> dict[str, Any]:
        r = await self.client.post("/api/v1/admin/people", json={"email": email, "role": role, **fields},
                                   headers=self.admin(tenant))
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    async def accept(self, invitation_url: str, password: str = PASSWORD, confirm: str | None = None
                     ) -> httpx.Response:
        page = await self.client.get(invitation_url)
        assert page.status_code == 200, page.text
        return await self.client.post("/signin/invitation", data={
            "token": hidden_value(page.text, "token"), "csrf": hidden_value(page.text, "csrf"),
            "password": password, "confirm": password if confirm is None else confirm})

    async def person(self, email: str, role: str = "observer", **fields: Any) -> dict[str, Any]:
        """An invited person who has chosen their password."""
        invited = await self.invite(email, role, **fields)
        assert (await self.accept(invited["invitation_url"])).status_code == 200
        return invited

    def authorize_query(self, challenge: str | None, **extra: str) -> dict[str, str]:
        query = {"response_type": "code", "client_id": "improvenet-console", "redirect_uri": CALLBACK,
                 "state": "st-" + secrets.token_hex(4), **extra}
        if challenge is not None:
            query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
        return query

    async def authorize(self, challenge: str | None, **extra: str) -> httpx.Response:
        return await self.client.get("/oauth/authorize?" + urlencode(self.authorize_query(challenge, **extra)))

    async def sign_in(self, email: str, password: str, challenge: str, **extra: str) -> httpx.Response:
        page = await self.authorize(challenge, **extra)
        assert page.status_code == 200, page.text
        return await self.post_signin(page.text, email, password)

    async def post_signin(self, html: str, email: str, password: str) -> httpx.Response:
        fields = {name: hidden_value(html, name) for name in
                  ("response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method",
                   "state", "scope", "user_code") if f'name="{name}" value=' in html}
        return await self.client.post("/signin", data={**fields, "csrf": hidden_value(html, "csrf"),
                                                       "email": email, "password": password})

    async def code(self, email: str, password: str = PASSWORD, **extra: str) -> tuple[str, str]:
        """(code, verifier) after signing in."""
        verifier, challenge = pkce()
        r = await self.sign_in(email, password, challenge, **extra)
        assert r.status_code == 303, r.text
        return query_of(r.headers["location"])["code"], verifier

    async def exchange(self, code: str, verifier: str, redirect_uri: str = CALLBACK) -> httpx.Response:
        return await self.client.post("/oauth/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": "improvenet-console", "code_verifier": verifier})

    async def tokens(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        code, verifier = await self.code(email, password)
        r = await self.exchange(code, verifier)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def refresh(self, refresh_token: str, client_id: str = "improvenet-console") -> httpx.Response:
        return await self.client.post("/oauth/token", data={"grant_type": "refresh_token",
                                                            "refresh_token": refresh_token, "client_id": client_id})

    async def me(self, access_token: str) -> httpx.Response:
        return await self.client.get("/identity/me", headers={"Authorization": f"Bearer {access_token}"})

    async def api(self, access_token: str) -> httpx.Response:
        return await self.client.get("/api/v1/hr/echo/1", headers={"Authorization": f"Bearer {access_token}"})


async def make_browser(pg_server: str, keys_dir: Path, upstream: str, provider: OidcProvider,
                       make_token: Callable[..., str], monkeypatch: pytest.MonkeyPatch,
                       **overrides: Any) -> AsyncIterator[Browser]:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", await new_database(pg_server, "gw_signin", service="gateway"))
    providers = [SignInProvider(tenant="district-a", name="District A", issuer=provider.issuer,
                                client_id=provider.client_id, client_secret=provider.client_secret,
                                email_domains=[DISTRICT_DOMAIN]),
                 SignInProvider(tenant="district-a", name="Open district", issuer=provider.issuer,
                                client_id=provider.client_id, client_secret=provider.client_secret,
                                email_domains=[OPEN_DOMAIN], default_role="coordinator", create_people=True)]
    settings = settings_for("gateway", database_url=pg_server, state_dir=keys_dir.parent,
                            upstream_urls={"hr": upstream}, log_json=False, sign_in_providers=providers,
                            # argon2id made cheap for tests; the defaults are in the unit tests
                            password_time_cost=1, password_memory_kib=1024, password_parallelism=1,
                            device_poll_interval_seconds=1, rate_limit_per_second=1000, rate_limit_burst=1000,
                            **overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN) as client:
            yield Browser(client, make_token)


@pytest.fixture
async def browser(pg_server: str, keys_dir: Path, upstream: str, provider: OidcProvider,
                  make_token: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Browser]:
    async for b in make_browser(pg_server, keys_dir, upstream, provider, make_token, monkeypatch):
        yield b
