"""A partner delivery rig on a real PostgreSQL: a producing service database (hr's schema: its outbox
and relay), the embedded bus (or Kafka), the gateway app from its own factory with the partners
router included, the partner consumer group and the webhook dispatcher, and real receivers.

`gateway/app.py` and `gateway/worker.py` do not wire partner delivery yet (the lead adds the lines);
this rig composes the same pieces the wiring composes, without those edits.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.partners import PARTNERS_CONSUMER, PartnerSettings, WebhookDispatcher, partners_router
from improvenet.registry import SCOPE_TEXT, component
from libs.common.bus import Bus
from libs.common.db import create_engine, ensure_database, session_factory, unit_of_work
from libs.common.events import Event
from libs.common.inbox import ConsumerRunner
from libs.common.migrations import upgrade
from libs.common.outbox import Relay, record_events
from libs.common.postgres_bus import PostgresBus
from libs.common.settings import asyncpg_dsn, database_url_for
from libs.contracts.base import EventPayload
from tests.conftest import build_component, new_database
from tests.integration.partners.receiver import Receiver

GATEWAY_SCOPES = {**SCOPE_TEXT, "events:read": "read the tenant's granted events (partner apps)"}


def with_partners(app: FastAPI, settings: PartnerSettings) -> FastAPI:
    """The gateway app with the partners router ahead of the proxy's catch-all (as the wiring puts it)."""
    before = len(app.router.routes)
    app.include_router(partners_router(settings))
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[:0] = added
    return app


class Rig:
    def __init__(self, pg_server: str, keys_dir: Path, make_token: Callable[..., str], bus: Bus,
                 settings: PartnerSettings) -> None:
        self.pg_server, self.keys_dir, self.make_token, self.bus = pg_server, keys_dir, make_token, bus
        self.settings = settings
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.receivers: list[Receiver] = []

    async def start(self) -> Rig:
        self.service_url = await new_database(self.pg_server, "psvc", service="hr")
        name = f"pgw_{uuid.uuid4().hex[:10]}"
        await ensure_database(self.pg_server, name)
        self.gateway_url = database_url_for(self.pg_server, name)
        # "heads": the partner revision and any other gateway revision, however the chain stands today
        await asyncio.to_thread(upgrade, component("gateway").migrations, self.gateway_url, "heads")
        self.service_engine = create_engine(self.service_url)
        self.service_sessions = session_factory(self.service_engine)
        self.gateway_engine = create_engine(self.gateway_url)
        app = build_component("gateway", self.pg_server, self.gateway_url, self.keys_dir, scopes=GATEWAY_SCOPES,
                              state_dir=self.keys_dir.parent, rate_limit_per_second=10000.0,
                              rate_limit_burst=10000)
        self.app = with_partners(app, self.settings)
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://gw",
                                      timeout=30)
        self.relay = Relay(self.service_engine, self.bus, service="hr", listen_dsn=asyncpg_dsn(self.service_url))
        self.consumer = ConsumerRunner(self.bus, session_factory(self.gateway_engine), PARTNERS_CONSUMER,
                                       max_attempts=3, retry_delay=0.01)
        self.dispatcher = WebhookDispatcher(self.gateway_engine, self.settings)
        for coro in (self.relay.run(self.stop), self.consumer.run(self.stop), self.dispatcher.run(self.stop)):
            self.tasks.append(asyncio.create_task(coro))
        return self

    async def restart_gateway(self) -> None:
        """A new gateway process on the same database: nothing of the feed lives in memory."""
        await self.http.aclose()
        await self._lifespan.__aexit__(None, None, None)
        app = build_component("gateway", self.pg_server, self.gateway_url, self.keys_dir, scopes=GATEWAY_SCOPES,
                              state_dir=self.keys_dir.parent, rate_limit_per_second=10000.0,
                              rate_limit_burst=10000)
        self.app = with_partners(app, self.settings)
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://gw",
                                      timeout=30)

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for r in self.receivers:
            r.stop()
        await self.http.aclose()
        await self._lifespan.__aexit__(None, None, None)
        await self.service_engine.dispose()
        await self.gateway_engine.dispose()

    # --- the API as an admin and as a partner ------------------------------------------------------

    def admin(self, tenant: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, ['admin'])}"}

    async def partner_client(self, tenant: str, scopes: Sequence[str] = ("events:read",)) -> dict[str, Any]:
        r = await self.http.post("/api/v1/admin/clients", json={"name": "analytics vendor", "scopes": list(scopes)},
                                 headers=self.admin(tenant))
        assert r.status_code == 201, r.text
        client: dict[str, Any] = r.json()
        token = await self.http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                     auth=(client["client_id"], client["client_secret"]))
        assert token.status_code == 200, token.text
        client["auth"] = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return client

    async def subscribe(self, tenant: str, client: dict[str, Any], types: list[str], *, mode: str = "webhook",
                        receiver: Receiver | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": "partner", "client_id": client["client_id"], "types": types, "mode": mode}
        if receiver is not None:
            body["url"] = receiver.url
        r = await self.http.post("/api/v1/partners/subscriptions", json=body, headers=self.admin(tenant))
        assert r.status_code == 201, r.text
        sub: dict[str, Any] = r.json()
        if receiver is not None:
            receiver.secrets.append(sub["secret"])
        return sub

    def receiver(self) -> Receiver:
        r = Receiver().start()
        self.receivers.append(r)
        return r

    async def subscription(self, tenant: str, sid: str) -> dict[str, Any]:
        r = await self.http.get(f"/api/v1/partners/subscriptions/{sid}", headers=self.admin(tenant))
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def feed(self, client: dict[str, Any], **params: Any) -> httpx.Response:
        return await self.http.get("/api/v1/events", params=params, headers=client["auth"])

    async def read_feed(self, client: dict[str, Any], want: int, timeout: float = 30, **params: Any
                        ) -> list[dict[str, Any]]:
        """Follow the feed with long polls until `want` events came (or the time is up)."""
        return await self.read_feed_from(client, "0", want, timeout, **params)

    async def read_feed_from(self, client: dict[str, Any], cursor: str, want: int, timeout: float = 30,
                             **params: Any) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(got) < want and time.monotonic() < deadline:
            r = await self.feed(client, after=cursor, wait=1, **params)
            assert r.status_code == 200, r.text
            got += r.json()["items"]
            cursor = r.json()["next_cursor"]
        return got

    # --- writes in a producing service ---------------------------------------------------------------

    async def write(self, tenant: str, payloads: Sequence[EventPayload]) -> list[Event]:
        async with unit_of_work(self.service_sessions) as session:
            return await record_events(session, payloads, service="hr", tenant_id=tenant)


async def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check() if asyncio.iscoroutinefunction(check) else check():
            return True
        await asyncio.sleep(interval)
    return False


FAST = PartnerSettings(allow_insecure_urls=True, retry_base_seconds=0.1, retry_max_seconds=1.0,
                       retry_window_seconds=3600.0, request_timeout_seconds=2.0, feed_poll_seconds=0.05)


@pytest.fixture
async def embedded_bus(pg_server: str) -> AsyncIterator[Bus]:
    name = f"pbus_{uuid.uuid4().hex[:10]}"
    await ensure_database(pg_server, name)
    bus = PostgresBus(database_url_for(pg_server, name))
    yield bus
    await bus.close()


@pytest.fixture
async def make_rig(pg_server: str, keys_dir: Path, make_token: Callable[..., str], embedded_bus: Bus
                   ) -> AsyncIterator[Callable[..., Any]]:
    """Rigs on the embedded bus, with the fast retry settings changed by keyword (compressed time)."""
    rigs: list[Rig] = []

    async def make(bus: Bus | None = None, **settings: Any) -> Rig:
        r = await Rig(pg_server, keys_dir, make_token, bus or embedded_bus, FAST.model_copy(update=settings)).start()
        rigs.append(r)
        return r

    yield make
    for r in rigs:
        await r.close()


@pytest.fixture
async def rig(make_rig: Callable[..., Any]) -> Rig:
    return await make_rig()  # type: ignore[no-any-return]
